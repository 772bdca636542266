"""Few-shot demos: load the trainset, pick the most similar demos per idea, compile/save/load.

The pool of candidate demos is the compiled program's demos when
DSPY_FEWSHOT_COMPILED_PATH exists, else the trainset at DSPY_FEWSHOT_TRAINSET_PATH, together
with the user trainset at DSPY_FEWSHOT_USER_TRAINSET_PATH (good runs people added). For each
idea, `DemoSelector` returns the DSPY_FEWSHOT_K pool examples most similar to its idea + context
(cosine over TF-IDF of character n-grams, which works for English and Spanish alike), each demo
read whole: its idea and context and the role, directive and guardrails it answers with.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import dspy
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from promptimp.assembly import detect_language
from promptimp.improver import FewShotImprover, ImprovePrompt
from promptimp.models import FRAMEWORKS, MAX_GUARDRAILS, MIN_GUARDRAILS, ModelError, PromptImpError
from promptimp.settings import Provider, Settings

INPUT_KEYS = ("original_idea", "context")
TEXT_KEYS = ("idea", "role", "directive", "framework", "improved_prompt")
DEFAULT_CONFIDENCE = 0.9
MAX_MATCH_CHARS = 2000
"""Only this much of idea + context is compared, so selection stays fast for long contexts."""

Progress = Callable[[int, int], None]
"""progress(done, total): training examples processed so far, out of the trainset size."""


class FewShotError(PromptImpError):
    """The trainset or the compiled program cannot be used; the message names the file."""


# -- trainset ------------------------------------------------------------------------------


def load_trainset(path: str | Path) -> list[dspy.Example]:
    """The examples of a JSONL trainset, inputs marked; a bad line raises FewShotError."""
    examples = [example for _, example in read_trainset_rows(path)]
    if not examples:
        raise FewShotError(f"Trainset {path} has no examples.")
    return examples


def read_trainset_rows(path: str | Path) -> list[tuple[dict[str, Any], dspy.Example]]:
    """Each row of a JSONL trainset with its example (none for an empty file).

    A missing or unreadable file, or a bad line, raises FewShotError naming the file (and line).
    """
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise FewShotError(f"Trainset not found: {path}.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise FewShotError(f"Cannot read trainset {path}: {error}.") from None
    rows = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            rows.append((row, example_from_row(row)))
        except json.JSONDecodeError as error:
            raise FewShotError(
                f"{path} line {number}: invalid JSON ({error.msg} at column {error.colno})."
            ) from None
        except ValueError as error:
            raise FewShotError(f"{path} line {number}: {error}.") from None
    return rows


def example_from_row(row: Any) -> dspy.Example:
    """A demo from one trainset row, with every output field of ImprovePrompt filled in.

    Rows carry no reasoning or confidence, so a short reasoning sentence and
    DEFAULT_CONFIDENCE are derived; `domain` and `language` are kept as metadata.
    """
    if not isinstance(row, dict):
        raise ValueError("expected a JSON object")
    for key in TEXT_KEYS:
        if not isinstance(row.get(key), str) or not row[key].strip():
            raise ValueError(f"'{key}' must be a non-empty string")
    context = row.get("context") or ""
    if not isinstance(context, str):
        raise ValueError("'context' must be a string")
    framework = row["framework"].strip().lower()
    if framework not in FRAMEWORKS:
        raise ValueError(f"framework {framework!r} is not one of: {', '.join(FRAMEWORKS)}")
    guardrails = row.get("guardrails")
    if (
        not isinstance(guardrails, list)
        or not MIN_GUARDRAILS <= len(guardrails) <= MAX_GUARDRAILS
        or not all(isinstance(g, str) and g.strip() for g in guardrails)
    ):
        raise ValueError(
            f"'guardrails' must be a list of {MIN_GUARDRAILS} to {MAX_GUARDRAILS} non-empty strings"
        )
    idea, role = row["idea"].strip(), row["role"].strip()
    language = row.get("language") or detect_language(idea)
    return dspy.Example(
        original_idea=idea,
        context=context.strip(),
        role=role,
        directive=row["directive"].strip(),
        framework=framework,
        guardrails=[g.strip() for g in guardrails],
        improved_prompt=row["improved_prompt"].strip(),
        reasoning=row.get("reasoning") or _reasoning(role, framework, language),
        confidence=float(row.get("confidence", DEFAULT_CONFIDENCE)),
        domain=row.get("domain") or "",
        language=language,
    ).with_inputs(*INPUT_KEYS)


def _reasoning(role: str, framework: str, language: str) -> str:
    if language == "es":
        return f"El rol «{role}» y el marco {framework} encajan; las restricciones la concretan."
    return f"The role '{role}' and the {framework} framework fit; the guardrails make it concrete."


# -- selection -----------------------------------------------------------------------------


def _match_text(idea: str, context: str) -> str:
    return f"{idea}\n{context}"[:MAX_MATCH_CHARS]


def _demo_text(demo: dspy.Example) -> str:
    """What a demo is matched on: its idea and context, and the words its answer uses.

    A demo's role, directive and guardrails name its domain far better than its idea alone
    (bench/retrieval_bench.py: the nearest demo shares the idea's domain for 37.5% of the
    devset and 40.0% of the wildset, against 28.1% and 25.5% on idea + context).
    """
    answer = [demo.get("role") or "", demo.get("directive") or "", *(demo.get("guardrails") or [])]
    return "\n".join([_match_text(demo.original_idea, demo.get("context") or ""), *answer])


class DemoSelector:
    """Callable (idea, context) -> the k pool examples most similar to them, best first.

    TF-IDF over character n-grams within words (3 to 5, accents stripped, sublinear tf), fitted
    once on the pool's whole demos (`_demo_text`); cosine similarity is a sparse dot product of
    the L2-normalised rows.
    Ties keep pool order. Read-only after construction, so it is safe to share across threads.
    """

    def __init__(self, pool: Sequence[dspy.Example], k: int = 3) -> None:
        if not pool:
            raise FewShotError("The few-shot pool is empty; there are no demos to choose from.")
        if k < 1:
            raise ValueError("k must be at least 1")
        self.pool = list(pool)
        self.k = k
        self._vectorizer = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), strip_accents="unicode", sublinear_tf=True
        )
        self._matrix = self._vectorizer.fit_transform([_demo_text(d) for d in self.pool])

    def __len__(self) -> int:
        return len(self.pool)

    def __call__(self, idea: str, context: str = "") -> list[dspy.Example]:
        return [demo for demo, _ in self.ranked(idea, context)]

    def ranked(
        self, idea: str, context: str = "", k: int | None = None
    ) -> list[tuple[dspy.Example, float]]:
        """The top-k (demo, cosine similarity) pairs, most similar first."""
        query = self._vectorizer.transform([_match_text(idea, context or "")])
        scores = (self._matrix @ query.T).toarray().ravel()
        top = np.argsort(-scores, kind="stable")[: k or self.k]
        return [(self.pool[i], float(scores[i])) for i in top]


def load_demo_selector(settings: Settings) -> DemoSelector:
    """A selector over the compiled program's demos if that file exists, else the trainset,
    plus the user trainset's examples when that file exists."""
    compiled = settings.DSPY_FEWSHOT_COMPILED_PATH
    if compiled and Path(compiled).is_file():
        pool = load_compiled_demos(compiled)
    else:
        pool = _settings_trainset(settings)
    return DemoSelector([*pool, *_user_trainset(settings)], k=settings.DSPY_FEWSHOT_K)


def _user_trainset(settings: Settings) -> list[dspy.Example]:
    """The examples people added from good runs (none while the file does not exist)."""
    path = Path(settings.DSPY_FEWSHOT_USER_TRAINSET_PATH)
    if not settings.DSPY_FEWSHOT_USER_TRAINSET_PATH or not path.is_file():
        return []
    return [example for _, example in read_trainset_rows(path)]


def _settings_trainset(settings: Settings) -> list[dspy.Example]:
    path = Path(settings.DSPY_FEWSHOT_TRAINSET_PATH)
    if not path.is_file():
        raise FewShotError(
            f"Few-shot trainset not found: {path} (set DSPY_FEWSHOT_TRAINSET_PATH to a JSONL file)."
        )
    return load_trainset(path)


# -- compiling -----------------------------------------------------------------------------


def structural_metric(example: Any, prediction: Any, trace: Any = None) -> bool:
    """True when every part is present and in shape: role, directive, a known framework,
    3-5 non-empty guardrails and an improved prompt longer than the directive."""
    texts = [prediction.get(key) for key in ("role", "directive", "improved_prompt")]
    if not all(isinstance(text, str) and text.strip() for text in texts):
        return False
    guardrails = prediction.get("guardrails")
    return (
        str(prediction.get("framework") or "").strip().lower() in FRAMEWORKS
        and isinstance(guardrails, list)
        and MIN_GUARDRAILS <= len(guardrails) <= MAX_GUARDRAILS
        and all(isinstance(g, str) and g.strip() for g in guardrails)
        and len(texts[2]) > len(texts[1])
    )


def compile_fewshot(settings: Settings, lm: Any = None, progress: Progress | None = None) -> Path:
    """Compile the few-shot program from the trainset, save it as JSON and return its path.

    Without an LM, or with the local provider, LabeledFewShot keeps the WHOLE trainset, in file
    order, as demos (no LM call): the saved file is a validated, pinned pool from which
    DemoSelector picks DSPY_FEWSHOT_K per idea (so do not run it without a selector). With an LM
    of a strong provider, BootstrapFewShot runs the program on the trainset and keeps up to
    DSPY_MAX_BOOTSTRAPPED_DEMOS traces that pass `structural_metric`, topped up with labeled
    examples to DSPY_MAX_LABELED_DEMOS; that small, model-written pool becomes the candidates.

    `progress(done, total)` is called with (0, total) first, after each bootstrapped example,
    and (total, total) last; total is the trainset size (bootstrapping may stop early).
    """
    if not settings.DSPY_FEWSHOT_COMPILED_PATH:
        raise FewShotError("Set DSPY_FEWSHOT_COMPILED_PATH to where the compiled program goes.")
    trainset = _settings_trainset(settings)
    total = len(trainset)
    report = progress or (lambda done, total: None)
    report(0, total)
    student = FewShotImprover(ImprovePrompt)
    if lm is not None and settings.LLM_PROVIDER is not Provider.LOCAL:
        program = _bootstrap(settings, lm, student, trainset, report)
    else:
        optimizer = dspy.LabeledFewShot(k=total)
        program = optimizer.compile(student, trainset=trainset, sample=False)
    if not program.predict.demos:
        raise FewShotError("Compiling kept no demos (none passed the metric); nothing was saved.")
    report(total, total)
    path = Path(settings.DSPY_FEWSHOT_COMPILED_PATH)
    path.parent.mkdir(parents=True, exist_ok=True)
    program.save(str(path))
    return path


def _bootstrap(
    settings: Settings,
    lm: Any,
    student: dspy.Module,
    trainset: list[dspy.Example],
    report: Progress,
) -> dspy.Module:
    from promptimp.lm import build_adapter

    done = 0

    def metric(example: Any, prediction: Any, trace: Any = None) -> bool:
        nonlocal done
        done += 1
        report(min(done, len(trainset)), len(trainset))
        return structural_metric(example, prediction, trace)

    optimizer = dspy.BootstrapFewShot(
        metric=metric,
        max_bootstrapped_demos=settings.DSPY_MAX_BOOTSTRAPPED_DEMOS,
        max_labeled_demos=settings.DSPY_MAX_LABELED_DEMOS,
    )
    try:
        with dspy.context(lm=lm, adapter=build_adapter(settings)):
            return optimizer.compile(student, trainset=trainset)
    except Exception as error:
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise ModelError(f"Bootstrapping few-shot demos failed: {reason[:300]}") from error


def load_compiled_demos(path: str | Path) -> list[dspy.Example]:
    """The demos of a program saved by `compile_fewshot`, inputs marked."""
    path = Path(path)
    program = FewShotImprover(ImprovePrompt)
    try:
        program.load(str(path))
    except FileNotFoundError:
        raise FewShotError(f"Compiled few-shot program not found: {path}.") from None
    except Exception as error:
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise FewShotError(f"Cannot load compiled few-shot program {path}: {reason}") from None
    demos = [dspy.Example(**dict(demo)).with_inputs(*INPUT_KEYS) for demo in program.predict.demos]
    if not demos:
        raise FewShotError(f"Compiled few-shot program {path} holds no demos; compile it again.")
    return demos
