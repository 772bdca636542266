"""Stored evaluation runs: the schema, loading, and comparisons with exact numbers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from eval.datasets import load_dataset
from eval.reports import compare_reports, compare_runs
from eval.runner import evaluate_backend
from promptimp.history import HistoryStore, SQLiteStore
from promptimp.history.records import EvalReport, ExampleResult
from promptimp.models import InputError
from tests.support import query

# -- comparing hand-made stored runs -----------------------------------------------------------

WHEN = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


def store_run(store: HistoryStore, backend: str, scores: dict[int, float], parts: dict) -> int:
    report = EvalReport(
        dataset="hand-made",
        backend=backend,
        model="test/model",
        started=WHEN,
        finished=WHEN,
        score=sum(scores.values()) / len(scores),
        parts=parts,
        example_count=len(scores),
        results=tuple(
            ExampleResult(example_index=i, score=s, parts={"length": s}) for i, s in scores.items()
        ),
    )
    return store.save_eval_run(report)


def test_compare_reports_exact_deltas_wins_losses_and_ties(history_store):
    store = history_store  # each backend
    first = store_run(
        store, "zero-shot", {0: 0.5, 1: 0.75, 2: 0.25, 3: 1.0}, {"length": 0.5, "structure": 1.0}
    )
    second = store_run(
        store,
        "few-shot",
        {0: 0.75, 1: 0.75, 2: 0.0, 4: 0.5},
        {"length": 0.75, "structure": 0.5, "reference": 0.25},
    )
    comparison = compare_runs(store, first, second)
    assert (comparison.first_id, comparison.second_id) == (1, 2)
    assert comparison.score_delta == 0.5 - 0.625
    assert comparison.part_deltas == {"length": 0.25, "structure": -0.5}
    assert (comparison.first_wins, comparison.second_wins, comparison.ties) == (1, 1, 1)
    assert [(d.example_index, d.delta) for d in comparison.examples] == [
        (0, 0.25),
        (2, -0.25),
        (1, 0.0),
    ]
    assert compare_runs(store, second, first).part_deltas == {"length": -0.25, "structure": 0.5}


def test_loading_or_comparing_a_missing_run_names_it(history_store):
    with pytest.raises(InputError, match="No evaluation run with id 7."):
        compare_runs(history_store, 7, 8)


def test_a_run_compared_with_itself_ties_everywhere(service, devset):
    report = evaluate_backend(service, load_dataset(devset)[:3], "zero-shot", dataset="devset")
    comparison = compare_reports(report, report)
    assert comparison.score_delta == 0.0 and comparison.ties == 3
    assert set(comparison.part_deltas.values()) == {0.0}


# -- schema --------------------------------------------------------------------------------------


def test_a_blank_database_gets_exactly_the_eval_columns(db_path):
    SQLiteStore(db_path).check()
    assert query(db_path, "PRAGMA table_info(eval_runs)") == [
        (0, "id", "INTEGER", 0, None, 1),
        (1, "dataset", "TEXT", 1, None, 0),
        (2, "backend", "TEXT", 1, None, 0),
        (3, "model", "TEXT", 1, None, 0),
        (4, "started", "DATETIME", 1, None, 0),
        (5, "finished", "DATETIME", 1, None, 0),
        (6, "score", "REAL", 1, None, 0),
        (7, "parts_json", "TEXT", 1, "'{}'", 0),
        (8, "example_count", "INTEGER", 1, None, 0),
    ]
    assert query(db_path, "PRAGMA table_info(eval_results)") == [
        (0, "id", "INTEGER", 0, None, 1),
        (1, "eval_run_id", "INTEGER", 1, None, 0),
        (2, "example_index", "INTEGER", 1, None, 0),
        (3, "prompt_run_id", "INTEGER", 0, None, 0),
        (4, "score", "REAL", 1, None, 0),
        (5, "parts_json", "TEXT", 1, "'{}'", 0),
        (6, "error", "TEXT", 1, "''", 0),
    ]
