"""Comparisons of zero-shot against few-shot on both backends: saving verdicts, win rates;
and the SQLite table itself."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest

from promptimp.history.filters import VERDICTS
from promptimp.history.records import VerdictShare, WinRates
from promptimp.models import BackendType, RepositoryConstraintError


@pytest.fixture
def pair(store, make_run) -> tuple[int, int]:
    zero = store.save(make_run(backend=BackendType.ZERO_SHOT, confidence=0.6, latency_ms=900))
    few = store.save(make_run(backend=BackendType.FEW_SHOT, confidence=0.9, latency_ms=1500))
    return zero.id, few.id


def test_blank_database_gets_the_comparisons_table(sqlite_store, db_path):
    sqlite_store.check()
    conn = sqlite3.connect(db_path)
    columns = [row[1:3] for row in conn.execute("PRAGMA table_info(comparisons)")]
    conn.close()
    assert columns == [
        ("id", "INTEGER"),
        ("timestamp", "DATETIME"),
        ("idea", "TEXT"),
        ("zero_shot_run_id", "INTEGER"),
        ("few_shot_run_id", "INTEGER"),
        ("verdict", "TEXT"),
    ]


def test_saved_comparison_comes_back_with_both_runs_figures(store, pair):
    before = datetime.now(UTC)
    comparison_id = store.save_comparison(*pair, "few-shot", "Design a REST API")
    (row,) = store.recent_comparisons()
    assert comparison_id == 1
    assert before <= row.timestamp <= datetime.now(UTC)
    assert row.model_dump(exclude={"timestamp"}) == {
        "id": 1,
        "idea": "Design a REST API",
        "verdict": "few-shot",
        "zero_shot_run_id": pair[0],
        "zero_shot_confidence": 0.6,
        "zero_shot_latency_ms": 900,
        "few_shot_run_id": pair[1],
        "few_shot_confidence": 0.9,
        "few_shot_latency_ms": 1500,
    }


def test_recent_comparisons_are_newest_first_and_limited(store, pair):
    for verdict in ("zero-shot", "tie", "few-shot"):
        store.save_comparison(*pair, verdict, "idea")
    assert [row.verdict for row in store.recent_comparisons(limit=2)] == ["few-shot", "tie"]


def test_a_deleted_run_leaves_the_comparison_with_unknown_figures(store, pair):
    store.save_comparison(*pair, "zero-shot", "idea")
    store.delete(pair[0])
    (row,) = store.recent_comparisons()
    assert row.zero_shot_confidence is None and row.zero_shot_latency_ms is None
    assert row.few_shot_confidence == 0.9


def test_win_rates_are_shares_of_all_comparisons(store, pair):
    for verdict in ("few-shot", "few-shot", "zero-shot", "tie"):
        store.save_comparison(*pair, verdict, "idea")
    assert store.comparison_win_rates() == WinRates(
        total=4,
        verdicts={
            "zero-shot": VerdictShare(wins=1, rate=0.25),
            "few-shot": VerdictShare(wins=2, rate=0.5),
            "tie": VerdictShare(wins=1, rate=0.25),
        },
    )


def test_win_rates_of_no_comparisons_are_unknown(store):
    assert store.comparison_win_rates() == WinRates(
        total=0,
        verdicts={verdict: VerdictShare(wins=0, rate=None) for verdict in VERDICTS},
    )


def test_an_unknown_verdict_is_refused_and_nothing_stored(store, pair):
    with pytest.raises(ValueError, match="verdict must be one of zero-shot, few-shot, tie"):
        store.save_comparison(*pair, "both", "idea")
    assert store.comparison_win_rates().total == 0


def test_the_schema_itself_rejects_an_unknown_verdict(sqlite_store, db_path):
    sqlite_store.check()
    conn = sqlite3.connect(db_path)
    with pytest.raises(sqlite3.IntegrityError), conn:
        conn.execute("INSERT INTO comparisons (idea, verdict) VALUES ('idea', 'both')")
    conn.close()


def test_a_missing_idea_is_a_typed_constraint_error(store, pair):
    with pytest.raises(RepositoryConstraintError):
        store.save_comparison(*pair, "tie", None)  # type: ignore[arg-type]
