"""Evaluation reports: loading and comparing them (EvalReport lives in promptimp; the
service stores them).

Free of DSPy, so listing, showing and comparing stored evaluation runs starts fast.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pydantic import BaseModel, ConfigDict

from promptimp.history import HistoryReader
from promptimp.history.records import EvalReport, ExampleResult
from promptimp.models import InputError

TIE_TOLERANCE = 1e-9


class ExampleDiff(BaseModel):
    """One example scored by both compared runs (`delta` = second - first)."""

    model_config = ConfigDict(frozen=True)

    example_index: int
    original_idea: str
    first_score: float
    second_score: float
    delta: float
    first_prompt: str
    second_prompt: str


class Comparison(BaseModel):
    """Run `second` against run `first`: deltas are second - first."""

    model_config = ConfigDict(frozen=True)

    first_id: int | None
    second_id: int | None
    score_delta: float
    part_deltas: dict[str, float]
    first_wins: int
    second_wins: int
    ties: int
    examples: tuple[ExampleDiff, ...]
    """Examples scored by both runs, largest absolute difference first."""


# -- summaries -------------------------------------------------------------------------------


def mean(values: Sequence[float]) -> float:
    """The arithmetic mean; 0 for no values."""
    return sum(values) / len(values) if values else 0.0


def average_parts(results: Iterable[ExampleResult]) -> dict[str, float]:
    """Each part's mean over the examples it applied to."""
    collected: dict[str, list[float]] = {}
    for result in results:
        for name, value in result.parts.items():
            collected.setdefault(name, []).append(value)
    return {name: mean(values) for name, values in collected.items()}


# -- storing and loading ---------------------------------------------------------------------


def list_reports(store: HistoryReader, limit: int = 50) -> list[EvalReport]:
    """Stored evaluation runs, newest first, without their examples."""
    return store.eval_runs(limit=limit)


def load_report(store: HistoryReader, run_id: int) -> EvalReport:
    """A stored evaluation run with its examples; InputError when there is none."""
    report = store.get_eval_run(run_id)
    if report is None:
        raise InputError(f"No evaluation run with id {run_id}.")
    return report


# -- comparing -------------------------------------------------------------------------------


def compare_reports(first: EvalReport, second: EvalReport) -> Comparison:
    """Per-part deltas and per-example wins/losses/ties, examples matched by index."""
    theirs = {result.example_index: result for result in second.results}
    diffs = [
        _diff(mine, theirs[mine.example_index])
        for mine in first.results
        if mine.example_index in theirs
    ]
    return Comparison(
        first_id=first.id,
        second_id=second.id,
        score_delta=second.score - first.score,
        part_deltas={
            name: second.parts[name] - first.parts[name]
            for name in first.parts
            if name in second.parts
        },
        first_wins=sum(d.delta < -TIE_TOLERANCE for d in diffs),
        second_wins=sum(d.delta > TIE_TOLERANCE for d in diffs),
        ties=sum(abs(d.delta) <= TIE_TOLERANCE for d in diffs),
        examples=tuple(sorted(diffs, key=lambda d: (-abs(d.delta), d.example_index))),
    )


def _diff(first: ExampleResult, second: ExampleResult) -> ExampleDiff:
    return ExampleDiff(
        example_index=first.example_index,
        original_idea=first.original_idea or second.original_idea,
        first_score=first.score,
        second_score=second.score,
        delta=second.score - first.score,
        first_prompt=first.improved_prompt or first.error,
        second_prompt=second.improved_prompt or second.error,
    )


def compare_runs(store: HistoryReader, first_id: int, second_id: int) -> Comparison:
    """Compare two stored evaluation runs."""
    return compare_reports(load_report(store, first_id), load_report(store, second_id))
