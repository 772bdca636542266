"""How well the quality verdict agrees with people: labeled outputs in data/judgments.jsonl.

Each line is one output with a person's label: idea, context, role, directive, framework,
guardrails, improved_prompt, source (how it was made), acceptable (the label), reason (one
line), split (tune or holdout). The checks are tuned on `tune` only; `holdout` shows whether
they generalise. `gold_acceptance` checks the other side: how many hand-written prompts of a
trainset or devset (acceptable by the labeling standard) the verdict accepts. Free of DSPy, so
`promptimp eval agreement` starts fast.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError, computed_field

from promptimp.models import InputError, WrittenPrompt
from promptimp.quality import Demo, QualityReport, check_prompt

BUNDLED_JUDGMENTS = Path(__file__).resolve().parents[1] / "data" / "judgments.jsonl"
BUNDLED_GOLD = tuple(
    BUNDLED_JUDGMENTS.with_name(name) for name in ("trainset.jsonl", "devset.jsonl")
)
"""Hand-written prompts shipped with the workbench: the verdict should accept every one."""
SPLITS = ("tune", "holdout")
MODEL_SOURCE = "local-"
"""The source prefix of outputs the embedded model wrote (the rest are hand-written)."""


def measure_all(judgments: Sequence[Judgment], demos: Sequence[Demo] = ()) -> list[Agreement]:
    """Agreement per split, over all rows, and over the embedded model's outputs alone."""
    model = measure(judgments, "all", demos, source_prefix=MODEL_SOURCE)
    return [
        *(measure(judgments, split, demos) for split in (*SPLITS, "all")),
        model.model_copy(update={"split": "model"}),
    ]


Row = TypeVar("Row", bound=WrittenPrompt)


class Judgment(WrittenPrompt):
    """One labeled output."""

    source: str
    acceptable: bool
    reason: str
    split: str = "tune"
    confidence: float | None = None
    """The confidence shown with a model's output (None for hand-written rows)."""


class Disagreement(BaseModel):
    """An output where the verdict and the label differ."""

    model_config = ConfigDict(frozen=True)

    idea: str
    source: str
    split: str
    label: bool
    verdict: bool
    score: float
    label_reason: str
    checks_failed: tuple[str, ...]


class Agreement(BaseModel):
    """Verdict against labels over one split (or all rows)."""

    model_config = ConfigDict(frozen=True)

    split: str
    count: int
    agreement: float
    junk_mean_score: float | None
    acceptable_mean_score: float | None
    both_acceptable: int
    both_junk: int
    passed_junk: int
    """Labeled junk that the verdict calls acceptable (the costly mistake)."""
    rejected_good: int
    """Labeled acceptable that the verdict rejects."""
    confidence_auc: float | None
    """How well the confidence (the quality score) ranks acceptable above junk."""
    shown_confidence_auc: float | None = None
    """The same for the confidence shown with the model outputs among the rows (None when
    no row carries one)."""
    disagreements: tuple[Disagreement, ...]


class GoldAcceptance(BaseModel):
    """How many hand-written prompts of one dataset the verdict accepts (all should pass)."""

    model_config = ConfigDict(frozen=True)

    dataset: str
    accepted: int
    total: int
    failing_checks: dict[str, int]
    """Check name -> how many rows fail it, most frequent first."""
    rejected: tuple[str, ...]
    """The ideas of the rejected rows."""

    @computed_field
    @property
    def share(self) -> float:
        return self.accepted / self.total if self.total else 0.0


def load_judgments(path: str | Path = BUNDLED_JUDGMENTS) -> list[Judgment]:
    """The labeled outputs in `path`; InputError names the line that is wrong."""
    return _load_rows(path, Judgment, "judgments")


def load_gold(path: str | Path) -> list[WrittenPrompt]:
    """The hand-written prompts of a trainset or devset JSONL; InputError names a bad line."""
    return _load_rows(path, WrittenPrompt, "gold prompts")


def _load_rows(path: str | Path, model: type[Row], what: str) -> list[Row]:
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise InputError(f"Cannot read {what} {path}: {error.strerror or error}.") from None
    rows = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            rows.append(model.model_validate(json.loads(line)))
        except (json.JSONDecodeError, ValidationError) as error:
            first = str(error).splitlines()[0]
            raise InputError(f"{path}, line {number}: not one of the {what} ({first}).") from None
    if not rows:
        raise InputError(f"{path}: no {what}.")
    return rows


def example_guardrails(path: str | Path) -> list[Demo]:
    """(idea, guardrail) of every few-shot example in a trainset JSONL (what a demo can give)."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    demos: list[Demo] = []
    for line in lines:
        if line.strip():
            row = json.loads(line)
            demos.extend((row.get("idea", ""), rule) for rule in row.get("guardrails") or [])
    return demos


def judge(judgment: WrittenPrompt, demos: Sequence[Demo] = ()) -> QualityReport:
    """The quality checks of one labeled output or gold prompt, with the confidence the
    embedded model showed for its own outputs."""
    model_output = isinstance(judgment, Judgment) and judgment.source.startswith(MODEL_SOURCE)
    return check_prompt(
        judgment.idea,
        judgment.context,
        judgment.role,
        judgment.directive,
        judgment.framework,
        judgment.guardrails,
        judgment.improved_prompt,
        demos=demos,
        confidence=judgment.confidence if model_output else None,
    )


def auc(positives: Sequence[float], negatives: Sequence[float]) -> float | None:
    """The chance a random positive scores above a random negative (ties count half)."""
    if not positives or not negatives:
        return None
    wins = sum(
        1.0 if pos > neg else 0.5 if pos == neg else 0.0 for pos in positives for neg in negatives
    )
    return wins / (len(positives) * len(negatives))


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def measure(
    judgments: Iterable[Judgment],
    split: str = "all",
    demos: Sequence[Demo] = (),
    source_prefix: str = "",
) -> Agreement:
    """Agreement of the verdict with the labels over `split` ('tune', 'holdout' or 'all'),
    of the rows whose source starts with `source_prefix` (all rows when empty)."""
    chosen = [
        j
        for j in judgments
        if (split == "all" or j.split == split) and j.source.startswith(source_prefix)
    ]
    shown = [j for j in chosen if j.confidence is not None]
    reports = [judge(j, demos) for j in chosen]
    good = [r.score for j, r in zip(chosen, reports, strict=True) if j.acceptable]
    junk = [r.score for j, r in zip(chosen, reports, strict=True) if not j.acceptable]
    pairs = list(zip(chosen, reports, strict=True))
    return Agreement(
        split=split,
        count=len(chosen),
        agreement=sum(j.acceptable == r.acceptable for j, r in pairs) / len(pairs) if pairs else 0,
        junk_mean_score=_mean(junk),
        acceptable_mean_score=_mean(good),
        both_acceptable=sum(j.acceptable and r.acceptable for j, r in pairs),
        both_junk=sum(not j.acceptable and not r.acceptable for j, r in pairs),
        passed_junk=sum(not j.acceptable and r.acceptable for j, r in pairs),
        rejected_good=sum(j.acceptable and not r.acceptable for j, r in pairs),
        confidence_auc=auc(good, junk),
        shown_confidence_auc=auc(
            [j.confidence for j in shown if j.acceptable],
            [j.confidence for j in shown if not j.acceptable],
        ),
        disagreements=tuple(
            Disagreement(
                idea=j.idea,
                source=j.source,
                split=j.split,
                label=j.acceptable,
                verdict=r.acceptable,
                score=r.score,
                label_reason=j.reason,
                checks_failed=tuple(check.reason for check in r.failures),
            )
            for j, r in pairs
            if j.acceptable != r.acceptable
        ),
    )


def gold_acceptance(path: str | Path) -> GoldAcceptance:
    """The verdict on every hand-written prompt in `path` (checked without demos: they are
    the examples themselves, not copies of them)."""
    rows = load_gold(path)
    rejected = [(row, report) for row in rows if not (report := judge(row)).acceptable]
    failing = Counter(check.name for _, report in rejected for check in report.failures)
    return GoldAcceptance(
        dataset=Path(path).name,
        accepted=len(rows) - len(rejected),
        total=len(rows),
        failing_checks=dict(failing.most_common()),
        rejected=tuple(row.idea for row, _ in rejected),
    )
