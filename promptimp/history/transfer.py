"""Copy a whole history (runs with their versions and tags, trials, comparisons, evaluation
runs) from one store to another.

Rows keep their ids, so versions, trials, comparisons and evaluation results still point at
their runs (parents come before their children, in id order), and
copying again adds nothing (runs the target already holds unchanged are skipped). Copy into
an empty database: a target holding other runs under the same ids refuses the copy, one
batch at a time, so what was copied before the refusal is only runs it held identically or
that a re-run into an empty database copies again. The counts are checked at the end: the
target must hold what it held before plus what the copy added.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel, ConfigDict

from promptimp.history.contract import HistoryReader, HistoryStore
from promptimp.models import RepositoryError

BATCH_SIZE = 2000


class CopyReport(BaseModel):
    """What a copy found and added, per kind of row, between two locations (no password)."""

    model_config = ConfigDict(frozen=True)

    source: str
    target: str
    runs: int
    runs_added: int
    trials: int
    trials_added: int
    comparisons: int
    comparisons_added: int
    eval_runs: int
    eval_runs_added: int

    def summary(self) -> str:
        return (
            f"{self.runs:,} runs ({self.runs_added:,} new), {self.trials:,} trials"
            f" ({self.trials_added:,} new), {self.comparisons:,} comparisons"
            f" ({self.comparisons_added:,} new), {self.eval_runs:,} evaluation runs"
            f" ({self.eval_runs_added:,} new)"
        )


class CopyMismatchError(RepositoryError):
    """After a copy the target lacks rows the source has."""


def copy_history(
    source: HistoryReader,
    target: HistoryStore,
    *,
    on_runs: Callable[[int, int], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> CopyReport:
    """Copy everything in `source` into `target`; `on_runs(done, total)` after each batch."""
    total = source.total_count()
    before = _counts(target)
    done = added = after = 0
    while runs := source.runs_after(after, batch_size):
        added += target.import_runs(runs)
        after = runs[-1].id or after
        done += len(runs)
        if on_runs:
            on_runs(done, max(total, done))
    trials, trials_added = _copy_trials(source, target, batch_size)
    comparisons = source.recent_comparisons(limit=source.comparison_win_rates().total)
    reports = [source.get_eval_run(report.id or 0) for report in source.eval_runs(limit=2**31)]
    report = CopyReport(
        source=source.location,
        target=target.location,
        runs=done,
        runs_added=added,
        trials=trials,
        trials_added=trials_added,
        comparisons=len(comparisons),
        comparisons_added=target.import_comparisons(comparisons),
        eval_runs=len(reports),
        eval_runs_added=sum(target.import_eval_run(r) for r in reports if r is not None),
    )
    expected = (
        before[0] + report.runs_added,
        before[1] + report.trials_added,
        before[2] + report.comparisons_added,
        before[3] + report.eval_runs_added,
    )
    if _counts(target) != expected:
        raise CopyMismatchError(
            f"Copy to {target.location} does not add up: it holds {_counts(target)} runs,"
            f" trials, comparisons and evaluation runs, expected {expected}; run the copy again"
        )
    return report


def _copy_trials(source: HistoryReader, target: HistoryStore, batch_size: int) -> tuple[int, int]:
    """Copy every trial in batches by id; how many there were and how many were new."""
    done = added = after = 0
    while trials := source.trials_after(after, batch_size):
        added += target.import_trials(trials)
        after = trials[-1].id or after
        done += len(trials)
    return done, added


def _counts(store: HistoryReader) -> tuple[int, int, int, int]:
    """How many runs, trials, comparisons and evaluation runs `store` holds."""
    return (
        store.total_count(),
        store.trial_count(),
        store.comparison_win_rates().total,
        len(store.eval_runs(limit=2**31)),
    )
