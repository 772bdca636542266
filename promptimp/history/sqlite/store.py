"""SQLiteStore: the run history in one SQLite file (sqlite-utils), the embedded default.

The SQL, pragmas and FTS5 syntax live here and in migrations.py; everything a backend
shares (exports, histograms, win rates, convenience reads) comes from StoreBase.
Timestamps are stored as UTC text 'YYYY-MM-DD HH:MM:SS.ffffff' (sortable, comparable with
CURRENT_TIMESTAMP); guardrails and evaluation parts as JSON text.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from promptimp.history.base import StoreBase
from promptimp.history.chain import chain_cte, keeper_update
from promptimp.history.filters import (
    STORED_COLUMNS,
    RunFilter,
    check_page,
    is_row_id,
    parse_sort,
)
from promptimp.history.records import (
    BackendFigures,
    ComparisonRecord,
    DailyFigures,
    EvalReport,
    ExampleResult,
    ModelFigures,
    Statistics,
    Trial,
)
from promptimp.history.rows import (
    SAME_RUN_COLUMNS,
    TRIAL_COLUMNS,
    decode_parts,
    json_array_text,
    other_runs_error,
    timestamp_text,
    to_run,
    to_trial,
    trial_row,
    unknown_run_error,
)
from promptimp.history.sqlite.connection import SQLiteConnection
from promptimp.history.sqlite.migrations import (
    COMPARISONS,
    EVAL_RESULTS,
    EVAL_RUNS,
    PROMPT_HISTORY,
    RUN_TAGS,
    TRIALS,
)
from promptimp.history.sqlite.sqlite_lib import Database
from promptimp.models import MAX_ROW_ID, PromptRun, check_days

_FTS_TABLE = f"{PROMPT_HISTORY}_fts"
_SELECT_RUN = (
    f"{', '.join(STORED_COLUMNS)}, (SELECT json_group_array(tag) FROM {RUN_TAGS}"
    f" WHERE run_id = {PROMPT_HISTORY}.id) AS tags"
)
"""A run's columns and its tags (a JSON array), aggregated in the same query."""
_INSERT_TAG = f"INSERT INTO {RUN_TAGS} (run_id, tag) VALUES (?, ?) ON CONFLICT DO NOTHING"
"""Tagging twice is no change; unlike INSERT OR IGNORE, a tag breaking a CHECK is an error."""
_SELECT_TRIAL = f"SELECT {', '.join(TRIAL_COLUMNS)} FROM {TRIALS}"
_KEEPER = keeper_update(":run_id")
_AVERAGES = (
    "COUNT(*) AS runs, AVG(confidence) AS average_confidence, AVG(latency_ms) AS average_latency_ms"
)


class SQLiteStore(SQLiteConnection, StoreBase):
    """Saved runs, aggregates, comparisons and evaluation runs in the SQLite file at `path`."""

    # -- runs ------------------------------------------------------------------------

    def save(self, run: PromptRun) -> PromptRun:
        """Store `run` in one committed transaction; returns it with its id.

        Tags are not stored (add_tag does that), so the run comes back without any; a
        keeper unmarks the other versions of its chain in the same transaction.
        """
        row = _to_row(run)

        def insert(db: Database) -> int:
            table = db.table(PROMPT_HISTORY)
            table.insert(row)
            if run.keeper:
                db.execute(_KEEPER, {"run_id": table.last_rowid})
            return table.last_rowid

        return run.model_copy(update={"id": self._write(insert), "tags": ()})

    def delete(self, run_id: int) -> bool:
        """Delete one run; False when there was none with that id."""
        if not is_row_id(run_id):
            return False
        return self._write(
            lambda db: (
                db.execute(f"DELETE FROM {PROMPT_HISTORY} WHERE id = ?", [run_id]).rowcount > 0
            )
        )

    def delete_old(self, days: int) -> int:
        """Delete runs older than `days` days (1..MAX_RETENTION_DAYS); returns how many."""
        cutoff = timestamp_text(datetime.now(UTC) - timedelta(days=check_days(days)))
        return self._write(
            lambda db: (
                db.execute(f"DELETE FROM {PROMPT_HISTORY} WHERE timestamp < ?", [cutoff]).rowcount
            )
        )

    def get(self, run_id: int) -> PromptRun | None:
        """The run with this id, or None."""
        if not is_row_id(run_id):
            return None
        with self._database() as db:
            rows = list(db.table(PROMPT_HISTORY).rows_where("id = ?", [run_id], select=_SELECT_RUN))
        return to_run(rows[0]) if rows else None

    def query(
        self,
        filters: RunFilter = RunFilter(),  # noqa: B008 - frozen, so sharing it is safe
        sort: str = "timestamp desc",
        limit: int | None = 50,
        offset: int = 0,
    ) -> list[PromptRun]:
        """One page of runs matching `filters`.

        `sort` is '<column> asc|desc' with column one of SORT_COLUMNS; ties in confidence
        or latency are ordered by id the same way. `limit=None` returns every match.
        """
        column, order_by = _order_by(sort)
        if not check_page(limit, offset):
            return []
        with self._database() as db:
            if filters.text.strip() and order_by == "timestamp desc":
                sql, params = _newest_matches(db, filters, limit, offset)
                return [to_run(row) for row in db.query(sql, params)]
            where, params = _where(db, filters, sort_column=column)
            rows = db.table(PROMPT_HISTORY).rows_where(
                where, params, order_by=order_by, limit=limit, offset=offset, select=_SELECT_RUN
            )
            return [to_run(row) for row in rows]

    def count(self, filters: RunFilter = RunFilter()) -> int:  # noqa: B008 - frozen
        """How many runs match `filters`."""
        with self._database() as db:
            if filters.text.strip() and filters == RunFilter(text=filters.text):
                return db.table(_FTS_TABLE).count_where(
                    f"{_FTS_TABLE} MATCH ?", [_fts_query(db, filters.text) or '""']
                )  # the index alone answers a text-only count
            where, params = _where(db, filters)
            return db.table(PROMPT_HISTORY).count_where(where, params)

    def model_versions(self) -> list[str]:
        """Distinct non-empty model versions, sorted."""
        with self._database() as db:
            rows = db.execute(
                f"SELECT DISTINCT model_version FROM {PROMPT_HISTORY}"
                " WHERE model_version IS NOT NULL AND model_version != ''"
                " ORDER BY model_version"
            )
            return [version for (version,) in rows]

    def authors(self) -> list[str]:
        """Distinct known authors, sorted."""
        with self._database() as db:
            rows = db.execute(
                f"SELECT DISTINCT author FROM {PROMPT_HISTORY} WHERE author IS NOT NULL"
                " ORDER BY author"
            )
            return [author for (author,) in rows]

    # -- versions, tags and trials ---------------------------------------------------

    def versions(self, run_id: int) -> list[PromptRun]:
        """Every version in the chain holding run_id, oldest (first saved) first."""
        if not is_row_id(run_id):
            return []
        with self._database() as db:
            rows = db.query(
                f"{chain_cte('?')} SELECT {_SELECT_RUN} FROM {PROMPT_HISTORY}"
                " WHERE id IN (SELECT id FROM chain) ORDER BY id",
                [run_id],
            )
            return [to_run(row) for row in rows]

    def set_keeper(self, run_id: int) -> bool:
        """Mark this version as its chain's only keeper, in one transaction; False if unknown."""
        if not is_row_id(run_id):
            return False

        def mark(db: Database) -> bool:
            if not _run_exists(db, run_id):
                return False
            db.execute(_KEEPER, {"run_id": run_id})
            return True

        return self._write(mark)

    def add_tag(self, run_id: int, tag: str) -> bool:
        """Tag a run (tagging twice is no change); False when the run is unknown."""
        if not is_row_id(run_id):
            return False

        def tag_run(db: Database) -> bool:
            if not _run_exists(db, run_id):
                return False
            db.execute(_INSERT_TAG, [run_id, tag])
            return True

        return self._write(tag_run)

    def remove_tag(self, run_id: int, tag: str) -> bool:
        """Whether the run had the tag (it has not any more)."""
        if not is_row_id(run_id):
            return False
        return self._write(
            lambda db: (
                db.execute(
                    f"DELETE FROM {RUN_TAGS} WHERE run_id = ? AND tag = ?", [run_id, tag]
                ).rowcount
                > 0
            )
        )

    def all_tags(self) -> list[str]:
        """Distinct tags in use, sorted (by code point)."""
        with self._database() as db:
            rows = db.execute(f"SELECT DISTINCT tag FROM {RUN_TAGS} ORDER BY tag")
            return [tag for (tag,) in rows]

    def save_trial(self, trial: Trial) -> Trial:
        """Store a trial of a stored run; RepositoryConstraintError when there is no such run."""
        row = _to_trial_row(trial)

        def insert(db: Database) -> int:
            if not (is_row_id(trial.run_id) and _run_exists(db, trial.run_id)):
                raise unknown_run_error(self.location, trial.run_id, "a trial of it")
            table = db.table(TRIALS)
            table.insert(row)
            return table.last_rowid

        return trial.model_copy(update={"id": self._write(insert)})

    def trials(self, run_id: int) -> list[Trial]:
        """A run's trials, newest first."""
        if not is_row_id(run_id):
            return []
        with self._database() as db:
            rows = db.query(
                f"{_SELECT_TRIAL} WHERE run_id = ? ORDER BY timestamp DESC, id DESC", [run_id]
            )
            return [to_trial(row, _utc(row["timestamp"])) for row in rows]

    # -- aggregates ------------------------------------------------------------------

    def statistics(self) -> Statistics:
        """Totals, averages and nearest-rank latency percentiles, overall and per backend.

        One scan of the backend index gives each backend's counts and sums, which add up to
        the overall figures; each percentile is one read at its offset in the latency index.
        """
        with self._database() as db:
            groups = list(
                db.query(
                    f"SELECT backend, COUNT(*) AS runs,"
                    f" SUM(confidence) AS confidence_sum, COUNT(confidence) AS confidences,"
                    f" SUM(latency_ms) AS latency_sum, COUNT(latency_ms) AS latencies"
                    f" FROM {PROMPT_HISTORY} GROUP BY backend ORDER BY backend"
                )
            )
            latencies = sum(group["latencies"] for group in groups)
            p50, p95 = (_latency_percentile(db, percent, latencies) for percent in (50, 95))
        return Statistics(
            total_count=sum(group["runs"] for group in groups),
            average_confidence=_mean(groups, "confidence_sum", "confidences"),
            average_latency_ms=_mean(groups, "latency_sum", "latencies"),
            p50_latency_ms=p50,
            p95_latency_ms=p95,
            by_backend={
                group["backend"]: BackendFigures(
                    count=group["runs"],
                    average_confidence=_mean([group], "confidence_sum", "confidences"),
                    average_latency_ms=_mean([group], "latency_sum", "latencies"),
                )
                for group in groups
            },
        )

    def daily_summary(self, since: date | None = None) -> list[DailyFigures]:
        """Per UTC day (from `since` on) and backend: runs and averages; oldest day first."""
        day = "substr(timestamp, 1, 10)"  # the expression of the day index
        where, params = (f"WHERE {day} >= ?", [since.isoformat()]) if since else ("", [])
        with self._database() as db:
            rows = db.query(
                f"SELECT {day} AS day, backend, {_AVERAGES} FROM {PROMPT_HISTORY} {where}"
                " GROUP BY day, backend ORDER BY day, backend",
                params,
            )
            return [DailyFigures.model_validate(row) for row in rows]

    def model_summary(self) -> list[ModelFigures]:
        """Per model_version ('' when unknown): runs and averages, most runs first."""
        with self._database() as db:
            rows = db.query(
                f"SELECT model_version, {_AVERAGES} FROM {PROMPT_HISTORY}"
                " GROUP BY model_version ORDER BY runs DESC, model_version"
            )
            return [ModelFigures.model_validate(row) for row in rows]

    def share_at_least(self, confidence: float) -> float | None:
        """Share of runs with a known confidence that reach `confidence`; None when none."""
        with self._database() as db:
            (share,) = db.execute(
                f"SELECT AVG(confidence >= ?) FROM {PROMPT_HISTORY} WHERE confidence IS NOT NULL",
                [confidence],
            ).fetchone()
            return share

    def _value_range(self, column: str) -> tuple[float | None, float | None, int]:
        with self._database() as db:
            return db.execute(
                f"SELECT MIN({column}), MAX({column}), COUNT({column}) FROM {PROMPT_HISTORY}"
            ).fetchone()

    def _bin_counts(self, column: str, low: float, span: float, bins: int) -> dict[int, int]:
        with self._database() as db:
            return dict(
                db.execute(
                    f"SELECT MIN(CAST(({column} - :low) * :bins / :span AS INTEGER), :bins - 1)"
                    f" AS bin, COUNT(*) FROM {PROMPT_HISTORY} WHERE {column} IS NOT NULL"
                    " GROUP BY bin",
                    {"low": low, "span": span, "bins": bins},
                ).fetchall()
            )

    @contextmanager
    def _stored_rows(self, filters: RunFilter) -> Iterator[Iterator[dict[str, Any]]]:
        """Matching rows as stored, by id, fetched lazily while the lock is held."""
        with self._database() as db:
            where, params = _where(db, filters)
            rows = db.table(PROMPT_HISTORY).rows_where(
                where, params, order_by="id", select=_SELECT_RUN
            )
            try:
                yield rows
            finally:
                rows.close()  # an abandoned cursor would pin an old snapshot

    # -- comparisons -----------------------------------------------------------------

    def recent_comparisons(self, limit: int = 20) -> list[ComparisonRecord]:
        """Newest comparisons first, with each run's confidence and latency (None once gone)."""
        with self._database() as db:
            rows = db.query(
                f"SELECT c.id, c.timestamp, c.idea, c.verdict,"
                f" c.zero_shot_run_id, z.confidence AS zero_shot_confidence,"
                f" z.latency_ms AS zero_shot_latency_ms,"
                f" c.few_shot_run_id, f.confidence AS few_shot_confidence,"
                f" f.latency_ms AS few_shot_latency_ms"
                f" FROM {COMPARISONS} c"
                f" LEFT JOIN {PROMPT_HISTORY} z ON z.id = c.zero_shot_run_id"
                f" LEFT JOIN {PROMPT_HISTORY} f ON f.id = c.few_shot_run_id"
                " ORDER BY c.id DESC LIMIT ?",
                [limit],
            )
            return [
                ComparisonRecord.model_validate({**row, "timestamp": _utc(row["timestamp"])})
                for row in rows
            ]

    def _verdict_counts(self) -> dict[str, int]:
        with self._database() as db:
            return dict(db.execute(f"SELECT verdict, COUNT(*) FROM {COMPARISONS} GROUP BY 1"))

    def _insert_comparison(self, row: dict[str, Any]) -> int:
        stored = {**row, "timestamp": timestamp_text(row["timestamp"])}

        def insert(db: Database) -> int:
            table = db.table(COMPARISONS)
            table.insert(stored)
            return table.last_rowid

        return self._write(insert)

    # -- evaluation runs -------------------------------------------------------------

    def save_eval_run(self, report: EvalReport) -> int:
        """Store an evaluation run and its examples in one transaction; its id."""
        return self._write(lambda db: _insert_eval_run(db, report))

    def eval_runs(self, limit: int = 50) -> list[EvalReport]:
        """Evaluation runs, newest first, without their examples."""
        with self._database() as db:
            rows = db.table(EVAL_RUNS).rows_where(order_by="id DESC", limit=limit)
            return [_to_report(row) for row in rows]

    def get_eval_run(self, run_id: int) -> EvalReport | None:
        """One evaluation run with its examples, or None."""
        if not is_row_id(run_id):
            return None
        with self._database() as db:
            rows = list(db.table(EVAL_RUNS).rows_where("id = ?", [run_id]))
        if not rows:
            return None
        return _to_report(rows[0]).model_copy(update={"results": tuple(self.eval_results(run_id))})

    def eval_results(self, run_id: int) -> list[ExampleResult]:
        """A run's examples by example_index, each with its prompt run's idea and prompt
        ('' when there is no such prompt run any more)."""
        with self._database() as db:
            rows = db.query(
                f"SELECT r.example_index, r.prompt_run_id, r.score, r.parts_json, r.error,"
                f" COALESCE(p.original_idea, '') AS original_idea,"
                f" COALESCE(p.improved_prompt, '') AS improved_prompt"
                f" FROM {EVAL_RESULTS} r LEFT JOIN {PROMPT_HISTORY} p ON p.id = r.prompt_run_id"
                " WHERE r.eval_run_id = ? ORDER BY r.example_index",
                [run_id],
            )
            return [
                ExampleResult.model_validate({**row, "parts": decode_parts(row["parts_json"])})
                for row in rows
            ]

    # -- moving a whole history ------------------------------------------------------

    def runs_after(self, after_id: int, limit: int) -> list[PromptRun]:
        """Up to `limit` runs with id > after_id, by id."""
        with self._database() as db:
            rows = db.table(PROMPT_HISTORY).rows_where(
                "id > ?", [after_id], order_by="id", limit=limit, select=_SELECT_RUN
            )
            return [to_run(row) for row in rows]

    def trials_after(self, after_id: int, limit: int) -> list[Trial]:
        """Up to `limit` trials with id > after_id, by id."""
        with self._database() as db:
            rows = db.query(f"{_SELECT_TRIAL} WHERE id > ? ORDER BY id LIMIT ?", [after_id, limit])
            return [to_trial(row, _utc(row["timestamp"])) for row in rows]

    def trial_count(self) -> int:
        """How many trials are stored."""
        with self._database() as db:
            return db.table(TRIALS).count

    def import_runs(self, runs: Iterable[PromptRun]) -> int:
        """Store runs under their own ids, skipping ids that already hold the same run; how
        many were new. An id holding a different run refuses the whole batch. Each run's
        tags are added (to a run already there, too); a run already there keeps its keeper."""
        runs = list(runs)
        rows = [_to_row(run) for run in runs]
        tags = [(run.id, tag) for run in runs for tag in run.tags]

        def insert(db: Database) -> int:
            ids = json.dumps([row["id"] for row in rows])
            stored = db.table(PROMPT_HISTORY).rows_where(
                "id IN (SELECT value FROM json_each(?))", [ids], select=", ".join(SAME_RUN_COLUMNS)
            )
            incoming = {row["id"]: row for row in rows}
            other = sorted(
                row["id"]
                for row in stored
                if any(row[column] != incoming[row["id"]][column] for column in row)
            )
            if other:
                raise other_runs_error(self.location, other)
            added = _insert_ignoring_known(db, PROMPT_HISTORY, rows)
            db.conn.executemany(_INSERT_TAG, tags)
            return added

        return self._write(insert)

    def import_comparisons(self, comparisons: Iterable[ComparisonRecord]) -> int:
        """Store comparisons under their own ids, skipping ids already present; how many."""
        rows = [
            {
                **c.model_dump(include={"id", "idea", "verdict"}),
                "timestamp": timestamp_text(c.timestamp),
                "zero_shot_run_id": c.zero_shot_run_id,
                "few_shot_run_id": c.few_shot_run_id,
            }
            for c in comparisons
        ]
        return self._write(lambda db: _insert_ignoring_known(db, COMPARISONS, rows))

    def import_trials(self, trials: Iterable[Trial]) -> int:
        """Store trials under their own ids, skipping ids already present; how many were new.
        Each trial's run must be stored already (RepositoryConstraintError otherwise)."""
        rows = [_to_trial_row(trial) for trial in trials]
        return self._write(lambda db: _insert_ignoring_known(db, TRIALS, rows))

    def import_eval_run(self, report: EvalReport) -> bool:
        """Store a report (with its examples) under its own id unless present; whether new."""

        def insert(db: Database) -> bool:
            if db.execute(f"SELECT 1 FROM {EVAL_RUNS} WHERE id = ?", [report.id]).fetchone():
                return False
            _insert_eval_run(db, report)
            return True

        return self._write(insert)


def _to_row(run: PromptRun) -> dict[str, Any]:
    row = {column: getattr(run, column) for column in STORED_COLUMNS}
    row["timestamp"] = timestamp_text(run.timestamp)
    row["guardrails"] = json_array_text(run.guardrails)
    if row["id"] is None:
        del row["id"]
    return row


def _to_trial_row(trial: Trial) -> dict[str, Any]:
    row = {**trial_row(trial), "timestamp": timestamp_text(trial.timestamp)}
    if row["id"] is None:
        del row["id"]
    return row


def _run_exists(db: Database, run_id: int) -> bool:
    found = db.execute(f"SELECT 1 FROM {PROMPT_HISTORY} WHERE id = ?", [run_id])
    return found.fetchone() is not None


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _insert_ignoring_known(db: Database, table: str, rows: list[dict[str, Any]]) -> int:
    """INSERT OR IGNORE `rows` (with their ids); how many were new (counted, since the
    change counters include what the FTS triggers write)."""
    before = db.table(table).count
    db.table(table).insert_all(rows, ignore=True, batch_size=500)
    return db.table(table).count - before


def _insert_eval_run(db: Database, report: EvalReport) -> int:
    """Insert `report` (under its id when it has one) and its examples; the run's id."""
    row = {
        "dataset": report.dataset,
        "backend": report.backend,
        "model": report.model,
        "started": timestamp_text(report.started),
        "finished": timestamp_text(report.finished),
        "score": report.score,
        "parts_json": json.dumps(report.parts),
        "example_count": report.example_count,
    }
    if report.id is not None:
        row["id"] = report.id
    table = db.table(EVAL_RUNS)
    table.insert(row)
    run_id = table.last_rowid
    db.table(EVAL_RESULTS).insert_all(
        {
            "eval_run_id": run_id,
            "example_index": result.example_index,
            "prompt_run_id": result.prompt_run_id,
            "score": result.score,
            "parts_json": json.dumps(result.parts),
            "error": result.error,
        }
        for result in report.results
    )
    return run_id


def _where(
    db: Database, filters: RunFilter, *, sort_column: str | None = None
) -> tuple[str | None, list[Any]]:
    """A WHERE fragment (None for everything) and its parameters.

    For a sorted page, a unary + turns filters that are rarely selective into checks, so
    the planner walks the sort's index and stops at LIMIT instead of fetching and sorting
    every match: a confidence range under timestamp order (the timestamp index holds the
    confidence), a backend or model under another order (their indexes follow timestamp).
    The text filter is always a check against the set of FTS matches.
    """
    checks = ("confidence",) if sort_column == "timestamp" else ("backend", "model_version")

    def term(column: str) -> str:
        return f"+{column}" if sort_column and column in checks else column

    clauses: list[str] = []
    params: list[Any] = []
    if filters.text.strip():
        clauses.append(f"+id IN (SELECT rowid FROM {_FTS_TABLE} WHERE {_FTS_TABLE} MATCH ?)")
        params.append(_fts_query(db, filters.text) or '""')  # '""' matches nothing
    for clause, value in (
        (f"{term('backend')} = ?", filters.backend),
        (f"{term('model_version')} = ?", filters.model_version),
        ("author = ?", filters.author),
        ("timestamp >= ?", filters.since and timestamp_text(filters.since)),
        ("timestamp <= ?", filters.until and timestamp_text(filters.until)),
        (f"{term('confidence')} >= ?", filters.min_confidence),
        (f"{term('confidence')} <= ?", filters.max_confidence),
        (f"+id IN (SELECT run_id FROM {RUN_TAGS} WHERE tag = ?)", filters.tag),
    ):
        if value is not None:
            clauses.append(clause)
            params.append(value)
    if filters.keepers_only:
        clauses.append("keeper = 1")
    return (" AND ".join(clauses) or None), params


def _newest_matches(
    db: Database, filters: RunFilter, limit: int | None, offset: int
) -> tuple[str, list[Any]]:
    """SELECT of one page of text matches, newest first and ties by id, driven from FTS.

    Walking the timestamp index would check rows until the page is full (slow for a rare
    word); sorting every match reads them all (slow for a common one). Instead FTS hands
    over the `limit + offset` highest-id matches (`candidates`) and stops. Another match
    can only belong on the page if it is no older than the oldest candidate, and it has a
    lower id than every candidate: the timestamp index finds those `stragglers` (none when
    ids grow with time, as they do unless runs were imported out of order). The page is
    the best of both, so it is exact whatever the order of ids and timestamps. Without a
    limit (-1 to SQLite) every match is a candidate.
    """
    match = _fts_query(db, filters.text) or '""'  # '""' matches nothing
    other, other_params = _where(db, replace(filters, text=""))
    other = f"AND {other}" if other else ""
    sql = f"""
WITH candidates AS (
    SELECT h.id, h.timestamp FROM {_FTS_TABLE} CROSS JOIN {PROMPT_HISTORY} h
    ON h.id = {_FTS_TABLE}.rowid WHERE {_FTS_TABLE} MATCH ? {other}
    ORDER BY {_FTS_TABLE}.rowid DESC LIMIT ?),
bounds AS (
    SELECT MIN(timestamp) AS oldest, MIN(id) AS lowest, COUNT(*) = ? AS more FROM candidates),
stragglers AS (
    SELECT h.id, h.timestamp FROM bounds CROSS JOIN {PROMPT_HISTORY} h
    WHERE bounds.more AND h.timestamp >= bounds.oldest AND +h.id < bounds.lowest {other}
    AND EXISTS (SELECT 1 FROM {_FTS_TABLE} WHERE {_FTS_TABLE} MATCH ? AND rowid = h.id)),
page AS (
    SELECT * FROM candidates UNION ALL SELECT * FROM stragglers
    ORDER BY timestamp DESC, id DESC LIMIT ? OFFSET ?)
SELECT {_SELECT_RUN} FROM {PROMPT_HISTORY} WHERE id IN (SELECT id FROM page)
ORDER BY timestamp DESC, id DESC"""
    limit = -1 if limit is None else limit
    wanted = -1 if limit < 0 else min(limit + offset, MAX_ROW_ID)  # SQLite integers
    params = [match, *other_params, wanted, wanted, *other_params, match, limit, offset]
    return sql, params


def _fts_query(db: Database, text: str) -> str:
    """`text` as an FTS query of quoted words and phrases, '' when it has none.

    Whitespace is collapsed first (quote_fts misreads a phrase spanning a newline) and
    NULs, which end an FTS query early, are dropped.
    """
    return db.quote_fts(" ".join(text.replace("\x00", " ").split()))


def _order_by(sort: str) -> tuple[str, str]:
    """The sort's column and its ORDER BY clause.

    Timestamps are unique in practice, and leaving out the id tie-break lets the timestamp
    index deliver rows in order, so deep pages need no sort.
    """
    column, direction = parse_sort(sort)
    if column == "timestamp":
        return column, f"timestamp {direction}"
    return column, f"{column} {direction}, id {direction}"


def _latency_percentile(db: Database, percent: int, known: int) -> int | None:
    """Nearest-rank percentile of the `known` non-NULL latencies, read at its offset in the
    latency index, counted from whichever end is nearer."""
    if not known:
        return None
    rank = -(-percent * known // 100)  # ceil(percent/100 * known), 1-based
    from_top = known - rank
    direction, offset = ("DESC", from_top) if from_top < rank - 1 else ("ASC", rank - 1)
    (value,) = db.execute(
        f"SELECT latency_ms FROM {PROMPT_HISTORY} WHERE latency_ms IS NOT NULL"
        f" ORDER BY latency_ms {direction} LIMIT 1 OFFSET ?",
        [offset],
    ).fetchone()
    return value


def _mean(groups: list[dict[str, Any]], total: str, count: str) -> float | None:
    """The mean over `groups` of the values they sum in `total` and count in `count`."""
    known = sum(group[count] for group in groups)
    return math.fsum(group[total] or 0 for group in groups) / known if known else None


def _to_report(row: dict[str, Any]) -> EvalReport:
    fields = {key: value for key, value in row.items() if key != "parts_json"}
    return EvalReport.model_validate(
        {
            **fields,
            "parts": decode_parts(row["parts_json"]),
            "started": _utc(row["started"]),
            "finished": _utc(row["finished"]),
        }
    )
