"""The schema a blank database migrates to, checked on real SQLite files."""

from __future__ import annotations

import sqlite3

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
]

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


def test_blank_database_gets_exactly_the_columns(migrated):
    assert migrated.execute("PRAGMA table_info(prompt_history)").fetchall() == EXPECTED_COLUMNS


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
    }
    assert "prompt_history_fts" in names("table")
    assert names("trigger") == {"prompt_history_ai", "prompt_history_ad", "prompt_history_au"}
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
