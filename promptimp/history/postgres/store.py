"""PostgresStore: the run history on a PostgreSQL server (psycopg 3 with a pool).

The same operations, arguments and results as the SQLite RunStore: runs, aggregates,
exports, comparisons and evaluation runs. Timestamps are timestamptz and come back as
UTC datetimes; exports write them as the same UTC text as SQLite does.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

import psycopg
from psycopg.rows import tuple_row
from psycopg.types.json import Jsonb

from promptimp.history.postgres.connection import PostgresConnection
from promptimp.history.postgres.queries import as_utc, order_by, search_text, where
from promptimp.history.records import ComparisonRecord
from promptimp.models import PromptRun
from promptimp.store import COLUMNS, HISTOGRAM_COLUMNS, VERDICTS, RunFilter, _text_output

_TIMESTAMP_TEXT = "%Y-%m-%d %H:%M:%S.%f"
_SELECT_RUN = f"SELECT {', '.join(COLUMNS)} FROM prompt_history"
_INSERT_RUN = (
    f"INSERT INTO prompt_history ({', '.join(COLUMNS[1:])})"
    f" VALUES ({', '.join(['%s'] * (len(COLUMNS) - 1))}) RETURNING id"
)
_AVERAGES = "avg(confidence) AS average_confidence, avg(latency_ms)::float8 AS average_latency_ms"


class PostgresStore(PostgresConnection):
    """Saved runs in the PostgreSQL database at `url` (postgresql://user:password@host/db)."""

    # -- writing ---------------------------------------------------------------------

    def save(self, run: PromptRun) -> PromptRun:
        """Store `run` in one committed transaction; returns it with its id."""
        with self._connection() as conn:
            (row,) = conn.execute(_INSERT_RUN, _run_values(run)).fetchall()
        return run.model_copy(update={"id": row["id"]})

    def delete(self, run_id: int) -> bool:
        """Delete one run; False when there was none with that id."""
        with self._connection() as conn:
            return conn.execute("DELETE FROM prompt_history WHERE id = %s", [run_id]).rowcount > 0

    def delete_old(self, days: int) -> int:
        """Delete runs older than `days` days (by timestamp); returns how many."""
        if days < 0:
            raise ValueError(f"days must be >= 0, got {days}")
        cutoff = datetime.now(UTC) - timedelta(days=days)
        with self._connection() as conn:
            return conn.execute(
                "DELETE FROM prompt_history WHERE timestamp < %s", [cutoff]
            ).rowcount

    # -- reading runs ----------------------------------------------------------------

    def get(self, run_id: int) -> PromptRun | None:
        """The run with this id, or None."""
        with self._connection() as conn:
            row = conn.execute(f"{_SELECT_RUN} WHERE id = %s", [run_id]).fetchone()
        return _to_run(row) if row else None

    def recent(
        self, limit: int = 50, offset: int = 0, backend: str | None = None
    ) -> list[PromptRun]:
        """Newest runs first, optionally of one backend."""
        return self.query(RunFilter(backend=backend), limit=limit, offset=offset)

    def between(self, start: datetime, end: datetime) -> list[PromptRun]:
        """Every run with start <= timestamp <= end, oldest first."""
        return self.query(RunFilter(since=start, until=end), sort="timestamp asc", limit=None)

    def search(self, text: str, limit: int = 50) -> list[PromptRun]:
        """Runs whose idea, context or prompt contain every word of `text`, latest saved first.

        Any input is safe: words are quoted, so search operators and stray quotes match
        literally.
        """
        query = search_text(text)
        if not query:
            return []
        clause, params = where(RunFilter(text=text))
        with self._connection() as conn:
            rows = conn.execute(
                f"{_SELECT_RUN} {clause} ORDER BY id DESC LIMIT %s", [*params, limit]
            ).fetchall()
        return [_to_run(row) for row in rows]

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
        clause, params = where(filters)
        with self._connection() as conn:
            rows = conn.execute(
                f"{_SELECT_RUN} {clause} {ordering} LIMIT %s OFFSET %s", [*params, limit, offset]
            ).fetchall()
        return [_to_run(row) for row in rows]

    def count(self, filters: RunFilter = RunFilter()) -> int:  # noqa: B008 - frozen
        """How many runs match `filters`."""
        clause, params = where(filters)
        with self._connection() as conn:
            (row,) = conn.execute(f"SELECT count(*) FROM prompt_history {clause}", params)
        return row["count"]

    def total_count(self) -> int:
        """How many runs are stored."""
        return self.count()

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

    # -- aggregates ------------------------------------------------------------------

    def statistics(self) -> dict[str, Any]:
        """Totals, averages and latency percentiles, overall and per backend.

        Averages skip unknown (NULL) values; p50/p95 are nearest-rank percentiles of the
        known latencies (percentile_disc: the smallest value with at least that share of
        values at or below it). Every figure is None when there is nothing to aggregate.
        """
        with self._connection() as conn:
            overall = conn.execute(
                f"SELECT count(*) AS total_count, {_AVERAGES}, percentile_disc(ARRAY[0.5, 0.95])"
                " WITHIN GROUP (ORDER BY latency_ms) AS percentiles FROM prompt_history"
            ).fetchone()
            p50, p95 = overall.pop("percentiles") or (None, None)
            rows = conn.execute(
                f"SELECT backend, count(*) AS count, {_AVERAGES} FROM prompt_history"
                ' GROUP BY backend ORDER BY backend COLLATE "C"'
            ).fetchall()
        by_backend = {row.pop("backend"): row for row in rows}
        return {
            **overall,
            "p50_latency_ms": p50,
            "p95_latency_ms": p95,
            "by_backend": by_backend,
        }

    def daily_summary(self, since: date | None = None) -> list[dict[str, Any]]:
        """Per UTC day (from `since` on) and backend: runs, average_confidence,
        average_latency_ms; oldest day first."""
        day = "(timestamp AT TIME ZONE 'UTC')::date"
        clause, params = (f"WHERE {day} >= %s", [since]) if since else ("", [])
        with self._connection() as conn:
            return conn.execute(
                f"SELECT {day} AS day, backend, count(*) AS runs, {_AVERAGES}"
                f' FROM prompt_history {clause} GROUP BY 1, 2 ORDER BY day, backend COLLATE "C"',
                params,
            ).fetchall()

    def model_summary(self) -> list[dict[str, Any]]:
        """Per model_version ('' when unknown): runs and averages, most runs first."""
        with self._connection() as conn:
            return conn.execute(
                f"SELECT model_version, count(*) AS runs, {_AVERAGES} FROM prompt_history"
                ' GROUP BY model_version ORDER BY runs DESC, model_version COLLATE "C" NULLS FIRST'
            ).fetchall()

    def histogram(self, column: str, bins: int = 20) -> list[dict[str, Any]]:
        """Counts of known `column` values in `bins` equal-width bins, computed in SQL.

        Returns every bin as {lower, upper, count}, lowest first; the last bin includes
        its upper edge. Confidence spans [0, 1]; latency_ms spans the stored min..max.
        An empty list when no value is known.
        """
        if column not in HISTOGRAM_COLUMNS:
            raise ValueError(f"column must be one of {', '.join(HISTOGRAM_COLUMNS)}")
        if bins < 1:
            raise ValueError(f"bins must be >= 1, got {bins}")
        with self._connection() as conn:
            cursor = conn.cursor(row_factory=tuple_row)
            low, high, known = cursor.execute(
                f"SELECT min({column})::float8, max({column})::float8, count({column})"
                " FROM prompt_history"
            ).fetchone()
            if not known:
                return []
            if column == "confidence":
                low, high = 0.0, 1.0
            span = (high - low) or 1.0
            counts = dict(
                cursor.execute(
                    f"SELECT least(floor(({column} - %(low)s) * %(bins)s / %(span)s)::int,"
                    f" %(bins)s - 1) AS bin, count(*) FROM prompt_history"
                    f" WHERE {column} IS NOT NULL GROUP BY bin",
                    {"low": low, "span": span, "bins": bins},
                ).fetchall()
            )
        width = span / bins
        return [
            {
                "lower": low + index * width,
                "upper": low + (index + 1) * width,
                "count": counts.get(index, 0),
            }
            for index in range(bins)
        ]

    def share_at_least(self, confidence: float) -> float | None:
        """Share of runs with a known confidence that reach `confidence`; None when none."""
        with self._connection() as conn:
            (row,) = conn.execute(
                "SELECT avg((confidence >= %s)::int)::float8 AS share FROM prompt_history"
                " WHERE confidence IS NOT NULL",
                [confidence],
            )
        return row["share"]

    # -- export ----------------------------------------------------------------------

    def export_csv(self, target: str | Path | TextIO, filters: RunFilter | None = None) -> int:
        """Stream matching runs (all by default) to CSV, by id; returns the row count.

        The header is COLUMNS; guardrails is a JSON array; timestamps are UTC text.
        """
        count = 0
        with _text_output(target) as out, self._stored_rows(filters) as rows:
            writer = csv.writer(out)
            writer.writerow(COLUMNS)
            for row in rows:
                row["guardrails"] = json.dumps(row["guardrails"], ensure_ascii=False)
                writer.writerow(row.values())
                count += 1
        return count

    def export_json(self, target: str | Path | TextIO, filters: RunFilter | None = None) -> int:
        """Stream matching runs (all by default) as a JSON array of objects, by id.

        Guardrails is a list; timestamps are UTC text. Returns the row count.
        """
        count = 0
        with _text_output(target) as out, self._stored_rows(filters) as rows:
            out.write("[")
            for row in rows:
                out.write(",\n" if count else "\n")
                out.write(json.dumps(row, ensure_ascii=False))
                count += 1
            out.write("\n]\n" if count else "]\n")
        return count

    @contextmanager
    def _stored_rows(self, filters: RunFilter | None) -> Iterator[Iterator[dict[str, Any]]]:
        """Matching rows by id, timestamps as UTC text, streamed by a server-side cursor."""
        clause, params = where(filters or RunFilter())
        with self._connection() as conn, conn.cursor(name="promptimp_export") as cursor:
            cursor.execute(f"{_SELECT_RUN} {clause} ORDER BY id", params)
            yield ({**row, "timestamp": _timestamp_text(row["timestamp"])} for row in cursor)

    # -- comparisons -----------------------------------------------------------------

    def save_comparison(
        self, zero_shot_run_id: int, few_shot_run_id: int, verdict: str, idea: str
    ) -> int:
        """Record which run of `idea` was better ('zero-shot', 'few-shot' or 'tie'); its id."""
        if verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}, got {verdict!r}")
        with self._connection() as conn:
            (row,) = conn.execute(
                "INSERT INTO comparisons (timestamp, idea, zero_shot_run_id, few_shot_run_id,"
                " verdict) VALUES (%s, %s, %s, %s, %s) RETURNING id",
                [datetime.now(UTC), idea, zero_shot_run_id, few_shot_run_id, verdict],
            )
        return row["id"]

    def recent_comparisons(self, limit: int = 20) -> list[dict[str, Any]]:
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
        return [{**row, "timestamp": row["timestamp"].astimezone(UTC)} for row in rows]

    def comparison_win_rates(self) -> dict[str, Any]:
        """{'total': n, verdict: {'wins': k, 'rate': k / n}} for each verdict; rate None if n=0."""
        counts = ", ".join(f"count(*) FILTER (WHERE verdict = '{verdict}')" for verdict in VERDICTS)
        with self._connection() as conn:
            cursor = conn.cursor(row_factory=tuple_row)
            total, *wins = cursor.execute(f"SELECT count(*), {counts} FROM comparisons").fetchone()
        return {
            "total": total,
            **{
                verdict: {"wins": won, "rate": won / total if total else None}
                for verdict, won in zip(VERDICTS, wins, strict=True)
            },
        }

    # -- evaluation runs -------------------------------------------------------------

    def save_eval_run(self, run: dict[str, Any], results: list[dict[str, Any]]) -> int:
        """Store an evaluation run and its per-example results in one transaction; its id.

        `run` has dataset, backend, model, started, finished (datetimes), score, parts (a dict
        of part name -> average) and example_count; each result has example_index,
        prompt_run_id (or None), score, parts and error.
        """
        with self._connection() as conn:
            (row,) = conn.execute(
                "INSERT INTO eval_runs (dataset, backend, model, started, finished, score,"
                " parts_json, example_count) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
                " RETURNING id",
                [
                    run["dataset"],
                    run["backend"],
                    run["model"],
                    as_utc(run["started"]),
                    as_utc(run["finished"]),
                    run["score"],
                    Jsonb(run["parts"]),
                    run["example_count"],
                ],
            )
            with conn.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO eval_results (eval_run_id, example_index, prompt_run_id, score,"
                    " parts_json, error) VALUES (%s, %s, %s, %s, %s, %s)",
                    [
                        (
                            row["id"],
                            result["example_index"],
                            result["prompt_run_id"],
                            result["score"],
                            Jsonb(result["parts"]),
                            result.get("error") or "",
                        )
                        for result in results
                    ],
                )
        return row["id"]

    def eval_runs(self, limit: int = 50) -> list[dict[str, Any]]:
        """Evaluation runs, newest first, as `save_eval_run` took them plus their id."""
        with self._connection() as conn:
            rows = conn.execute(f"{_SELECT_EVAL_RUN} ORDER BY id DESC LIMIT %s", [limit])
            return [_to_eval_run(row) for row in rows]

    def get_eval_run(self, run_id: int) -> dict[str, Any] | None:
        """One evaluation run (without its results), or None."""
        with self._connection() as conn:
            row = conn.execute(f"{_SELECT_EVAL_RUN} WHERE id = %s", [run_id]).fetchone()
        return _to_eval_run(row) if row else None

    def eval_results(self, run_id: int) -> list[dict[str, Any]]:
        """A run's results by example_index, each with its prompt run's original_idea and
        improved_prompt ('' when there is no such prompt run any more)."""
        with self._connection() as conn:
            rows = conn.execute(
                "SELECT r.example_index, r.prompt_run_id, r.score, r.parts_json AS parts,"
                " r.error, COALESCE(p.original_idea, '') AS original_idea,"
                " COALESCE(p.improved_prompt, '') AS improved_prompt"
                " FROM eval_results r LEFT JOIN prompt_history p ON p.id = r.prompt_run_id"
                " WHERE r.eval_run_id = %s ORDER BY r.example_index",
                [run_id],
            )
            return rows.fetchall()

    # -- moving a whole history ------------------------------------------------------

    def runs_after(self, after_id: int, limit: int) -> list[PromptRun]:
        """Up to `limit` runs with id > after_id, by id."""
        with self._connection() as conn:
            rows = conn.execute(
                f"{_SELECT_RUN} WHERE id > %s ORDER BY id LIMIT %s", [after_id, limit]
            ).fetchall()
        return [_to_run(row) for row in rows]

    def import_runs(self, runs: Iterable[PromptRun]) -> int:
        """Store runs under their own ids, skipping ids already present; how many were new.

        The rows go through COPY into a temporary table, then one INSERT ... ON CONFLICT;
        the id sequence is moved past them, so later saves never collide.
        """
        columns = ", ".join(COLUMNS)
        with self._connection() as conn:
            conn.execute(
                "CREATE TEMP TABLE incoming_runs (LIKE prompt_history INCLUDING DEFAULTS)"
                " ON COMMIT DROP"
            )
            with conn.cursor().copy(f"COPY incoming_runs ({columns}) FROM STDIN") as copy:
                for run in runs:
                    copy.write_row([run.id, *_run_values(run)])
            added = conn.execute(
                f"INSERT INTO prompt_history ({columns}) SELECT {columns} FROM incoming_runs"
                " ON CONFLICT (id) DO NOTHING"
            ).rowcount
            _advance_identity(conn, "prompt_history")
        return added

    def import_comparisons(self, comparisons: Iterable[ComparisonRecord]) -> int:
        """Store comparisons under their own ids, skipping ids already present; how many."""
        with self._connection() as conn, conn.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO comparisons (id, timestamp, idea, zero_shot_run_id,"
                " few_shot_run_id, verdict) VALUES (%s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (id) DO NOTHING",
                [
                    (c.id, c.timestamp, c.idea, c.zero_shot_run_id, c.few_shot_run_id, c.verdict)
                    for c in comparisons
                ],
            )
            added = cursor.rowcount
            _advance_identity(conn, "comparisons")
        return max(added, 0)


def _advance_identity(conn: psycopg.Connection, table: str) -> None:
    """Move `table`'s id sequence past its largest id (never back)."""
    conn.execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
        f" greatest((SELECT max(id) FROM {table}),"
        f" (SELECT last_value FROM {table}_id_seq), 1))"
    )


_SELECT_EVAL_RUN = (
    "SELECT id, dataset, backend, model, started, finished, score, parts_json AS parts,"
    " example_count FROM eval_runs"
)


def _run_values(run: PromptRun) -> list[Any]:
    values = [getattr(run, column) for column in COLUMNS[1:]]
    values[COLUMNS.index("guardrails") - 1] = Jsonb(list(run.guardrails))
    return values


def _to_run(row: dict[str, Any]) -> PromptRun:
    return PromptRun.model_validate(
        {
            **row,
            "context": row["context"] or "",
            "reasoning": row["reasoning"] or "",
            "model_version": row["model_version"] or "",
        }
    )


def _to_eval_run(row: dict[str, Any]) -> dict[str, Any]:
    return {
        **row,
        "started": row["started"].astimezone(UTC),
        "finished": row["finished"].astimezone(UTC),
    }


def _timestamp_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(_TIMESTAMP_TEXT)
