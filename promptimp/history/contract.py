"""HistoryStore: every history operation the product uses, as one typed contract.

HistoryReader is its read-only half: what the service hands to pages, CLI, API and
evaluation (`service.history`), so every write goes through the service and its breaker.

Two implementations hold to it (and to one test suite, tests/test_store.py, run on both):
promptimp.history.sqlite.SQLiteStore, the embedded default, and
promptimp.history.postgres.PostgresStore, for a team sharing one server. Only the service
holds a store; pages, CLI, API and evaluation reach history through it.

Failures are typed: RepositoryConnectionError (cannot open or reach the database, named in
the message, never with a password) and RepositoryConstraintError (a row broke the schema).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Protocol, TextIO

from promptimp.history.filters import RunFilter
from promptimp.history.records import (
    ComparisonRecord,
    DailyFigures,
    EvalReport,
    ExampleResult,
    HistogramBin,
    ModelFigures,
    Statistics,
    Trial,
    WinRates,
)
from promptimp.models import PromptRun


class HistoryReader(Protocol):
    """Saved runs and their versions, tags and trials; aggregates; exports; comparisons and
    evaluation runs, for reading."""

    location: str
    """Where the history lives, for messages: a file path or postgresql://user@host:port/db."""

    def get(self, run_id: int) -> PromptRun | None: ...

    def query(
        self,
        filters: RunFilter = ...,
        sort: str = "timestamp desc",
        limit: int | None = 50,
        offset: int = 0,
    ) -> list[PromptRun]:
        """One page of matching runs; sort is '<column> asc|desc' (SORT_COLUMNS), ties by id."""

    def count(self, filters: RunFilter = ...) -> int: ...

    def search(self, text: str, limit: int = 50) -> list[PromptRun]:
        """query(RunFilter(text=text), limit=limit): every word must occur, newest first."""

    def recent(
        self, limit: int = 50, offset: int = 0, backend: str | None = None
    ) -> list[PromptRun]: ...

    def between(self, start: datetime, end: datetime) -> list[PromptRun]: ...

    def total_count(self) -> int: ...

    def model_versions(self) -> list[str]: ...

    def authors(self) -> list[str]:
        """Distinct known authors, sorted."""

    def versions(self, run_id: int) -> list[PromptRun]:
        """Every version in the chain holding run_id, oldest first; [] for an unknown id."""

    def all_tags(self) -> list[str]:
        """Distinct tags in use, sorted."""

    def trials(self, run_id: int) -> list[Trial]:
        """A run's trials, newest first."""

    def statistics(self) -> Statistics: ...

    def daily_summary(self, since: date | None = None) -> list[DailyFigures]: ...

    def model_summary(self) -> list[ModelFigures]: ...

    def histogram(self, column: str, bins: int = 20) -> list[HistogramBin]: ...

    def share_at_least(self, confidence: float) -> float | None: ...

    def export_csv(self, target: str | Path | TextIO, filters: RunFilter | None = None) -> int: ...

    def export_json(self, target: str | Path | TextIO, filters: RunFilter | None = None) -> int: ...

    def recent_comparisons(self, limit: int = 20) -> list[ComparisonRecord]: ...

    def comparison_win_rates(self) -> WinRates: ...

    def eval_runs(self, limit: int = 50) -> list[EvalReport]:
        """Newest first, without their examples."""

    def get_eval_run(self, run_id: int) -> EvalReport | None:
        """One evaluation run with its examples, or None."""

    def eval_results(self, run_id: int) -> list[ExampleResult]: ...

    def runs_after(self, after_id: int, limit: int) -> list[PromptRun]:
        """Up to `limit` runs with id > after_id, by id."""

    def trials_after(self, after_id: int, limit: int) -> list[Trial]:
        """Up to `limit` trials (of any run) with id > after_id, by id."""

    def trial_count(self) -> int:
        """How many trials are stored."""


class HistoryStore(HistoryReader, Protocol):
    """The reads plus every write; only the service holds one."""

    def check(self) -> None:
        """Open (or connect), migrate and read; RepositoryConnectionError saying why not."""

    def close(self) -> None:
        """Release connections; the next operation opens them again."""

    def save(self, run: PromptRun) -> PromptRun:
        """Store `run` (with its parent_id, feedback and keeper, not its tags) in one committed
        transaction; returns it with its new id and no tags. A parent_id naming no stored run
        is a RepositoryConstraintError; a keeper unmarks its chain's other versions."""

    def delete(self, run_id: int) -> bool:
        """Delete a run with its tags and trials; its later versions move up to its parent
        (a first version's children each start a chain). Whether there was one."""

    def delete_old(self, days: int) -> int:
        """Delete runs older than `days` days (as delete does); how many."""

    def set_keeper(self, run_id: int) -> bool:
        """Mark this version as its chain's keeper (unmarking the others); False if unknown."""

    def add_tag(self, run_id: int, tag: str) -> bool:
        """Tag a run with a normalised tag (promptimp.crafting.tags); tagging twice is no
        change; False when the run is unknown."""

    def remove_tag(self, run_id: int, tag: str) -> bool:
        """Whether the run had the tag."""

    def save_trial(self, trial: Trial) -> Trial:
        """Store a trial of an existing run; returns it with its id."""

    def save_comparison(
        self, zero_shot_run_id: int, few_shot_run_id: int, verdict: str, idea: str
    ) -> int: ...

    def save_eval_run(self, report: EvalReport) -> int: ...

    def import_runs(self, runs: Iterable[PromptRun]) -> int:
        """Store runs with their own ids and tags, skipping ids already present (their tags
        are still added); how many were new. Parents must come first (in id order)."""

    def import_comparisons(self, comparisons: Iterable[ComparisonRecord]) -> int: ...

    def import_trials(self, trials: Iterable[Trial]) -> int:
        """Store trials with their own ids, skipping ids already present; how many were new."""

    def import_eval_run(self, report: EvalReport) -> bool:
        """Store a report (with its examples) under its own id unless present; whether new."""
