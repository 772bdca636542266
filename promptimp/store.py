"""RunStore: the history of prompt runs in SQLite (sqlite-utils).

This is the only module (with migrations.py) that knows SQL, pragmas or FTS syntax; its
public operations take and return PromptRun models, RunFilter and plain dicts, so another
database could implement the same contract. sqlite3 errors surface as the typed
RepositoryConnectionError / RepositoryConstraintError of promptimp.models.

Timestamps are stored as UTC text 'YYYY-MM-DD HH:MM:SS.ffffff' (sortable, comparable with
CURRENT_TIMESTAMP); guardrails as a JSON array.
"""

from __future__ import annotations

import csv
import errno
import json
import os
import random
import resource
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO, TypeVar

from pydantic import ValidationError

from promptimp.migrations import (
    COMPARISONS,
    EVAL_RESULTS,
    EVAL_RUNS,
    PROMPT_HISTORY,
    migrate,
    write_transaction,
)
from promptimp.models import (
    MAX_ROW_ID,
    InputError,
    OutputError,
    PromptRun,
    RepositoryConnectionError,
    RepositoryConstraintError,
    RepositoryError,
    check_days,
)
from promptimp.sqlite_lib import Database
from promptimp.text import is_valid_unicode

T = TypeVar("T")

COLUMNS: tuple[str, ...] = (
    "id",
    "timestamp",
    "original_idea",
    "context",
    "improved_prompt",
    "role",
    "directive",
    "framework",
    "guardrails",
    "backend",
    "confidence",
    "reasoning",
    "latency_ms",
    "model_version",
)
"""Stored columns, in table order; also the columns of CSV/JSON exports."""

SORT_COLUMNS: tuple[str, ...] = ("timestamp", "confidence", "latency_ms")
HISTOGRAM_COLUMNS: tuple[str, ...] = ("confidence", "latency_ms")
VERDICTS: tuple[str, ...] = ("zero-shot", "few-shot", "tie")
BUSY_TIMEOUT_S = 10.0
WRITE_DEADLINE_S = 120.0
"""A write that finds the database locked is retried (after the busy timeout) until this."""

_FTS_TABLE = f"{PROMPT_HISTORY}_fts"
_HINTS: tuple[tuple[str, str], ...] = (
    ("not a database", "move it aside or set SQLITE_DB_PATH"),
    ("malformed", "move it aside or set SQLITE_DB_PATH"),
    ("unable to open", "check that its directory is writable or set SQLITE_DB_PATH"),
    ("readonly", "make the file writable or set SQLITE_DB_PATH"),
    ("locked", "another process kept it busy; try again"),
    ("busy", "another process kept it busy; try again"),
    ("full", "free some disk space or delete old runs"),
)
_BUSY_REASONS = ("locked", "busy")
_DISK_FULL_BYTES = 1024 * 1024


@dataclass(frozen=True)
class RunFilter:
    """Which runs a query selects; every criterion left at None (or blank text) is ignored.

    `text` is a full-text search over idea, context and prompt (all words must occur);
    `since`/`until` and the confidence bounds are inclusive; naive datetimes mean UTC.
    """

    text: str = ""
    backend: str | None = None
    model_version: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    min_confidence: float | None = None
    max_confidence: float | None = None

    def __post_init__(self) -> None:
        if not is_valid_unicode(self.text):
            raise InputError.invalid_unicode("search text")


class RunStore:
    """Saved runs in the SQLite file at `path` (its directory is created when missing).

    One connection per store, guarded by a lock, so Streamlit's session threads can share
    a store; create stores after forking, one per process. The database is opened and
    migrated on first use, so constructing a store never fails: errors come from operations.
    With `wal` the journal is write-ahead with synchronous=NORMAL: readers never block,
    commits skip the fsync (a killed process loses nothing committed; a power cut may drop
    the last commits, never corrupting the file). Writers wait up to BUSY_TIMEOUT_S for the
    lock, and a write that still finds it locked is retried until WRITE_DEADLINE_S, so heavy
    contention delays saves instead of losing them (readers hold up writers in rollback-journal
    mode). Before its first write, a connection checks the file's integrity: a damaged
    database refuses writes instead of silently taking them.
    """

    def __init__(self, path: str | Path, *, wal: bool = True) -> None:
        self.path = Path(path)
        self.wal = wal
        self._lock = threading.RLock()
        self._db: Database | None = None
        self._verified = False

    # -- writing ---------------------------------------------------------------------

    def save(self, run: PromptRun) -> PromptRun:
        """Store `run` in one committed transaction; returns it with its id."""
        row = _to_row(run)

        def insert(db: Database) -> int:
            table = db.table(PROMPT_HISTORY)
            table.insert(row)
            return table.last_rowid

        return run.model_copy(update={"id": self._write(insert)})

    def delete(self, run_id: int) -> bool:
        """Delete one run; False when there was none with that id."""
        if not 1 <= run_id <= MAX_ROW_ID:
            return False
        return self._write(
            lambda db: (
                db.execute(f"DELETE FROM {PROMPT_HISTORY} WHERE id = ?", [run_id]).rowcount > 0
            )
        )

    def delete_old(self, days: int) -> int:
        """Delete runs older than `days` days (1..MAX_RETENTION_DAYS); returns how many."""
        cutoff = _timestamp_text(datetime.now(UTC) - timedelta(days=check_days(days)))
        return self._write(
            lambda db: (
                db.execute(f"DELETE FROM {PROMPT_HISTORY} WHERE timestamp < ?", [cutoff]).rowcount
            )
        )

    # -- reading runs ----------------------------------------------------------------

    def get(self, run_id: int) -> PromptRun | None:
        """The run with this id, or None."""
        if not 1 <= run_id <= MAX_ROW_ID:
            return None
        with self._database() as db:
            rows = list(db.table(PROMPT_HISTORY).rows_where("id = ?", [run_id]))
        return _to_run(rows[0]) if rows else None

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

        Any input is safe: words are quoted, so FTS operators and stray quotes match literally.
        Ranking by relevance (bm25) would score every match, too slow for common words at
        100,000 runs; walking the index newest-first stops after `limit` matches.
        """
        with self._database() as db:
            query = _fts_query(db, text)
            if not query:
                return []
            rows = db.table(PROMPT_HISTORY).search(
                query, order_by=f"{_FTS_TABLE}.rowid DESC", columns=COLUMNS, limit=limit
            )
            return [_to_run(row) for row in rows]

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
        if offset < 0 or (limit is not None and limit < 1):
            raise InputError(f"limit must be >= 1 and offset >= 0, got {limit} and {offset}.")
        if offset > MAX_ROW_ID:
            return []  # past the last possible row
        with self._database() as db:
            where, params = _where(db, filters, sort_column=column)
            rows = db.table(PROMPT_HISTORY).rows_where(
                where, params, order_by=order_by, limit=limit, offset=offset
            )
            return [_to_run(row) for row in rows]

    def count(self, filters: RunFilter = RunFilter()) -> int:  # noqa: B008 - frozen
        """How many runs match `filters`."""
        with self._database() as db:
            if filters.text.strip() and filters == RunFilter(text=filters.text):
                return db.table(_FTS_TABLE).count_where(
                    f"{_FTS_TABLE} MATCH ?", [_fts_query(db, filters.text) or '""']
                )  # the index alone answers a text-only count
            where, params = _where(db, filters)
            return db.table(PROMPT_HISTORY).count_where(where, params)

    def total_count(self) -> int:
        """How many runs are stored."""
        return self.count()

    def model_versions(self) -> list[str]:
        """Distinct non-empty model versions, sorted."""
        with self._database() as db:
            rows = db.execute(
                f"SELECT DISTINCT model_version FROM {PROMPT_HISTORY}"
                " WHERE model_version IS NOT NULL AND model_version != ''"
                " ORDER BY model_version"
            )
            return [version for (version,) in rows]

    def check(self) -> None:
        """Open, migrate, verify and test-write the database (the write is rolled back).

        Raises RepositoryConnectionError naming what is wrong: a damaged (malformed) file,
        a read-only file or directory, a full disk, a lock held too long.
        """
        with self._database() as db:
            self._verify(db, again=True)
            db.execute("BEGIN IMMEDIATE")
            try:
                (version,) = db.execute("PRAGMA user_version").fetchone()
                db.execute(f"PRAGMA user_version = {int(version)}")
            finally:
                db.rollback()
        disk = _disk_problem(self.path)  # a rolled-back write needs no space; saves do
        if disk:
            raise RepositoryConnectionError(f"Cannot write history database {self.path}: {disk}")

    # -- aggregates ------------------------------------------------------------------

    def statistics(self) -> dict[str, Any]:
        """Totals, averages and latency percentiles, overall and per backend.

        Averages skip unknown (NULL) values; p50/p95 are nearest-rank percentiles of the
        known latencies. Every figure is None when there is nothing to aggregate.
        """
        with self._database() as db:
            total, avg_confidence, avg_latency, latencies = db.execute(
                f"SELECT COUNT(*), AVG(confidence), AVG(latency_ms), COUNT(latency_ms)"
                f" FROM {PROMPT_HISTORY}"
            ).fetchone()
            by_backend = {
                backend: {
                    "count": count,
                    "average_confidence": confidence,
                    "average_latency_ms": latency,
                }
                for backend, count, confidence, latency in db.execute(
                    f"SELECT backend, COUNT(*), AVG(confidence), AVG(latency_ms)"
                    f" FROM {PROMPT_HISTORY} GROUP BY backend ORDER BY backend"
                )
            }
            return {
                "total_count": total,
                "average_confidence": avg_confidence,
                "average_latency_ms": avg_latency,
                "p50_latency_ms": _latency_percentile(db, 50, latencies),
                "p95_latency_ms": _latency_percentile(db, 95, latencies),
                "by_backend": by_backend,
            }

    def daily_summary(self, since: date | None = None) -> list[dict[str, Any]]:
        """Per UTC day (from `since` on) and backend: runs, average_confidence,
        average_latency_ms; oldest day first."""
        day = "substr(timestamp, 1, 10)"  # the expression of the day index
        where, params = (f"WHERE {day} >= ?", [since.isoformat()]) if since else ("", [])
        with self._database() as db:
            rows = db.query(
                f"SELECT {day} AS day, backend, COUNT(*) AS runs,"
                f" AVG(confidence) AS average_confidence,"
                f" AVG(latency_ms) AS average_latency_ms"
                f" FROM {PROMPT_HISTORY} {where} GROUP BY day, backend ORDER BY day, backend",
                params,
            )
            return [{**row, "day": date.fromisoformat(row["day"])} for row in rows]

    def model_summary(self) -> list[dict[str, Any]]:
        """Per model_version ('' when unknown): runs and averages, most runs first."""
        with self._database() as db:
            return list(
                db.query(
                    f"SELECT model_version, COUNT(*) AS runs,"
                    f" AVG(confidence) AS average_confidence,"
                    f" AVG(latency_ms) AS average_latency_ms"
                    f" FROM {PROMPT_HISTORY} GROUP BY model_version"
                    " ORDER BY runs DESC, model_version"
                )
            )

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
        with self._database() as db:
            low, high, known = db.execute(
                f"SELECT MIN({column}), MAX({column}), COUNT({column}) FROM {PROMPT_HISTORY}"
            ).fetchone()
            if not known:
                return []
            if column == "confidence":
                low, high = 0.0, 1.0
            span = (high - low) or 1.0
            counts = dict(
                db.execute(
                    f"SELECT MIN(CAST(({column} - :low) * :bins / :span AS INTEGER), :bins - 1)"
                    f" AS bin, COUNT(*) FROM {PROMPT_HISTORY} WHERE {column} IS NOT NULL"
                    " GROUP BY bin",
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
        with self._database() as db:
            (share,) = db.execute(
                f"SELECT AVG(confidence >= ?) FROM {PROMPT_HISTORY} WHERE confidence IS NOT NULL",
                [confidence],
            ).fetchone()
            return share

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
                row["guardrails"], _ = _decode_guardrails(row["guardrails"])
                out.write(",\n" if count else "\n")
                out.write(json.dumps(row, ensure_ascii=False))
                count += 1
            out.write("\n]\n" if count else "]\n")
        return count

    # -- comparisons -----------------------------------------------------------------

    def save_comparison(
        self, zero_shot_run_id: int, few_shot_run_id: int, verdict: str, idea: str
    ) -> int:
        """Record which run of `idea` was better ('zero-shot', 'few-shot' or 'tie'); its id."""
        if verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}, got {verdict!r}")
        row = {
            "timestamp": _timestamp_text(datetime.now(UTC)),
            "idea": idea,
            "zero_shot_run_id": zero_shot_run_id,
            "few_shot_run_id": few_shot_run_id,
            "verdict": verdict,
        }

        def insert(db: Database) -> int:
            table = db.table(COMPARISONS)
            table.insert(row)
            return table.last_rowid

        return self._write(insert)

    def recent_comparisons(self, limit: int = 20) -> list[dict[str, Any]]:
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
                {**row, "timestamp": datetime.fromisoformat(row["timestamp"]).replace(tzinfo=UTC)}
                for row in rows
            ]

    def comparison_win_rates(self) -> dict[str, Any]:
        """{'total': n, verdict: {'wins': k, 'rate': k / n}} for each verdict; rate None if n=0."""
        counts = ", ".join(f"COALESCE(SUM(verdict = '{verdict}'), 0)" for verdict in VERDICTS)
        with self._database() as db:
            total, *wins = db.execute(f"SELECT COUNT(*), {counts} FROM {COMPARISONS}").fetchone()
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
        run_row = _eval_run_row(run)

        def insert(db: Database) -> int:
            table = db.table(EVAL_RUNS)
            table.insert(run_row)
            run_id = table.last_rowid
            db.table(EVAL_RESULTS).insert_all(_eval_result_row(run_id, r) for r in results)
            return run_id

        return self._write(insert)

    def eval_runs(self, limit: int = 50) -> list[dict[str, Any]]:
        """Evaluation runs, newest first, as `save_eval_run` took them plus their id."""
        with self._database() as db:
            rows = db.table(EVAL_RUNS).rows_where(order_by="id DESC", limit=limit)
            return [_to_eval_run(row) for row in rows]

    def get_eval_run(self, run_id: int) -> dict[str, Any] | None:
        """One evaluation run (without its results), or None."""
        with self._database() as db:
            rows = list(db.table(EVAL_RUNS).rows_where("id = ?", [run_id]))
        return _to_eval_run(rows[0]) if rows else None

    def eval_results(self, run_id: int) -> list[dict[str, Any]]:
        """A run's results by example_index, each with its prompt run's original_idea and
        improved_prompt ('' when there is no such prompt run any more)."""
        with self._database() as db:
            rows = db.query(
                f"SELECT r.example_index, r.prompt_run_id, r.score, r.parts_json, r.error,"
                f" COALESCE(p.original_idea, '') AS original_idea,"
                f" COALESCE(p.improved_prompt, '') AS improved_prompt"
                f" FROM {EVAL_RESULTS} r LEFT JOIN {PROMPT_HISTORY} p ON p.id = r.prompt_run_id"
                " WHERE r.eval_run_id = ? ORDER BY r.example_index",
                [run_id],
            )
            return [_with_parts(row) for row in rows]

    # -- connection ------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection; the next operation opens it again."""
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
                self._verified = False

    def _write(self, change: Callable[[Database], T]) -> T:
        """`change(db)` in one committed write transaction, retried while the file is locked.

        Each attempt waits up to BUSY_TIMEOUT_S for the lock; a failed attempt is rolled
        back, so retrying never writes twice.
        """
        deadline = time.monotonic() + WRITE_DEADLINE_S
        while True:
            try:
                with self._database() as db:
                    self._verify(db)
                    with write_transaction(db):
                        return change(db)
            except RepositoryConnectionError as error:
                if not _is_busy(error.__cause__) or time.monotonic() >= deadline:
                    raise
            time.sleep(random.uniform(0.01, 0.1))  # let the other writers through

    def _verify(self, db: Database, *, again: bool = False) -> None:
        """Check the file's integrity once per connection (before its first write), or
        `again`; raises sqlite3.DatabaseError ("malformed") when the file is damaged."""
        if self._verified and not again:
            return
        self._verified = False
        problems = [row[0] for row in db.execute("PRAGMA quick_check(3)").fetchall()]
        if problems != ["ok"]:
            raise sqlite3.DatabaseError(f"database disk image is malformed ({problems[0]})")
        self._verified = True

    @contextmanager
    def _database(self) -> Iterator[Database]:
        """The open, migrated database, held under the lock; sqlite3 errors become typed."""
        with self._lock:
            try:
                yield self._open()
            except sqlite3.IntegrityError as error:
                raise RepositoryConstraintError(
                    f"History database {self.path} rejected the run: {error}"
                ) from error
            except sqlite3.Error as error:
                if not _is_busy(error):  # a lock passes; anything else may need a fresh open
                    self.close()
                raise RepositoryConnectionError(self._describe(error)) from error
            except OSError as error:  # the file could not be read at all (EIO, ...)
                self.close()
                raise RepositoryConnectionError(
                    f"Cannot read history database {self.path}: {error.strerror or error}"
                ) from error

    def _open(self) -> Database:
        if self._db is not None:
            return self._db
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise RepositoryConnectionError(
                f"Cannot open history database {self.path}: cannot create directory"
                f" {self.path.parent} ({error.strerror or error}); set SQLITE_DB_PATH"
                " to a writable location"
            ) from error
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, check_same_thread=False)
        conn.text_factory = _decode_text
        db = Database(conn, execute_plugins=False)
        try:
            db.execute("PRAGMA cell_size_check = ON")
            if self.wal:
                db.enable_wal()
                db.execute("PRAGMA synchronous=NORMAL")
            else:
                db.disable_wal()
            migrate(db)
        except BaseException:
            db.close()
            raise
        self._db = db
        return db

    def _describe(self, error: sqlite3.Error) -> str:
        reason = str(error)
        disk = _disk_problem(self.path) if "disk" in reason.lower() else ""
        if disk:
            return f"Cannot write history database {self.path}: {disk}"
        hint = next(
            (hint for key, hint in _HINTS if key in reason.lower()),
            "check the file or set SQLITE_DB_PATH",
        )
        return f"Cannot open history database {self.path}: {reason} ({hint})"

    @contextmanager
    def _stored_rows(self, filters: RunFilter | None) -> Iterator[Iterator[dict[str, Any]]]:
        """Matching rows as stored, by id, fetched lazily while the lock is held."""
        with self._database() as db:
            where, params = _where(db, filters or RunFilter())
            rows = db.table(PROMPT_HISTORY).rows_where(
                where, params, order_by="id", select=", ".join(COLUMNS)
            )
            try:
                yield rows
            finally:
                rows.close()  # an abandoned cursor would pin an old snapshot


def _to_row(run: PromptRun) -> dict[str, Any]:
    row = {column: getattr(run, column) for column in COLUMNS}
    row["timestamp"] = _timestamp_text(run.timestamp)
    row["guardrails"] = json.dumps(list(run.guardrails), ensure_ascii=False)
    if row["id"] is None:
        del row["id"]
    return row


def _to_run(row: dict[str, Any]) -> PromptRun:
    """The stored row as a run; a damaged row is shown as far as it reads, marked `damaged`."""
    guardrails, problem = _decode_guardrails(row["guardrails"])
    fields = {
        **row,
        "guardrails": guardrails,
        "context": row["context"] or "",
        "reasoning": row["reasoning"] or "",
        "model_version": row["model_version"] or "",
    }
    problems = [problem] if problem else []
    try:
        return PromptRun.model_validate({**fields, "damaged": "; ".join(problems)})
    except ValidationError as error:
        for detail in error.errors():
            name = str(detail["loc"][0]) if detail["loc"] else ""
            if name not in _REPAIRS:
                raise RepositoryError(
                    f"Run #{row.get('id')} in the history database is damaged beyond reading"
                    f" ({name}: {detail['msg']})."
                ) from None
            fields[name] = _REPAIRS[name]
            problems.append(f"{name} is not valid as stored")
    return PromptRun.model_validate({**fields, "damaged": "; ".join(problems)})


_REPAIRS: dict[str, Any] = {
    "timestamp": datetime(1970, 1, 1, tzinfo=UTC),
    "original_idea": "(empty)",
    "improved_prompt": "(empty)",
    "guardrails": ("(none stored)",),
    "confidence": None,
    "latency_ms": None,
}
"""What a damaged row shows for a field that cannot be read as stored."""


def _decode_guardrails(stored: Any) -> tuple[list[str], str]:
    """The stored guardrails as a list and '' or, for a damaged value, what is there and why."""
    try:
        value = json.loads(stored)
    except (TypeError, ValueError):
        return ([str(stored)] if str(stored or "").strip() else []), "guardrails are not JSON"
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value, ""
    return [json.dumps(value, ensure_ascii=False)], "guardrails are not a list of texts"


def _decode_text(data: bytes) -> str:
    """Stored text as str; bytes that are not UTF-8 (a damaged file) show as U+FFFD."""
    return data.decode("utf-8", errors="replace")


def _is_busy(error: BaseException | None) -> bool:
    """True for SQLite's "database is locked" / "busy": another connection holds the lock."""
    return isinstance(error, sqlite3.OperationalError) and any(
        reason in str(error).lower() for reason in _BUSY_REASONS
    )


def _disk_problem(path: Path) -> str:
    """What stops writes to `path` when SQLite reports a disk error: the disk holding it is
    full, or the process's file-size limit is reached; '' when neither is the case."""
    folder = path.parent
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return ""
    if free < _DISK_FULL_BYTES:
        return (
            f"the disk holding {folder} is full ({free // 1024} KiB free); free some space"
            " or delete old runs"
        )
    limit, _ = resource.getrlimit(resource.RLIMIT_FSIZE)
    sizes = [
        os.path.getsize(name)
        for name in (f"{path}", f"{path}-wal", f"{path}-journal")
        if os.path.exists(name)
    ]
    if limit != resource.RLIM_INFINITY and max(sizes, default=0) + _DISK_FULL_BYTES >= limit:
        return (
            f"the file-size limit of this process (ulimit -f, {limit // 1024} KiB) is reached;"
            " raise it or delete old runs"
        )
    return ""


def _timestamp_text(moment: datetime) -> str:
    """UTC text as stored; a naive datetime is taken to be UTC already."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(" ", "microseconds")  # years zero-padded to 4 digits


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
        ("timestamp >= ?", filters.since and _timestamp_text(filters.since)),
        ("timestamp <= ?", filters.until and _timestamp_text(filters.until)),
        (f"{term('confidence')} >= ?", filters.min_confidence),
        (f"{term('confidence')} <= ?", filters.max_confidence),
    ):
        if value is not None:
            clauses.append(clause)
            params.append(value)
    return (" AND ".join(clauses) or None), params


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
    column, _, direction = sort.strip().lower().partition(" ")
    direction = direction.strip() or "desc"
    if column not in SORT_COLUMNS or direction not in ("asc", "desc"):
        raise ValueError(
            f"sort must be '<column> asc|desc' with column one of {', '.join(SORT_COLUMNS)},"
            f" got {sort!r}"
        )
    if column == "timestamp":
        return column, f"timestamp {direction}"
    return column, f"{column} {direction}, id {direction}"


def _latency_percentile(db: Database, percent: int, known: int) -> int | None:
    """Nearest-rank percentile of the `known` non-NULL latencies, read at its offset."""
    if not known:
        return None
    rank = -(-percent * known // 100)  # ceil(percent/100 * known), 1-based
    (value,) = db.execute(
        f"SELECT latency_ms FROM {PROMPT_HISTORY} WHERE latency_ms IS NOT NULL"
        " ORDER BY latency_ms LIMIT 1 OFFSET ?",
        [rank - 1],
    ).fetchone()
    return value


@contextmanager
def _text_output(target: str | Path | TextIO) -> Iterator[TextIO]:
    """A path is opened (UTF-8) and closed; an open text file is used as it is.

    A path that cannot be written is an OutputError naming it; a new file left incomplete
    by a failed export is removed.
    """
    if not isinstance(target, str | Path):
        yield target
        return
    if not str(target).strip():
        raise OutputError("The output file name is empty; give a file path.")
    path = Path(target)
    created = not path.exists()
    try:
        with open(path, "w", encoding="utf-8", newline="") as out:
            yield out
    except OSError as error:
        if created and path.is_file():
            path.unlink()
        raise OutputError(_write_failure(path, error)) from error


def _write_failure(path: Path, error: OSError) -> str:
    """One line on why `path` could not be written, naming it and what to do."""
    if isinstance(error, IsADirectoryError) or path.is_dir():
        return f"Cannot write {path}: it is a directory; give a file name."
    if isinstance(error, FileNotFoundError) and not path.parent.is_dir():
        return f"Cannot write {path}: the directory {path.parent} does not exist."
    if error.errno == errno.ENOSPC:
        return f"Cannot write {path}: the disk holding it is full."
    return f"Cannot write {path}: {error.strerror or error}."


def _eval_run_row(run: dict[str, Any]) -> dict[str, Any]:
    return {
        "dataset": run["dataset"],
        "backend": run["backend"],
        "model": run["model"],
        "started": _timestamp_text(run["started"]),
        "finished": _timestamp_text(run["finished"]),
        "score": run["score"],
        "parts_json": json.dumps(run["parts"]),
        "example_count": run["example_count"],
    }


def _eval_result_row(run_id: int, result: dict[str, Any]) -> dict[str, Any]:
    return {
        "eval_run_id": run_id,
        "example_index": result["example_index"],
        "prompt_run_id": result["prompt_run_id"],
        "score": result["score"],
        "parts_json": json.dumps(result["parts"]),
        "error": result.get("error") or "",
    }


def _with_parts(row: dict[str, Any]) -> dict[str, Any]:
    """`row` with parts_json decoded into `parts`."""
    decoded = {key: value for key, value in row.items() if key != "parts_json"}
    try:
        parts = json.loads(row["parts_json"])
    except (TypeError, ValueError):
        parts = {}
    return {**decoded, "parts": parts if isinstance(parts, dict) else {}}


def _to_eval_run(row: dict[str, Any]) -> dict[str, Any]:
    return {
        **_with_parts(row),
        "started": datetime.fromisoformat(row["started"]).replace(tzinfo=UTC),
        "finished": datetime.fromisoformat(row["finished"]).replace(tzinfo=UTC),
    }
