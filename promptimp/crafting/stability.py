"""Stability: how much N improvements of one idea agree (the repeating is the service's job)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from statistics import median

from pydantic import BaseModel, ConfigDict

from promptimp.models import InputError, PromptRun
from promptimp.quality import check_run

MAX_REPEATS = 10
_SPACES = re.compile(r"\s+")


class Spread(BaseModel):
    """The smallest, median and largest of some known values."""

    model_config = ConfigDict(frozen=True)

    minimum: float
    median: float
    maximum: float


class Variety(BaseModel):
    """How one part varies: its distinct values and the share of runs not on the usual one."""

    model_config = ConfigDict(frozen=True)

    distinct: int
    most_common: str
    changed_share: float


class Stability(BaseModel):
    """The spread of N runs of one idea."""

    model_config = ConfigDict(frozen=True)

    runs: int
    confidence: Spread | None
    """None when no run has a confidence."""
    latency_ms: Spread | None
    role: Variety
    framework: Variety
    guardrails: dict[str, int]
    """Each guardrail (normalised text) and how many runs contain it, most frequent first."""
    acceptable_share: float
    """The share of runs whose prompt passes every quality check."""


def validate_repeats(n: int) -> int:
    """`n` when it is a repeat count in 1..MAX_REPEATS, else InputError."""
    if not 1 <= n <= MAX_REPEATS:
        raise InputError(f"Repeat an idea 1 to {MAX_REPEATS} times, not {n:,}.")
    return n


def normalise_text(text: str) -> str:
    """Text compared regardless of case, spacing and a closing full stop."""
    return _SPACES.sub(" ", text).strip().rstrip(".").strip().casefold()


def summarise(runs: Sequence[PromptRun]) -> Stability:
    """The stability of `runs`, all of one idea (1..MAX_REPEATS of them, else InputError)."""
    validate_repeats(len(runs))
    if len({(run.original_idea, run.context) for run in runs}) > 1:
        raise InputError("Stability compares runs of one idea and context; these differ.")
    guardrails: Counter[str] = Counter()
    for run in runs:
        guardrails.update({normalise_text(rule) for rule in run.guardrails if rule.strip()})
    acceptable = sum(check_run(run).acceptable for run in runs)
    return Stability(
        runs=len(runs),
        confidence=_spread(run.confidence for run in runs),
        latency_ms=_spread(run.latency_ms for run in runs),
        role=_variety([run.role for run in runs]),
        framework=_variety([run.framework for run in runs]),
        guardrails=dict(guardrails.most_common()),
        acceptable_share=acceptable / len(runs),
    )


def _spread(values: Iterable[float | None]) -> Spread | None:
    known = [value for value in values if value is not None]
    if not known:
        return None
    return Spread(minimum=min(known), median=median(known), maximum=max(known))


def _variety(values: list[str]) -> Variety:
    counts = Counter(normalise_text(value) for value in values)
    most_common, count = counts.most_common(1)[0]
    return Variety(
        distinct=len(counts), most_common=most_common, changed_share=1 - count / len(values)
    )
