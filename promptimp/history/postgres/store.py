"""PostgresStore: the run history on a PostgreSQL server (psycopg 3 with a pool).

The SQL lives here, in queries.py and migrations.py; everything a backend shares (exports,
histograms, win rates, convenience reads) comes from StoreBase. Timestamps are timestamptz
and come back as UTC datetimes; exports write them as the same UTC text as SQLite does.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import psycopg
from psycopg.rows import tuple_row
from psycopg.types.json import Jsonb

from promptimp.history.base import StoreBase
from promptimp.history.chain import chain_cte, keeper_update
from promptimp.history.filters import STORED_COLUMNS, RunFilter, check_page, is_row_id
from promptimp.history.postgres.connection import PostgresConnection
from promptimp.history.postgres.queries import order_by, where
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
    as_utc,
    decode_parts,
    json_array_text,
    other_runs_error,
    timestamp_text,
    to_run,
    to_trial,
    trial_row,
    unknown_run_error,
)
from promptimp.models import PromptRun, check_days

_SELECT_RUN = (
    f"SELECT {', '.join(STORED_COLUMNS)}, ARRAY(SELECT tag FROM run_tags"
    " WHERE run_id = prompt_history.id) AS tags FROM prompt_history"
)
"""A run's columns and its tags, aggregated in the same query."""
_INSERT_RUN = (
    f"INSERT INTO prompt_history ({', '.join(STORED_COLUMNS[1:])})"
    f" VALUES ({', '.join(['%s'] * (len(STORED_COLUMNS) - 1))}) RETURNING id"
)
_SELECT_TRIAL = f"SELECT {', '.join(TRIAL_COLUMNS)} FROM trials"
_INSERT_TRIAL = (
    f"INSERT INTO trials ({', '.join(TRIAL_COLUMNS[1:])})"
    f" VALUES ({', '.join(['%s'] * (len(TRIAL_COLUMNS) - 1))}) RETURNING id"
)
_IMPORT_TRIAL = (
    f"INSERT INTO trials ({', '.join(TRIAL_COLUMNS)})"
    f" VALUES ({', '.join(['%s'] * len(TRIAL_COLUMNS))}) ON CONFLICT (id) DO NOTHING"
)
_LOCK_CHAIN = (
    f"{chain_cte('%(run_id)s')} SELECT id FROM prompt_history"
    " WHERE id IN (SELECT id FROM chain) ORDER BY id FOR UPDATE"
)
_KEEPER = keeper_update("%(run_id)s")
_AVERAGES = (
    "count(*) AS runs, avg(confidence) AS average_confidence,"
    " avg(latency_ms)::float8 AS average_latency_ms"
)
_SELECT_EVAL_RUN = (
    "SELECT id, dataset, backend, model, started, finished, score, parts_json AS parts,"
    " example_count FROM eval_runs"
)


class PostgresStore(PostgresConnection, StoreBase):
    """Saved runs in the PostgreSQL database at `url` (postgresql://user:password@host/db)."""

    # -- runs ------------------------------------------------------------------------

    def save(self, run: PromptRun) -> PromptRun:
        """Store `run` in one committed transaction; returns it with its id.

        Tags are not stored (add_tag does that), so the run comes back without any; a
        keeper unmarks the other versions of its chain in the same transaction.
        """
        with self._connection() as conn:
            (row,) = conn.execute(_INSERT_RUN, _run_values(run)).fetchall()
            if run.keeper:
                _mark_keeper(conn, row["id"])
        return run.model_copy(update={"id": row["id"], "tags": ()})

    def delete(self, run_id: int) -> bool:
        """Delete one run; False when there was none with that id."""
        if not is_row_id(run_id):
            return False
        with self._connection() as conn:
            return conn.execute("DELETE FROM prompt_history WHERE id = %s", [run_id]).rowcount > 0

    def delete_old(self, days: int) -> int:
        """Delete runs older than `days` days (1..MAX_RETENTION_DAYS); returns how many."""
        cutoff = datetime.now(UTC) - timedelta(days=check_days(days))
        with self._connection() as conn:
            deleted = conn.execute("DELETE FROM prompt_history WHERE timestamp < %s", [cutoff])
            return deleted.rowcount

    def get(self, run_id: int) -> PromptRun | None:
        """The run with this id, or None."""
        if not is_row_id(run_id):
            return None
        with self._connection() as conn:
            row = conn.execute(f"{_SELECT_RUN} WHERE id = %s", [run_id]).fetchone()
        return to_run(row) if row else None

    def query(
        self,
        filters: RunFilter = RunFilter(),  # noqa: B008 - frozen, so sharing it is safe
        sort: str = "timestamp desc",
        limit: int | None = 50,
        offset: int = 0,
    ) -> list[PromptRun]:
        """One page of runs matching `filters`.

        `sort` is '<column> asc|desc' with column one of SORT_COLUMNS; ties are ordered by id
        the same way. `limit=None` returns every match.
        """
        ordering = order_by(sort)
        if not check_page(limit, offset):
            return []
        clause, params = where(filters)
        with self._connection() as conn:
            rows = conn.execute(
                f"{_SELECT_RUN} {clause} {ordering} LIMIT %s OFFSET %s", [*params, limit, offset]
            ).fetchall()
        return [to_run(row) for row in rows]

    def count(self, filters: RunFilter = RunFilter()) -> int:  # noqa: B008 - frozen
        """How many runs match `filters`."""
        clause, params = where(filters)
        with self._connection() as conn:
            (row,) = conn.execute(f"SELECT count(*) FROM prompt_history {clause}", params)
        return row["count"]

    def model_versions(self) -> list[str]:
        """Distinct non-empty model versions, sorted (by code point, as on SQLite).

        A recursive query hops through the model index from one version to the next, so
        it reads a few index entries instead of every run.
        """
        with self._connection() as conn:
            rows = conn.execute(
                "WITH RECURSIVE versions (name) AS ("
                " (SELECT model_version FROM prompt_history WHERE model_version > ''"
                "  ORDER BY model_version LIMIT 1)"
                " UNION ALL SELECT (SELECT model_version FROM prompt_history"
                "  WHERE model_version > versions.name ORDER BY model_version LIMIT 1)"
                " FROM versions WHERE versions.name IS NOT NULL)"
                " SELECT name FROM versions WHERE name IS NOT NULL"
            ).fetchall()
        return sorted(row["name"] for row in rows)

    def authors(self) -> list[str]:
        """Distinct known authors, sorted (by code point, as on SQLite)."""
        with self._connection() as conn:
            rows = conn.execute(
                "SELECT DISTINCT author FROM prompt_history WHERE author IS NOT NULL"
            ).fetchall()
        return sorted(row["author"] for row in rows)

    # -- versions, tags and trials ---------------------------------------------------

    def versions(self, run_id: int) -> list[PromptRun]:
        """Every version in the chain holding run_id, oldest (first saved) first."""
        if not is_row_id(run_id):
            return []
        with self._connection() as conn:
            rows = conn.execute(
                f"{chain_cte('%s')} {_SELECT_RUN} WHERE id IN (SELECT id FROM chain) ORDER BY id",
                [run_id],
            ).fetchall()
        return [to_run(row) for row in rows]

    def set_keeper(self, run_id: int) -> bool:
        """Mark this version as its chain's only keeper, in one transaction; False if unknown."""
        if not is_row_id(run_id):
            return False
        with self._connection() as conn:
            return _mark_keeper(conn, run_id)

    def add_tag(self, run_id: int, tag: str) -> bool:
        """Tag a run (tagging twice is no change); False when the run is unknown."""
        if not is_row_id(run_id):
            return False
        with self._connection() as conn:
            if not _run_exists(conn, run_id):
                return False
            conn.execute(
                "INSERT INTO run_tags (run_id, tag) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                [run_id, tag],
            )
        return True

    def remove_tag(self, run_id: int, tag: str) -> bool:
        """Whether the run had the tag (it has not any more)."""
        if not is_row_id(run_id):
            return False
        with self._connection() as conn:
            deleted = conn.execute(
                "DELETE FROM run_tags WHERE run_id = %s AND tag = %s", [run_id, tag]
            )
            return deleted.rowcount > 0

    def all_tags(self) -> list[str]:
        """Distinct tags in use, sorted (by code point, as on SQLite)."""
        with self._connection() as conn:
            rows = conn.execute("SELECT DISTINCT tag FROM run_tags").fetchall()
        return sorted(row["tag"] for row in rows)

    def save_trial(self, trial: Trial) -> Trial:
        """Store a trial of a stored run; RepositoryConstraintError when there is no such run."""
        with self._connection() as conn:
            if not (is_row_id(trial.run_id) and _run_exists(conn, trial.run_id)):
                raise unknown_run_error(self.location, trial.run_id, "a trial of it")
            (row,) = conn.execute(_INSERT_TRIAL, _trial_values(trial)[1:])
        return trial.model_copy(update={"id": row["id"]})

    def trials(self, run_id: int) -> list[Trial]:
        """A run's trials, newest first."""
        if not is_row_id(run_id):
            return []
        with self._connection() as conn:
            rows = conn.execute(
                f"{_SELECT_TRIAL} WHERE run_id = %s ORDER BY timestamp DESC, id DESC", [run_id]
            ).fetchall()
        return [to_trial(row, as_utc(row["timestamp"])) for row in rows]

    # -- aggregates ------------------------------------------------------------------

    def statistics(self) -> Statistics:
        """Totals, averages and nearest-rank latency percentiles, overall and per backend.

        percentile_disc is nearest-rank: the smallest value with at least that share of the
        known values at or below it, as SQLite's store computes it.
        """
        with self._connection() as conn:
            overall = conn.execute(
                "SELECT count(*) AS total_count, avg(confidence) AS average_confidence,"
                " avg(latency_ms)::float8 AS average_latency_ms,"
                " percentile_disc(ARRAY[0.5, 0.95]) WITHIN GROUP (ORDER BY latency_ms)"
                " AS percentiles FROM prompt_history"
            ).fetchone()
            rows = conn.execute(
                f"SELECT backend, {_AVERAGES} FROM prompt_history"
                ' GROUP BY backend ORDER BY backend COLLATE "C"'
            ).fetchall()
        p50, p95 = overall.pop("percentiles") or (None, None)
        return Statistics(
            **overall,
            p50_latency_ms=p50,
            p95_latency_ms=p95,
            by_backend={
                row.pop("backend"): BackendFigures(count=row.pop("runs"), **row) for row in rows
            },
        )

    def daily_summary(self, since: date | None = None) -> list[DailyFigures]:
        """Per UTC day (from `since` on) and backend: runs and averages; oldest day first."""
        day = "(timestamp AT TIME ZONE 'UTC')::date"
        clause, params = (f"WHERE {day} >= %s", [since]) if since else ("", [])
        with self._connection() as conn:
            rows = conn.execute(
                f"SELECT {day} AS day, backend, {_AVERAGES} FROM prompt_history {clause}"
                ' GROUP BY 1, 2 ORDER BY day, backend COLLATE "C"',
                params,
            ).fetchall()
        return [DailyFigures.model_validate(row) for row in rows]

    def model_summary(self) -> list[ModelFigures]:
        """Per model_version ('' when unknown): runs and averages, most runs first."""
        with self._connection() as conn:
            rows = conn.execute(
                f"SELECT model_version, {_AVERAGES} FROM prompt_history GROUP BY model_version"
                ' ORDER BY runs DESC, model_version COLLATE "C" NULLS FIRST'
            ).fetchall()
        return [ModelFigures.model_validate(row) for row in rows]

    def share_at_least(self, confidence: float) -> float | None:
        """Share of runs with a known confidence that reach `confidence`; None when none."""
        with self._connection() as conn:
            (row,) = conn.execute(
                "SELECT avg((confidence >= %s)::int)::float8 AS share FROM prompt_history"
                " WHERE confidence IS NOT NULL",
                [confidence],
            )
        return row["share"]

    def _value_range(self, column: str) -> tuple[float | None, float | None, int]:
        with self._connection() as conn:
            return (
                conn.cursor(row_factory=tuple_row)
                .execute(
                    f"SELECT min({column})::float8, max({column})::float8, count({column})"
                    " FROM prompt_history"
                )
                .fetchone()
            )

    def _bin_counts(self, column: str, low: float, span: float, bins: int) -> dict[int, int]:
        with self._connection() as conn:
            cursor = conn.cursor(row_factory=tuple_row)
            return dict(
                cursor.execute(
                    f"SELECT least(floor(({column} - %(low)s) * %(bins)s / %(span)s)::int,"
                    f" %(bins)s - 1) AS bin, count(*) FROM prompt_history"
                    f" WHERE {column} IS NOT NULL GROUP BY bin",
                    {"low": low, "span": span, "bins": bins},
                ).fetchall()
            )

    @contextmanager
    def _stored_rows(self, filters: RunFilter) -> Iterator[Iterator[dict[str, Any]]]:
        """Matching rows by id, as SQLite stores them, streamed by a server-side cursor."""
        clause, params = where(filters)
        with self._connection() as conn, conn.cursor(name="promptimp_export") as cursor:
            cursor.execute(f"{_SELECT_RUN} {clause} ORDER BY id", params)
            yield (_as_stored(row) for row in cursor)

    # -- comparisons -----------------------------------------------------------------

    def recent_comparisons(self, limit: int = 20) -> list[ComparisonRecord]:
        """Newest comparisons first, with each run's confidence and latency (None once gone)."""
        with self._connection() as conn:
            rows = conn.execute(
                "SELECT c.id, c.timestamp, c.idea, c.verdict,"
                " c.zero_shot_run_id, z.confidence AS zero_shot_confidence,"
                " z.latency_ms AS zero_shot_latency_ms,"
                " c.few_shot_run_id, f.confidence AS few_shot_confidence,"
                " f.latency_ms AS few_shot_latency_ms"
                " FROM comparisons c"
                " LEFT JOIN prompt_history z ON z.id = c.zero_shot_run_id"
                " LEFT JOIN prompt_history f ON f.id = c.few_shot_run_id"
                " ORDER BY c.id DESC LIMIT %s",
                [limit],
            ).fetchall()
        return [
            ComparisonRecord.model_validate({**row, "timestamp": as_utc(row["timestamp"])})
            for row in rows
        ]

    def _verdict_counts(self) -> dict[str, int]:
        with self._connection() as conn:
            cursor = conn.cursor(row_factory=tuple_row)
            return dict(cursor.execute("SELECT verdict, count(*) FROM comparisons GROUP BY 1"))

    def _insert_comparison(self, row: dict[str, Any]) -> int:
        with self._connection() as conn:
            (inserted,) = conn.execute(
                "INSERT INTO comparisons (timestamp, idea, zero_shot_run_id, few_shot_run_id,"
                " verdict) VALUES (%(timestamp)s, %(idea)s, %(zero_shot_run_id)s,"
                " %(few_shot_run_id)s, %(verdict)s) RETURNING id",
                row,
            )
        return inserted["id"]

    # -- evaluation runs -------------------------------------------------------------

    def save_eval_run(self, report: EvalReport) -> int:
        """Store an evaluation run and its examples in one transaction; its id."""
        with self._connection() as conn:
            return _insert_eval_run(conn, report)

    def eval_runs(self, limit: int = 50) -> list[EvalReport]:
        """Evaluation runs, newest first, without their examples."""
        with self._connection() as conn:
            rows = conn.execute(f"{_SELECT_EVAL_RUN} ORDER BY id DESC LIMIT %s", [limit])
            return [_to_report(row) for row in rows]

    def get_eval_run(self, run_id: int) -> EvalReport | None:
        """One evaluation run with its examples, or None."""
        if not is_row_id(run_id):
            return None
        with self._connection() as conn:
            row = conn.execute(f"{_SELECT_EVAL_RUN} WHERE id = %s", [run_id]).fetchone()
        if row is None:
            return None
        return _to_report(row).model_copy(update={"results": tuple(self.eval_results(run_id))})

    def eval_results(self, run_id: int) -> list[ExampleResult]:
        """A run's examples by example_index, each with its prompt run's idea and prompt
        ('' when there is no such prompt run any more)."""
        with self._connection() as conn:
            rows = conn.execute(
                "SELECT r.example_index, r.prompt_run_id, r.score, r.parts_json AS parts,"
                " r.error, COALESCE(p.original_idea, '') AS original_idea,"
                " COALESCE(p.improved_prompt, '') AS improved_prompt"
                " FROM eval_results r LEFT JOIN prompt_history p ON p.id = r.prompt_run_id"
                " WHERE r.eval_run_id = %s ORDER BY r.example_index",
                [run_id],
            ).fetchall()
        return [
            ExampleResult.model_validate({**row, "parts": decode_parts(row["parts"])})
            for row in rows
        ]

    # -- moving a whole history ------------------------------------------------------

    def runs_after(self, after_id: int, limit: int) -> list[PromptRun]:
        """Up to `limit` runs with id > after_id, by id."""
        with self._connection() as conn:
            rows = conn.execute(
                f"{_SELECT_RUN} WHERE id > %s ORDER BY id LIMIT %s", [after_id, limit]
            ).fetchall()
        return [to_run(row) for row in rows]

    def trials_after(self, after_id: int, limit: int) -> list[Trial]:
        """Up to `limit` trials with id > after_id, by id."""
        with self._connection() as conn:
            rows = conn.execute(
                f"{_SELECT_TRIAL} WHERE id > %s ORDER BY id LIMIT %s", [after_id, limit]
            ).fetchall()
        return [to_trial(row, as_utc(row["timestamp"])) for row in rows]

    def trial_count(self) -> int:
        """How many trials are stored."""
        with self._connection() as conn:
            (row,) = conn.execute("SELECT count(*) FROM trials")
        return row["count"]

    def import_runs(self, runs: Iterable[PromptRun]) -> int:
        """Store runs under their own ids, skipping ids that already hold the same run; how
        many were new. An id holding a different run refuses the whole batch. Each run's
        tags are added (to a run already there, too); a run already there keeps its keeper.

        The rows go through COPY into a temporary table, then one INSERT ... ON CONFLICT;
        the id sequence is moved past them, so later saves never collide.
        """
        runs = list(runs)
        columns = ", ".join(STORED_COLUMNS)
        with self._connection() as conn:
            conn.execute(
                "CREATE TEMP TABLE incoming_runs (LIKE prompt_history INCLUDING DEFAULTS)"
                " ON COMMIT DROP"
            )
            with conn.cursor().copy(f"COPY incoming_runs ({columns}) FROM STDIN") as copy:
                for run in runs:
                    copy.write_row([run.id, *_run_values(run)])
            other = conn.execute(
                "SELECT i.id FROM incoming_runs i JOIN prompt_history p USING (id)"
                f" WHERE ({_prefixed('i')}) IS DISTINCT FROM ({_prefixed('p')}) ORDER BY i.id"
            ).fetchall()
            if other:
                raise other_runs_error(self.location, [row["id"] for row in other])
            added = conn.execute(
                f"INSERT INTO prompt_history ({columns}) SELECT {columns} FROM incoming_runs"
                " ON CONFLICT (id) DO NOTHING"
            ).rowcount
            _advance_identity(conn, "prompt_history")
            with conn.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO run_tags (run_id, tag) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                    [(run.id, tag) for run in runs for tag in run.tags],
                )
        return added

    def import_comparisons(self, comparisons: Iterable[ComparisonRecord]) -> int:
        """Store comparisons under their own ids, skipping ids already present; how many."""
        rows = [
            (c.id, c.timestamp, c.idea, c.zero_shot_run_id, c.few_shot_run_id, c.verdict)
            for c in comparisons
        ]
        if not rows:
            return 0
        with self._connection() as conn, conn.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO comparisons (id, timestamp, idea, zero_shot_run_id,"
                " few_shot_run_id, verdict) VALUES (%s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (id) DO NOTHING",
                rows,
            )
            added = cursor.rowcount
            _advance_identity(conn, "comparisons")
        return added

    def import_trials(self, trials: Iterable[Trial]) -> int:
        """Store trials under their own ids, skipping ids already present; how many were new.
        Each trial's run must be stored already (RepositoryConstraintError otherwise)."""
        rows = [_trial_values(trial) for trial in trials]
        if not rows:
            return 0
        with self._connection() as conn, conn.cursor() as cursor:
            cursor.executemany(_IMPORT_TRIAL, rows)
            added = cursor.rowcount
            _advance_identity(conn, "trials")
        return added

    def import_eval_run(self, report: EvalReport) -> bool:
        """Store a report (with its examples) under its own id unless present; whether new."""
        with self._connection() as conn:
            if conn.execute("SELECT 1 FROM eval_runs WHERE id = %s", [report.id]).fetchone():
                return False
            _insert_eval_run(conn, report)
            _advance_identity(conn, "eval_runs")
        return True


def _prefixed(alias: str) -> str:
    """SAME_RUN_COLUMNS after id, each qualified by the table `alias`."""
    return ", ".join(f"{alias}.{column}" for column in SAME_RUN_COLUMNS[1:])


def _run_values(run: PromptRun) -> list[Any]:
    """The run's values for STORED_COLUMNS after id; guardrails as jsonb."""
    values = [getattr(run, column) for column in STORED_COLUMNS[1:]]
    values[STORED_COLUMNS.index("guardrails") - 1] = Jsonb(list(run.guardrails))
    return values


def _trial_values(trial: Trial) -> list[Any]:
    """The trial's values for TRIAL_COLUMNS, timestamp in UTC."""
    row = {**trial_row(trial), "timestamp": as_utc(trial.timestamp)}
    return list(row.values())


def _run_exists(conn: psycopg.Connection, run_id: int) -> bool:
    """Whether the run is stored; it stays so until the transaction ends."""
    found = conn.execute("SELECT 1 FROM prompt_history WHERE id = %s FOR KEY SHARE", [run_id])
    return found.fetchone() is not None


def _mark_keeper(conn: psycopg.Connection, run_id: int) -> bool:
    """Make the run its chain's only keeper; False when there is no such run. The chain's
    rows are locked first, in id order, so two people picking keepers of one chain at once
    wait for each other and leave exactly one."""
    if not conn.execute(_LOCK_CHAIN, {"run_id": run_id}).fetchall():
        return False
    conn.execute(_KEEPER, {"run_id": run_id})
    return True


def _as_stored(row: dict[str, Any]) -> dict[str, Any]:
    """A row as SQLite stores it: UTC timestamp text, guardrails as JSON text (of whatever
    the jsonb holds, so a damaged value exports as it does from SQLite)."""
    return {
        **row,
        "timestamp": timestamp_text(row["timestamp"]),
        "guardrails": json.dumps(row["guardrails"], ensure_ascii=False),
        "tags": json_array_text(row["tags"]),
    }


def _advance_identity(conn: psycopg.Connection, table: str) -> None:
    """Move `table`'s id sequence past its largest id (never back)."""
    conn.execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
        f" greatest((SELECT max(id) FROM {table}),"
        f" (SELECT last_value FROM {table}_id_seq), 1))"
    )


def _insert_eval_run(conn: psycopg.Connection, report: EvalReport) -> int:
    """Insert `report` (under its id when it has one) and its examples; the run's id."""
    (row,) = conn.execute(
        "INSERT INTO eval_runs (id, dataset, backend, model, started, finished, score,"
        " parts_json, example_count)"
        " VALUES (COALESCE(%s, nextval(pg_get_serial_sequence('eval_runs', 'id'))),"
        " %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
        [
            report.id,
            report.dataset,
            report.backend,
            report.model,
            as_utc(report.started),
            as_utc(report.finished),
            report.score,
            Jsonb(report.parts),
            report.example_count,
        ],
    )
    with conn.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO eval_results (eval_run_id, example_index, prompt_run_id, score,"
            " parts_json, error) VALUES (%s, %s, %s, %s, %s, %s)",
            [
                (
                    row["id"],
                    result.example_index,
                    result.prompt_run_id,
                    result.score,
                    Jsonb(result.parts),
                    result.error,
                )
                for result in report.results
            ],
        )
    return row["id"]


def _to_report(row: dict[str, Any]) -> EvalReport:
    return EvalReport.model_validate(
        {
            **row,
            "parts": decode_parts(row["parts"]),
            "started": as_utc(row["started"]),
            "finished": as_utc(row["finished"]),
        }
    )
