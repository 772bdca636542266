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


# SQLite's foreign keys stay off (comparisons and evaluation results keep the ids of deleted
# runs), so the version, tag and trial tables get from triggers what references would give.


@migrations()
def m007_prompt_history_versions(db: Database) -> None:
    """Versions: the run a run refines (parent_id), the feedback that made it, the keeper.

    A parent must be a stored, older run (parent_id < id, so chains never loop). Deleting a
    run hands its children to its own parent, so a chain still resolves past a deleted
    version (deleting a first version makes each child the first of its own chain).
    """
    for sql in (
        f"ALTER TABLE {PROMPT_HISTORY} ADD COLUMN parent_id INTEGER"
        " CHECK(parent_id IS NULL OR parent_id < id)",
        f"ALTER TABLE {PROMPT_HISTORY} ADD COLUMN feedback TEXT NOT NULL DEFAULT ''",
        f"ALTER TABLE {PROMPT_HISTORY} ADD COLUMN keeper BOOLEAN NOT NULL DEFAULT 0"
        " CHECK(keeper IN (0, 1))",
        f"CREATE INDEX idx_{PROMPT_HISTORY}_parent_id ON {PROMPT_HISTORY} (parent_id)"
        " WHERE parent_id IS NOT NULL",
        f"""CREATE TRIGGER {PROMPT_HISTORY}_parent_exists BEFORE INSERT ON {PROMPT_HISTORY}
WHEN NEW.parent_id IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM {PROMPT_HISTORY} WHERE id = NEW.parent_id)
BEGIN SELECT RAISE(ABORT, 'parent_id names no stored run'); END""",
        f"""CREATE TRIGGER {PROMPT_HISTORY}_reparent AFTER DELETE ON {PROMPT_HISTORY}
BEGIN UPDATE {PROMPT_HISTORY} SET parent_id = OLD.parent_id WHERE parent_id = OLD.id; END""",
    ):
        db.execute(sql)


RUN_TAGS = "run_tags"
TRIALS = "trials"


@migrations()
def m008_run_tags(db: Database) -> None:
    """A run's tags (normalised by the caller); a tag needs its run and goes with it."""
    for sql in (
        f"""CREATE TABLE {RUN_TAGS} (
    run_id INTEGER NOT NULL,
    tag TEXT NOT NULL CHECK(tag <> ''),
    PRIMARY KEY (run_id, tag)
)""",
        f"CREATE INDEX idx_{RUN_TAGS}_tag ON {RUN_TAGS} (tag, run_id)",
        _needs_run(RUN_TAGS),
        _goes_with_run(RUN_TAGS),
    ):
        db.execute(sql)


@migrations()
def m009_trials(db: Database) -> None:
    """A run's prompt and its original idea, each tried on a target model; a trial needs its
    run and goes with it."""
    answers = ",\n    ".join(
        f"{side}_prompt TEXT NOT NULL, {side}_answer TEXT NOT NULL,"
        f" {side}_latency_ms INTEGER NOT NULL CHECK({side}_latency_ms >= 0),"
        f" {side}_prompt_tokens INTEGER"
        f" CHECK({side}_prompt_tokens IS NULL OR {side}_prompt_tokens >= 0),"
        f" {side}_completion_tokens INTEGER"
        f" CHECK({side}_completion_tokens IS NULL OR {side}_completion_tokens >= 0)"
        for side in ("original", "improved")
    )
    for sql in (
        f"""CREATE TABLE {TRIALS} (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id INTEGER NOT NULL,
    timestamp DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL,
    target_model TEXT NOT NULL,
    {answers}
)""",
        f"CREATE INDEX idx_{TRIALS}_run_id ON {TRIALS} (run_id, timestamp)",
        _needs_run(TRIALS),
        _goes_with_run(TRIALS),
    ):
        db.execute(sql)


def _needs_run(table: str) -> str:
    """A trigger refusing a row of `table` whose run_id names no stored run."""
    return f"""CREATE TRIGGER {table}_run_exists BEFORE INSERT ON {table}
WHEN NOT EXISTS (SELECT 1 FROM {PROMPT_HISTORY} WHERE id = NEW.run_id)
BEGIN SELECT RAISE(ABORT, 'run_id names no stored run'); END"""


def _goes_with_run(table: str) -> str:
    """A trigger deleting the rows of `table` that belong to a deleted run."""
    return f"""CREATE TRIGGER {PROMPT_HISTORY}_{table}_ad AFTER DELETE ON {PROMPT_HISTORY}
BEGIN DELETE FROM {table} WHERE run_id = OLD.id; END"""


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
