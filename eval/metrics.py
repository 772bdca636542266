"""A composite quality metric for improved prompts, in [0, 1], made of named parts.

Every part is a score in [0, 1] (higher is better), computed offline unless noted:

- structure: the share of these checks that pass: improved_prompt present; role of 2-30 words
  on one line; directive of at least 4 words; framework one of promptimp.models.FRAMEWORKS;
  3-5 non-empty guardrails; confidence a number in [0, 1]; reasoning present.
- grounding: the share of the idea's key terms found in the improved prompt (weight 0.7) and of
  the context's (weight 0.3, when there is a context). Key terms are words of 3+ letters that
  are not English or Spanish stop words, compared by their first 5 letters without accents, so
  "users"/"user" and "diseño"/"diseñar" match.
- consistency: role and directive both appear in the improved prompt: the mean, over the two,
  of the share of their key terms found in it.
- no_filler: 1 minus 0.5 per placeholder or filler found in any field ("[insert ...]",
  "<placeholder>", "as an AI", "lorem ipsum", "TODO", ...), floored at 0.
- length: 1 for a prompt of MIN_WORDS-MAX_WORDS words; words/MIN_WORDS below; falling linearly
  to 0 at twice MAX_WORDS above.
- no_repetition: 1 minus the share of words inside a repeated run of REPEAT_RUN+ words.
- reference (only when the example has reference outputs): the mean of token-set F1 between
  predicted and reference role, directive, guardrails and improved prompt (key terms as above),
  and framework agreement (1 or 0).
- judge (only when a PromptJudge is given): an LLM's 0-1 rating of the prompt.

The composite is the WEIGHTS-weighted mean of the parts that apply. A prediction without an
improved prompt (for example a failed run) scores 0 in every part.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import dspy

from promptimp.assembly import normalise_confidence
from promptimp.models import FRAMEWORKS, MAX_GUARDRAILS, MIN_GUARDRAILS

log = logging.getLogger(__name__)

WEIGHTS: dict[str, float] = {
    "structure": 0.20,
    "grounding": 0.20,
    "consistency": 0.15,
    "no_filler": 0.10,
    "length": 0.10,
    "no_repetition": 0.10,
    "reference": 0.15,
    "judge": 0.20,
}
"""Every part's weight in the composite; parts that do not apply are left out."""

MIN_WORDS = 40
MAX_WORDS = 600
REPEAT_RUN = 8
STEM_CHARS = 5
IDEA_WEIGHT = 0.7

PART_DESCRIPTIONS: dict[str, str] = {
    "structure": "every field present and well formed (3-5 guardrails, known framework)",
    "grounding": "key terms of the idea and context kept in the prompt",
    "consistency": "role and directive both appear in the prompt",
    "no_filler": "no placeholders or filler ('[insert ...]', 'as an AI', 'TODO')",
    "length": f"a prompt of {MIN_WORDS}-{MAX_WORDS} words",
    "no_repetition": f"no repeated run of {REPEAT_RUN}+ words",
    "reference": "similarity to the reference output (token-set F1, framework match)",
    "judge": "an LLM judge's rating (optional)",
}
"""One line per part, for people reading a report."""

_ENGLISH_STOP_WORDS = """
a about above after again against all also am an and any are as at be because been before
being below between both but by can could did do does doing down during each few for from
further had has have having he her here hers herself him himself his how i if in into is it
its itself just let me more most my myself no nor not now of off on once only or other our
ours out over own same she should so some such than that the their theirs them then there
these they this those through to too under until up very was we were what when where which
while who whom why will with would you your yours yourself want need needs make please help
using use get like way something thing things
"""
_SPANISH_STOP_WORDS = """
al algo algunas algunos ante antes como con contra cual cuales cuando de del desde donde dos
el ella ellas ellos en entre era eran es esa esas ese eso esos esta estas este esto estos
fue fueron ha han hasta hay la las le les lo los mas me mi mis mucho muy ni no nos nosotros
o otra otras otro otros para pero poco por porque que quien se sea ser si sin sobre su sus
tambien tan tanto te tiene tienen todo todos tu tus un una unas uno unos y ya yo necesito
quiero ayuda hacer
"""
STOP_WORDS = frozenset((_ENGLISH_STOP_WORDS + _SPANISH_STOP_WORDS).split())
"""English and Spanish function words (accents stripped), ignored when finding key terms."""

FILLER_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"\[\s*(?:insert|inserte|inserta|your|tu|add|placeholder)\b[^\]]*\]", re.I),
    re.compile(r"<\s*(?:placeholder|insert)[^>]*>", re.I),
    re.compile(r"\{\{?\s*(?:placeholder|insert)[^}]*\}\}?", re.I),
    re.compile(r"\bas an ai\b|\bas an? (?:large )?language model\b", re.I),
    re.compile(r"\bcomo (?:una )?(?:ia|inteligencia artificial|modelo de lenguaje)\b", re.I),
    re.compile(r"\blorem ipsum\b", re.I),
    re.compile(r"\b(?:TODO|TBD|FIXME)\b"),
)
"""Placeholders and filler that a finished prompt must not contain."""

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class MetricResult:
    """The composite score and each part that applied, all in [0, 1]."""

    score: float
    parts: dict[str, float] = field(default_factory=dict)


# -- text helpers ----------------------------------------------------------------------------


def words(text: str) -> list[str]:
    """Lower-case words of `text`, accents stripped."""
    plain = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return _WORD.findall(plain)


def key_terms(text: str) -> set[str]:
    """The distinct key terms of `text`: 3+ letter non-stop words, cut to STEM_CHARS letters."""
    return {
        word[:STEM_CHARS]
        for word in words(text)
        if len(word) >= 3 and not word.isdigit() and word not in STOP_WORDS
    }


def _prefixes(text: str) -> set[str]:
    """Every 3..STEM_CHARS letter prefix of the words of `text` (what key terms match)."""
    return {word[:n] for word in words(text) for n in range(3, STEM_CHARS + 1) if len(word) >= n}


def _coverage(terms: set[str], prefixes: set[str]) -> float | None:
    """The share of `terms` found among `prefixes`; None when there are no terms."""
    if not terms:
        return None
    return len(terms & prefixes) / len(terms)


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
    prefixes = _prefixes(prompt)
    idea_share = _coverage(key_terms(idea), prefixes)
    context_share = _coverage(key_terms(context), prefixes)
    if idea_share is None:
        return 1.0 if context_share is None else context_share
    if context_share is None:
        return idea_share
    return IDEA_WEIGHT * idea_share + (1 - IDEA_WEIGHT) * context_share


def consistency_score(role: str, directive: str, prompt: str) -> float:
    """Whether the role and the directive both appear in the prompt (key-term share each)."""
    prefixes = _prefixes(prompt)
    shares = []
    for part in (role, directive):
        share = _coverage(key_terms(part), prefixes)
        if share is None:  # no key terms: fall back to plain containment
            share = float(bool(part) and part.lower() in prompt.lower())
        shares.append(share)
    return sum(shares) / len(shares)


def filler_count(text: str) -> int:
    """How many placeholders or filler phrases `text` contains."""
    return sum(len(pattern.findall(text)) for pattern in FILLER_PATTERNS)


def no_filler_score(texts: Iterable[str]) -> float:
    """1 minus 0.5 per placeholder or filler found, floored at 0."""
    return max(0.0, 1.0 - 0.5 * filler_count("\n".join(texts)))


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


def composite(parts: Mapping[str, float]) -> float:
    """The WEIGHTS-weighted mean of `parts`, in [0, 1] (0 when there are none)."""
    total = sum(WEIGHTS[name] for name in parts)
    if not total:
        return 0.0
    mean = sum(WEIGHTS[name] * value for name, value in parts.items()) / total
    return min(1.0, max(0.0, mean))


def score_prediction(
    example: Any, prediction: Any, judge: PromptJudge | None = None
) -> MetricResult:
    """Every applicable part and the composite for one prediction."""
    prompt = _text(prediction, "improved_prompt")
    idea, context = _text(example, "original_idea"), _text(example, "context")
    role, directive = _text(prediction, "role"), _text(prediction, "directive")
    parts: dict[str, float | None] = {
        "structure": structure_score(prediction),
        "grounding": grounding_score(idea, context, prompt),
        "consistency": consistency_score(role, directive, prompt),
        "no_filler": no_filler_score([prompt, role, directive, *_guardrail_list(prediction)]),
        "length": length_score(prompt),
        "no_repetition": repetition_score(prompt),
        "reference": reference_score(prediction, example),
    }
    if judge is not None:
        parts["judge"] = judge(idea, context, prompt) if prompt else 0.0
    applied = {name: value for name, value in parts.items() if value is not None}
    if not prompt:
        applied = dict.fromkeys(applied, 0.0)
    return MetricResult(score=composite(applied), parts=applied)


def composite_metric(example: Any, prediction: Any, trace: Any = None) -> float:
    """The dspy metric: the composite score without the judge."""
    return score_prediction(example, prediction).score


def make_metric(judge: PromptJudge | None = None) -> Callable[..., float]:
    """A dspy metric (example, prediction, trace=None) -> float, with `judge` when given."""

    def metric(example: Any, prediction: Any, trace: Any = None) -> float:
        return score_prediction(example, prediction, judge).score

    return metric
