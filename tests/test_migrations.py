"""The schema a blank database migrates to, checked on real SQLite files."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest

from promptimp.history import SQLiteStore
from promptimp.history.sqlite.migrations import migrations

EXPECTED_COLUMNS = [
    # (cid, name, type, notnull, default, pk) as PRAGMA table_info reports them
    (0, "id", "INTEGER", 0, None, 1),
    (1, "timestamp", "DATETIME", 1, "CURRENT_TIMESTAMP", 0),
    (2, "original_idea", "TEXT", 1, None, 0),
    (3, "context", "TEXT", 0, "''", 0),
    (4, "improved_prompt", "TEXT", 1, None, 0),
    (5, "role", "TEXT", 1, None, 0),
    (6, "directive", "TEXT", 1, None, 0),
    (7, "framework", "TEXT", 1, None, 0),
    (8, "guardrails", "TEXT", 1, None, 0),
    (9, "backend", "TEXT", 1, None, 0),
    (10, "confidence", "REAL", 0, None, 0),
    (11, "reasoning", "TEXT", 0, None, 0),
    (12, "latency_ms", "INTEGER", 0, None, 0),
    (13, "model_version", "TEXT", 0, None, 0),
    (14, "author", "TEXT", 0, None, 0),
    (15, "parent_id", "INTEGER", 0, None, 0),
    (16, "feedback", "TEXT", 1, "''", 0),
    (17, "keeper", "BOOLEAN", 1, "0", 0),
]

ANSWER_COLUMNS = [
    ("prompt", "TEXT", 1),
    ("answer", "TEXT", 1),
    ("latency_ms", "INTEGER", 1),
    ("prompt_tokens", "INTEGER", 0),
    ("completion_tokens", "INTEGER", 0),
]
EXPECTED_TRIAL_COLUMNS = [
    (0, "id", "INTEGER", 0, None, 1),
    (1, "run_id", "INTEGER", 1, None, 0),
    (2, "timestamp", "DATETIME", 1, "CURRENT_TIMESTAMP", 0),
    (3, "target_model", "TEXT", 1, None, 0),
    *(
        (4 + index, f"{side}_{name}", kind, notnull, None, 0)
        for index, (side, (name, kind, notnull)) in enumerate(
            (side, column) for side in ("original", "improved") for column in ANSWER_COLUMNS
        )
    ),
]
GOOD_TRIAL = {
    "target_model": "openai/gpt-4o-mini",
    **{
        f"{side}_{name}": value
        for side in ("original", "improved")
        for name, value in (("prompt", "p"), ("answer", "a"), ("latency_ms", 5))
    },
}

GOOD_ROW = {
    "original_idea": "idea",
    "improved_prompt": "prompt",
    "role": "role",
    "directive": "directive",
    "framework": "react",
    "guardrails": '["a", "b", "c"]',
    "backend": "zero-shot",
    "confidence": 0.5,
    "latency_ms": 10,
}


@pytest.fixture
def migrated(db_path):
    SQLiteStore(db_path).check()
    conn = sqlite3.connect(db_path)
    yield conn
    conn.close()


def insert_raw(conn: sqlite3.Connection, **overrides: object) -> None:
    row = {**GOOD_ROW, **overrides}
    columns = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    with conn:
        conn.execute(f"INSERT INTO prompt_history ({columns}) VALUES ({marks})", list(row.values()))


def insert_trial(conn: sqlite3.Connection, **overrides: object) -> None:
    row = {**GOOD_TRIAL, **overrides}
    with conn:
        conn.execute(
            f"INSERT INTO trials ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})",
            list(row.values()),
        )


def count(conn: sqlite3.Connection, table: str) -> int:
    (rows,) = conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
    return rows


def test_blank_database_gets_exactly_the_columns(migrated):
    assert migrated.execute("PRAGMA table_info(prompt_history)").fetchall() == EXPECTED_COLUMNS
    assert migrated.execute("PRAGMA table_info(run_tags)").fetchall() == [
        (0, "run_id", "INTEGER", 1, None, 1),
        (1, "tag", "TEXT", 1, None, 2),
    ]
    assert migrated.execute("PRAGMA table_info(trials)").fetchall() == EXPECTED_TRIAL_COLUMNS


def test_checks_and_autoincrement_are_in_the_schema(migrated):
    (schema,) = migrated.execute(
        "SELECT sql FROM sqlite_master WHERE name = 'prompt_history'"
    ).fetchone()
    assert "id INTEGER PRIMARY KEY AUTOINCREMENT" in schema
    assert "CHECK(confidence IS NULL OR (confidence >= 0.0 AND confidence <= 1.0))" in schema
    assert "CHECK(latency_ms IS NULL OR latency_ms >= 0)" in schema


def test_indexes_fts_table_and_triggers_exist(migrated):
    def names(kind: str) -> set[str]:
        rows = migrated.execute("SELECT name FROM sqlite_master WHERE type = ?", [kind])
        return {name for (name,) in rows}

    indexes = {
        name: [row[2] for row in migrated.execute(f"PRAGMA index_info({name})")]
        for name in names("index")
        if name.startswith("idx_prompt_history")
    }
    assert indexes == {
        "idx_prompt_history_timestamp": [
            "timestamp",
            "backend",
            "model_version",
            "confidence",
            "latency_ms",
        ],
        "idx_prompt_history_backend": ["backend", "timestamp", "confidence", "latency_ms"],
        "idx_prompt_history_model_version": [
            "model_version",
            "timestamp",
            "confidence",
            "latency_ms",
        ],
        "idx_prompt_history_confidence": ["confidence"],
        "idx_prompt_history_latency_ms": ["latency_ms"],
        "idx_prompt_history_author": ["author", "timestamp"],
        "idx_prompt_history_day": [None, "backend", "confidence", "latency_ms"],  # None: expr
        "idx_prompt_history_parent_id": ["parent_id"],
    }
    assert [row[2] for row in migrated.execute("PRAGMA index_info(idx_run_tags_tag)")] == [
        "tag",
        "run_id",
    ]
    assert [row[2] for row in migrated.execute("PRAGMA index_info(idx_trials_run_id)")] == [
        "run_id",
        "timestamp",
    ]
    assert "prompt_history_fts" in names("table")
    assert names("trigger") == {
        "prompt_history_ai",
        "prompt_history_ad",
        "prompt_history_au",
        "prompt_history_parent_exists",
        "prompt_history_reparent",
        "prompt_history_run_tags_ad",
        "prompt_history_trials_ad",
        "run_tags_run_exists",
        "trials_run_exists",
    }
    fts_columns = [row[1] for row in migrated.execute("PRAGMA table_info(prompt_history_fts)")]
    assert fts_columns == ["original_idea", "context", "improved_prompt"]


def test_migrations_are_named_in_order_and_applied_once(db_path):
    names = [migration.name for migration in migrations._migrations]
    assert names == sorted(names)
    assert all(name[:5] == f"m{index:03d}_" for index, name in enumerate(names, start=1))
    SQLiteStore(db_path).check()
    SQLiteStore(db_path).check()
    conn = sqlite3.connect(db_path)
    applied = conn.execute(
        "SELECT name FROM _sqlite_migrations WHERE migration_set = 'promptimp' ORDER BY id"
    ).fetchall()
    conn.close()
    assert [name for (name,) in applied] == names


def test_a_valid_raw_row_is_accepted_with_defaults(migrated):
    insert_raw(migrated)
    context, timestamp = migrated.execute(
        "SELECT context, timestamp FROM prompt_history"
    ).fetchone()
    assert context == ""
    assert len(timestamp) == len("YYYY-MM-DD HH:MM:SS")


@pytest.mark.parametrize(
    "overrides",
    [
        {"confidence": -0.01},
        {"confidence": 1.01},
        {"latency_ms": -1},
        {"original_idea": None},
        {"improved_prompt": None},
        {"role": None},
        {"directive": None},
        {"framework": None},
        {"guardrails": None},
        {"backend": None},
        {"timestamp": None},
    ],
    ids=repr,
)
def test_constraints_reject_bad_rows(migrated, overrides):
    with pytest.raises(sqlite3.IntegrityError):
        insert_raw(migrated, **overrides)
    assert migrated.execute("SELECT COUNT(*) FROM prompt_history").fetchone() == (0,)


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"parent_id": 7}, "parent_id names no stored run"),
        ({"id": 1, "parent_id": 1}, "parent_id names no stored run"),
        ({"keeper": 2}, "CHECK constraint failed: keeper IN (0, 1)"),
        ({"feedback": None}, "NOT NULL constraint failed: prompt_history.feedback"),
    ],
    ids=repr,
)
def test_version_columns_reject_bad_rows(migrated, overrides, reason):
    with pytest.raises(sqlite3.IntegrityError) as caught:
        insert_raw(migrated, **overrides)
    assert str(caught.value) == reason
    assert count(migrated, "prompt_history") == 0


def test_a_parent_must_be_older_than_its_child(migrated):
    insert_raw(migrated, id=5)
    with pytest.raises(sqlite3.IntegrityError) as caught:
        insert_raw(migrated, id=3, parent_id=5)
    assert str(caught.value) == "CHECK constraint failed: parent_id IS NULL OR parent_id < id"
    insert_raw(migrated, id=6, parent_id=5)
    assert migrated.execute(
        "SELECT id, parent_id, feedback, keeper FROM prompt_history"
    ).fetchall() == [
        (5, None, "", 0),
        (6, 5, "", 0),
    ]


@pytest.mark.parametrize(
    ("table", "row", "reason"),
    [
        ("run_tags", {"run_id": 9, "tag": "tested"}, "run_id names no stored run"),
        ("run_tags", {"run_id": 1, "tag": ""}, "CHECK constraint failed: tag <> ''"),
        ("run_tags", {"run_id": 1, "tag": None}, "NOT NULL constraint failed: run_tags.tag"),
        ("trials", {**GOOD_TRIAL, "run_id": 9}, "run_id names no stored run"),
        (
            "trials",
            {**GOOD_TRIAL, "run_id": 1, "improved_latency_ms": -1},
            "CHECK constraint failed: improved_latency_ms >= 0",
        ),
        (
            "trials",
            {**GOOD_TRIAL, "run_id": 1, "original_prompt_tokens": -1},
            "CHECK constraint failed: original_prompt_tokens IS NULL"
            " OR original_prompt_tokens >= 0",
        ),
        (
            "trials",
            {**GOOD_TRIAL, "run_id": 1, "original_answer": None},
            "NOT NULL constraint failed: trials.original_answer",
        ),
    ],
    ids=repr,
)
def test_tags_and_trials_reject_bad_rows(migrated, table, row, reason):
    insert_raw(migrated, id=1)
    with pytest.raises(sqlite3.IntegrityError) as caught, migrated:
        migrated.execute(
            f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})",
            list(row.values()),
        )
    assert str(caught.value) == reason
    assert count(migrated, table) == 0


def test_deleting_runs_takes_their_tags_and_trials_and_keeps_chains_whole(migrated):
    for run_id, parent in [(1, None), (2, 1), (3, 2), (4, 3), (5, 2)]:
        insert_raw(migrated, id=run_id, parent_id=parent)
    with migrated:
        migrated.executemany("INSERT INTO run_tags VALUES (?, ?)", [(2, "a"), (2, "b"), (4, "a")])
    insert_trial(migrated, run_id=2)
    insert_trial(migrated, run_id=4)
    with migrated:
        migrated.execute("DELETE FROM prompt_history WHERE id IN (2, 3)")
    assert migrated.execute("SELECT id, parent_id FROM prompt_history ORDER BY id").fetchall() == [
        (1, None),
        (4, 1),
        (5, 1),
    ]
    assert migrated.execute("SELECT run_id, tag FROM run_tags").fetchall() == [(4, "a")]
    assert migrated.execute("SELECT run_id FROM trials").fetchall() == [(4,)]
    with migrated:
        migrated.execute("DELETE FROM prompt_history WHERE id = 1")
    assert migrated.execute("SELECT id, parent_id FROM prompt_history ORDER BY id").fetchall() == [
        (4, None),
        (5, None),
    ]


def pg_rows(url: str, sql: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchall()


def test_postgresql_gets_the_same_tables_with_references(pg_url):
    columns = pg_rows(
        pg_url,
        "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns"
        " WHERE table_name IN ('run_tags', 'trials') ORDER BY table_name, ordinal_position",
    )
    sqlite_type = {"bigint": "INTEGER", "text": "TEXT", "timestamp with time zone": "DATETIME"}
    assert [(name, kind) for table, name, kind, _ in columns if table == "run_tags"] == [
        ("run_id", "bigint"),
        ("tag", "text"),
    ]
    assert [
        (name, sqlite_type[kind], nullable == "NO")
        for table, name, kind, nullable in columns
        if table == "trials"
    ] == [
        (name, kind, bool(notnull or pk))
        for _, name, kind, notnull, _, pk in EXPECTED_TRIAL_COLUMNS
    ]
    constraints = pg_rows(
        pg_url,
        "SELECT conrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid IN ('run_tags'::regclass, 'trials'::regclass,"
        " 'prompt_history'::regclass) AND contype IN ('f', 'p') ORDER BY 1, 2",
    )
    assert constraints == [
        ("prompt_history", "FOREIGN KEY (parent_id) REFERENCES prompt_history(id)"
         " DEFERRABLE INITIALLY DEFERRED"),
        ("prompt_history", "PRIMARY KEY (id)"),
        ("run_tags", "FOREIGN KEY (run_id) REFERENCES prompt_history(id) ON DELETE CASCADE"),
        ("run_tags", "PRIMARY KEY (run_id, tag)"),
        ("trials", "FOREIGN KEY (run_id) REFERENCES prompt_history(id) ON DELETE CASCADE"),
        ("trials", "PRIMARY KEY (id)"),
    ]  # fmt: skip
    checks = pg_rows(
        pg_url,
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid = 'trials'::regclass AND contype = 'c' ORDER BY 1",
    )
    assert checks == [
        *(
            (f"CHECK ((({side}_{count} IS NULL) OR ({side}_{count} >= 0)))",)
            for side in ("improved", "original")
            for count in ("completion_tokens", "prompt_tokens")
        ),
        ("CHECK ((improved_latency_ms >= 0))",),
        ("CHECK ((original_latency_ms >= 0))",),
    ]


def test_wal_is_on_by_default_and_off_when_disabled(tmp_path):
    def journal_mode(path) -> str:
        conn = sqlite3.connect(path)
        (mode,) = conn.execute("PRAGMA journal_mode").fetchone()
        conn.close()
        return mode

    SQLiteStore(tmp_path / "wal.db").check()
    SQLiteStore(tmp_path / "plain.db", wal=False).check()
    assert journal_mode(tmp_path / "wal.db") == "wal"
    assert journal_mode(tmp_path / "plain.db") == "delete"
