"""A composite quality metric for improved prompts, in [0, 1], made of named parts.

The verdict and most of the score come from the core's quality checks (promptimp.quality):

- quality: promptimp.quality's score (an acceptable prompt scores 0.7-1.0, junk 0-0.4).
- acceptable: 1 when the quality checks find the prompt usable as it is, else 0; its mean over
  a dataset is the acceptable share. The composite of a prompt that is not acceptable is capped
  at promptimp.quality.JUNK_CEILING.
- grounding: the share of the idea's key terms found in the improved prompt (weight 0.7) and of
  the context's (weight 0.3, when there is a context). Key terms are words of 3+ letters that
  are not English or Spanish stop words, compared by their first 5 letters without accents, so
  "users"/"user" and "diseño"/"diseñar" match.
- reference (only when the example has reference outputs): the mean of token-set F1 between
  predicted and reference role, directive, guardrails and improved prompt (key terms as above),
  and framework agreement (1 or 0).
- judge (only when a PromptJudge is given): an LLM's 0-1 rating of the prompt.

Reported, with no weight (the template assembly guarantees them on the embedded path, so they
would inflate the composite without telling good from junk):

- structure: improved_prompt present; role of 2-30 words on one line; directive of at least 4
  words; a known framework; 3-5 non-empty guardrails; confidence in [0, 1]; reasoning present.
- consistency: role and directive both appear in the improved prompt.
- length: 1 for a prompt of MIN_WORDS-MAX_WORDS words, lower outside.
- no_repetition: 1 minus the share of words inside a repeated run of REPEAT_RUN+ words.

The composite is the WEIGHTS-weighted mean of the weighted parts that apply. A prediction
without an improved prompt (for example a failed run) scores 0 in every part.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import dspy

from promptimp.assembly import normalise_confidence
from promptimp.models import FRAMEWORKS, MAX_GUARDRAILS, MIN_GUARDRAILS
from promptimp.quality import (
    JUNK_CEILING,
    Demo,
    QualityReport,
    check_prompt,
    coverage,
    key_terms,
    prefixes,
    weighed_confidence,
    words,
)

log = logging.getLogger(__name__)

WEIGHTS: dict[str, float] = {
    "quality": 0.60,
    "grounding": 0.15,
    "reference": 0.10,
    "judge": 0.15,
}
"""The weight of each part that counts in the composite; parts that do not apply are left out."""
REPORTED_PARTS = ("acceptable", "structure", "consistency", "length", "no_repetition")
"""Parts shown beside the composite that carry no weight in it."""

MIN_WORDS = 40
MAX_WORDS = 600
REPEAT_RUN = 8
IDEA_WEIGHT = 0.7

PART_DESCRIPTIONS: dict[str, str] = {
    "quality": "the quality checks' score (acceptable 0.7-1.0, junk 0-0.4)",
    "acceptable": "share a person would paste as is (every quality check passed)",
    "grounding": "key terms of the idea and context kept in the prompt",
    "reference": "similarity to the reference output (token-set F1, framework match)",
    "judge": "an LLM judge's rating (optional)",
    "structure": "every field present and well formed (reported, no weight)",
    "consistency": "role and directive both appear in the prompt (reported, no weight)",
    "length": f"a prompt of {MIN_WORDS}-{MAX_WORDS} words (reported, no weight)",
    "no_repetition": f"no repeated run of {REPEAT_RUN}+ words (reported, no weight)",
}
"""One line per part, for people reading a report."""


@dataclass(frozen=True)
class MetricResult:
    """The composite score, each part that applied (all in [0, 1]) and the verdict."""

    score: float
    parts: dict[str, float] = field(default_factory=dict)
    acceptable: bool = False
    failures: tuple[str, ...] = ()
    """Why the quality checks found the prompt not acceptable, one reason per failed check."""


# -- text helpers ----------------------------------------------------------------------------


def token_f1(predicted: str, reference: str) -> float:
    """Token-set F1 between the key terms of two texts (1.0 when both have none)."""
    ours, theirs = key_terms(predicted), key_terms(reference)
    if not ours and not theirs:
        return 1.0
    common = len(ours & theirs)
    if not common:
        return 0.0
    precision, recall = common / len(ours), common / len(theirs)
    return 2 * precision * recall / (precision + recall)


def _field(obj: Any, name: str) -> Any:
    if hasattr(obj, "get"):  # a dict, dspy.Example or dspy.Prediction
        return obj.get(name)
    return getattr(obj, name, None)


def _text(obj: Any, name: str) -> str:
    value = _field(obj, name)
    return value.strip() if isinstance(value, str) else ""


def _guardrail_list(obj: Any) -> list[str]:
    value = _field(obj, "guardrails")
    if isinstance(value, str) or not isinstance(value, Iterable):
        return []
    return [str(item) for item in value]


# -- parts -----------------------------------------------------------------------------------


def structure_score(prediction: Any) -> float:
    """The share of structural checks that pass (see the module docstring)."""
    role, directive = _text(prediction, "role"), _text(prediction, "directive")
    guardrails = _field(prediction, "guardrails")
    confidence = _field(prediction, "confidence")
    checks = [
        bool(_text(prediction, "improved_prompt")),
        2 <= len(role.split()) <= 30 and "\n" not in role,
        len(directive.split()) >= 4,
        _text(prediction, "framework").lower() in FRAMEWORKS,
        isinstance(guardrails, list | tuple)
        and MIN_GUARDRAILS <= len(guardrails) <= MAX_GUARDRAILS
        and all(isinstance(rule, str) and rule.strip() for rule in guardrails),
        isinstance(confidence, int | float)
        and not isinstance(confidence, bool)
        and 0.0 <= confidence <= 1.0,
        bool(_text(prediction, "reasoning")),
    ]
    return sum(checks) / len(checks)


def grounding_score(idea: str, context: str, prompt: str) -> float:
    """How many key terms of the idea (and context) the prompt keeps."""
    found = prefixes(prompt)
    idea_share = coverage(key_terms(idea), found)
    context_share = coverage(key_terms(context), found)
    if idea_share is None:
        return 1.0 if context_share is None else context_share
    if context_share is None:
        return idea_share
    return IDEA_WEIGHT * idea_share + (1 - IDEA_WEIGHT) * context_share


def consistency_score(role: str, directive: str, prompt: str) -> float:
    """Whether the role and the directive both appear in the prompt (key-term share each)."""
    found = prefixes(prompt)
    shares = []
    for part in (role, directive):
        share = coverage(key_terms(part), found)
        if share is None:  # no key terms: fall back to plain containment
            share = float(bool(part) and part.lower() in prompt.lower())
        shares.append(share)
    return sum(shares) / len(shares)


def length_score(prompt: str) -> float:
    """1 within MIN_WORDS..MAX_WORDS words, lower outside."""
    count = len(prompt.split())
    if count < MIN_WORDS:
        return count / MIN_WORDS
    if count <= MAX_WORDS:
        return 1.0
    return max(0.0, 1.0 - (count - MAX_WORDS) / MAX_WORDS)


def repeat_starts(tokens: list[str], run: int = REPEAT_RUN) -> Iterator[int]:
    """Where a `run`-word sequence of `tokens` starts that already occurred earlier."""
    seen: set[tuple[str, ...]] = set()
    for start in range(len(tokens) - run + 1):
        gram = tuple(tokens[start : start + run])
        if gram in seen:
            yield start
        seen.add(gram)


def repetition_score(prompt: str, run: int = REPEAT_RUN) -> float:
    """1 minus the share of words covered by a later copy of an earlier `run`-word sequence."""
    tokens = words(prompt)
    repeated = [False] * len(tokens)
    for start in repeat_starts(tokens, run):
        repeated[start : start + run] = [True] * run
    return 1.0 - sum(repeated) / len(tokens) if tokens else 1.0


def reference_score(prediction: Any, example: Any) -> float | None:
    """Similarity to the example's reference outputs; None when it has none."""
    scores = [
        token_f1(_text(prediction, key), _text(example, key))
        for key in ("role", "directive", "improved_prompt")
        if _text(example, key)
    ]
    reference_rules = _guardrail_list(example)
    if reference_rules:
        predicted_rules = " ".join(_guardrail_list(prediction))
        scores.append(token_f1(predicted_rules, " ".join(reference_rules)))
    if _text(example, "framework"):
        agree = _text(prediction, "framework").lower() == _text(example, "framework").lower()
        scores.append(float(agree))
    return sum(scores) / len(scores) if scores else None


# -- the optional LLM judge ------------------------------------------------------------------


class JudgePrompt(dspy.Signature):
    """Rate how well the improved prompt turns the rough idea into a prompt for an AI assistant.

    A great prompt keeps the intent and every detail of the idea and context, names a fitting
    expert role, gives a precise task, a suitable reasoning approach and concrete guardrails,
    and contains no placeholders or filler. Give 0.0 for a useless prompt, 1.0 for an excellent
    one.
    """

    original_idea: str = dspy.InputField()
    context: str = dspy.InputField(desc="may be empty")
    improved_prompt: str = dspy.InputField()
    score: float = dspy.OutputField(desc="a rating from 0.0 to 1.0")


class PromptJudge:
    """LLM-as-judge over JudgePrompt; needs a strong LM, so it is off unless one is given."""

    def __init__(self, lm: Any, adapter: Any = None) -> None:
        self.lm = lm
        self.adapter = adapter
        self.predict = dspy.Predict(JudgePrompt)

    def __call__(self, idea: str, context: str, prompt: str) -> float | None:
        """The rating in [0, 1], or None (logged) when the judge fails."""
        try:
            with dspy.context(lm=self.lm, adapter=self.adapter):
                answer = self.predict(original_idea=idea, context=context, improved_prompt=prompt)
        except Exception as error:  # any provider or parsing failure: leave the part out
            log.warning("the judge failed, its part is left out: %s", error)
            return None
        return normalise_confidence(answer.score)


# -- the composite ---------------------------------------------------------------------------


def composite(parts: Mapping[str, float], acceptable: bool = True) -> float:
    """The WEIGHTS-weighted mean of the weighted `parts`, in [0, 1] (0 when there are none).

    Parts without a weight (REPORTED_PARTS) are ignored; a prompt that is not `acceptable`
    scores at most JUNK_CEILING.
    """
    weighted = {name: value for name, value in parts.items() if name in WEIGHTS}
    total = sum(WEIGHTS[name] for name in weighted)
    if not total:
        return 0.0
    mean = sum(WEIGHTS[name] * value for name, value in weighted.items()) / total
    mean = min(1.0, max(0.0, mean))
    return mean if acceptable else min(mean, JUNK_CEILING)


def quality_report(example: Any, prediction: Any, demos: Sequence[Demo] = ()) -> QualityReport:
    """The core's quality checks of one prediction for one example (with its confidence when
    the embedded model made it: `weighed_confidence`)."""
    return check_prompt(
        _text(example, "original_idea"),
        _text(example, "context"),
        _text(prediction, "role"),
        _text(prediction, "directive"),
        _text(prediction, "framework"),
        _guardrail_list(prediction),
        _text(prediction, "improved_prompt"),
        demos=demos,
        confidence=weighed_confidence(
            _text(prediction, "model_version"),
            normalise_confidence(_field(prediction, "confidence")),
        ),
    )


def score_prediction(
    example: Any,
    prediction: Any,
    judge: PromptJudge | None = None,
    demos: Sequence[Demo] = (),
) -> MetricResult:
    """Every applicable part and the composite for one prediction.

    `demos` are (idea, guardrail) pairs of the examples a few-shot program may have copied.
    """
    prompt = _text(prediction, "improved_prompt")
    idea, context = _text(example, "original_idea"), _text(example, "context")
    role, directive = _text(prediction, "role"), _text(prediction, "directive")
    report = quality_report(example, prediction, demos)
    parts: dict[str, float | None] = {
        "quality": report.score,
        "acceptable": float(report.acceptable),
        "grounding": grounding_score(idea, context, prompt),
        "reference": reference_score(prediction, example),
        "structure": structure_score(prediction),
        "consistency": consistency_score(role, directive, prompt),
        "length": length_score(prompt),
        "no_repetition": repetition_score(prompt),
    }
    if judge is not None:
        parts["judge"] = judge(idea, context, prompt) if prompt else 0.0
    applied = {name: value for name, value in parts.items() if value is not None}
    if not prompt:
        applied = dict.fromkeys(applied, 0.0)
    acceptable = bool(prompt) and report.acceptable
    return MetricResult(
        score=composite(applied, acceptable),
        parts=applied,
        acceptable=acceptable,
        failures=tuple(check.reason for check in report.failures),
    )


def composite_metric(example: Any, prediction: Any, trace: Any = None) -> float:
    """The dspy metric: the composite score without the judge."""
    return score_prediction(example, prediction).score


def make_metric(judge: PromptJudge | None = None) -> Callable[..., float]:
    """A dspy metric (example, prediction, trace=None) -> float, with `judge` when given."""

    def metric(example: Any, prediction: Any, trace: Any = None) -> float:
        return score_prediction(example, prediction, judge).score

    return metric
