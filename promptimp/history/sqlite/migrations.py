"""Schema of the history database: append-only sqlite-utils migrations, applied on open.

Never edit or reorder a migration that has shipped; add the next `mNNN_what` function
at the end instead. `migrate(db)` applies whatever is pending.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from promptimp.history.sqlite.sqlite_lib import Database, Migrations

migrations = Migrations("promptimp")

PROMPT_HISTORY = "prompt_history"
COMPARISONS = "comparisons"


@migrations()
def m001_create_prompt_history(db: Database) -> None:
    db.execute(
        """
CREATE TABLE prompt_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    timestamp DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL,
    original_idea TEXT NOT NULL, context TEXT DEFAULT '',
    improved_prompt TEXT NOT NULL, role TEXT NOT NULL, directive TEXT NOT NULL,
    framework TEXT NOT NULL, guardrails TEXT NOT NULL, backend TEXT NOT NULL,
    confidence REAL, reasoning TEXT, latency_ms INTEGER, model_version TEXT,
    CHECK(confidence IS NULL OR (confidence >= 0.0 AND confidence <= 1.0)),
    CHECK(latency_ms IS NULL OR latency_ms >= 0)
)"""
    )


@migrations()
def m002_prompt_history_indexes(db: Database) -> None:
    """Indexes for each filter and sort, wide enough to answer most queries on their own.

    A time-ordered page checks every other filter inside the timestamp index; the backend,
    model and day indexes cover the aggregates (statistics, charts), which then never read
    a row's large text columns. The day index groups daily_summary without sorting.
    """
    table = db.table(PROMPT_HISTORY)
    for columns in (
        ["timestamp", "backend", "model_version", "confidence", "latency_ms"],
        ["backend", "timestamp", "confidence", "latency_ms"],
        ["model_version", "timestamp", "confidence", "latency_ms"],
        ["confidence"],
        ["latency_ms"],
    ):
        table.create_index(columns, index_name=f"idx_{PROMPT_HISTORY}_{columns[0]}")
    db.execute(
        f"CREATE INDEX idx_{PROMPT_HISTORY}_day ON {PROMPT_HISTORY}"
        " (substr(timestamp, 1, 10), backend, confidence, latency_ms)"
    )


@migrations()
def m003_prompt_history_fts(db: Database) -> None:
    db.table(PROMPT_HISTORY).enable_fts(
        ["original_idea", "context", "improved_prompt"], create_triggers=True, tokenize="porter"
    )


@migrations()
def m004_comparisons(db: Database) -> None:
    """Verdicts on one idea improved by both backends; run ids dangle once runs are deleted."""
    db.execute(
        """
CREATE TABLE comparisons (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    timestamp DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL,
    idea TEXT NOT NULL,
    zero_shot_run_id INTEGER REFERENCES prompt_history(id) ON DELETE SET NULL,
    few_shot_run_id INTEGER REFERENCES prompt_history(id) ON DELETE SET NULL,
    verdict TEXT NOT NULL CHECK(verdict IN ('zero-shot', 'few-shot', 'tie'))
)"""
    )


EVAL_RUNS = "eval_runs"
EVAL_RESULTS = "eval_results"


@migrations()
def m005_eval_runs(db: Database) -> None:
    """Evaluation runs (one backend over one dataset) and their per-example scores.

    `prompt_run_id` is NULL when saving that prompt run failed, and dangles once it is deleted.
    """
    db.execute(
        """
CREATE TABLE eval_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dataset TEXT NOT NULL, backend TEXT NOT NULL, model TEXT NOT NULL,
    started DATETIME NOT NULL, finished DATETIME NOT NULL,
    score REAL NOT NULL, parts_json TEXT NOT NULL DEFAULT '{}',
    example_count INTEGER NOT NULL,
    CHECK(score >= 0.0 AND score <= 1.0),
    CHECK(example_count >= 0)
)"""
    )
    db.execute(
        """
CREATE TABLE eval_results (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    eval_run_id INTEGER NOT NULL REFERENCES eval_runs(id) ON DELETE CASCADE,
    example_index INTEGER NOT NULL,
    prompt_run_id INTEGER REFERENCES prompt_history(id) ON DELETE SET NULL,
    score REAL NOT NULL, parts_json TEXT NOT NULL DEFAULT '{}', error TEXT NOT NULL DEFAULT '',
    UNIQUE(eval_run_id, example_index),
    CHECK(score >= 0.0 AND score <= 1.0)
)"""
    )


@migrations()
def m006_prompt_history_author(db: Database) -> None:
    """Who made each run; NULL for runs stored before it was recorded."""
    db.execute(f"ALTER TABLE {PROMPT_HISTORY} ADD COLUMN author TEXT")
    db.table(PROMPT_HISTORY).create_index(
        ["author", "timestamp"], index_name=f"idx_{PROMPT_HISTORY}_author"
    )


def migrate(db: Database) -> None:
    """Apply pending migrations inside one write transaction.

    The write lock is taken before re-reading what is pending, so processes opening a
    blank database at the same moment wait for each other instead of racing.
    """
    if migrations.pending(db):
        with write_transaction(db):
            migrations.apply(db)


@contextmanager
def write_transaction(db: Database) -> Iterator[Database]:
    """`BEGIN IMMEDIATE` ... `COMMIT`, rolled back on error (a failed COMMIT included).

    Taking the write lock up front waits out the busy timeout; a deferred transaction that
    reads first fails at once ("database is locked") if another process wrote meanwhile.
    """
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
        db.commit()
    except BaseException:
        db.rollback()
        raise
