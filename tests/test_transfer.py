"""Copying whole histories between SQLite and PostgreSQL: exact, idempotent, counted."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from promptimp.history import SQLiteStore
from promptimp.history.postgres import PostgresStore
from promptimp.history.records import EvalReport, ExampleResult
from promptimp.history.transfer import CopyReport, copy_history
from promptimp.models import BackendType, PromptRun, RepositoryConstraintError

T0 = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)


def everything(store) -> tuple:
    """All runs, comparisons and evaluation runs (with their examples) of `store`."""
    runs, after = [], 0
    while batch := store.runs_after(after, 5000):
        runs.extend(batch)
        after = batch[-1].id
    comparisons = store.recent_comparisons(limit=10**6)
    reports = [store.get_eval_run(report.id) for report in store.eval_runs(limit=10**6)]
    return runs, comparisons, reports


def random_run(rng: random.Random, index: int) -> PromptRun:
    words = ["canción", "niños", "REST", "API", "héros", "C++", 'say "hi"', "a,b", "数据"]
    return PromptRun(
        timestamp=T0 + timedelta(seconds=index * 37, microseconds=rng.randrange(10**6)),
        original_idea=" ".join(rng.choices(words, k=rng.randint(2, 8))),
        context="" if rng.random() < 0.3 else " ".join(rng.choices(words, k=4)),
        improved_prompt=" ".join(rng.choices(words, k=rng.randint(5, 30))) + "\nline two",
        role="Senior engineer",
        directive="Design it",
        framework=rng.choice(["react", "decomposition", "chain-of-thought"]),
        guardrails=tuple(rng.choices(words, k=rng.randint(3, 5))),
        backend=rng.choice(list(BackendType)),
        confidence=None if rng.random() < 0.1 else rng.random(),
        reasoning="" if rng.random() < 0.2 else "because",
        latency_ms=None if rng.random() < 0.1 else rng.randrange(10**7),
        model_version=rng.choice(["", "openai/gpt-4o-mini", "local/smollm2"]),
    )


@pytest.fixture
def filled(db_path, make_run) -> SQLiteStore:
    """A SQLite history with runs, a deleted run, comparisons (one dangling) and evaluations."""
    store = SQLiteStore(db_path)
    rng = random.Random(5)
    ids = [store.save(random_run(rng, index)).id for index in range(30)]
    store.delete(ids[3])
    store.save_comparison(ids[0], ids[1], "few-shot", "Idea one")
    store.save_comparison(ids[3], ids[2], "tie", "Idea with a deleted run")
    for backend in ("zero-shot", "few-shot"):
        store.save_eval_run(
            EvalReport(
                dataset="devset.jsonl",
                backend=backend,
                model="test/model",
                started=T0,
                finished=T0 + timedelta(seconds=5),
                score=0.5,
                parts={"role": 0.25},
                example_count=2,
                results=(
                    ExampleResult(
                        example_index=0, score=0.5, parts={"r": 1.0}, prompt_run_id=ids[5]
                    ),
                    ExampleResult(example_index=1, score=0.5, parts={}, error="timed out"),
                ),
            )
        )
    yield store
    store.close()


def test_a_history_goes_to_postgresql_and_back_exactly(filled, pg_url, tmp_path):
    postgres = PostgresStore(pg_url)
    there = copy_history(filled, postgres)
    assert there == CopyReport(
        source=filled.location,
        target=postgres.location,
        runs=29,
        runs_added=29,
        comparisons=2,
        comparisons_added=2,
        eval_runs=2,
        eval_runs_added=2,
    )
    back = SQLiteStore(tmp_path / "back.db")
    copy_history(postgres, back)
    assert everything(back) == everything(postgres) == everything(filled)
    postgres.close()


def test_copying_again_adds_nothing_and_new_saves_get_new_ids(filled, pg_url, make_run):
    postgres = PostgresStore(pg_url)
    copy_history(filled, postgres)
    again = copy_history(filled, postgres)
    assert (again.runs, again.runs_added, again.comparisons_added, again.eval_runs_added) == (
        29,
        0,
        0,
        0,
    )
    assert postgres.total_count() == 29
    last = max(run.id for run in filled.runs_after(0, 100))
    assert postgres.save(make_run()).id == last + 1
    assert postgres.save_comparison(1, 2, "tie", "idea") == 3
    postgres.close()


@pytest.mark.parametrize("target_kind", ["sqlite", "postgres"])
def test_copying_onto_other_runs_with_the_same_ids_fails_and_adds_nothing(
    filled, pg_url, tmp_path, make_run, target_kind
):
    other_db = tmp_path / "other.db"
    target = SQLiteStore(other_db) if target_kind == "sqlite" else PostgresStore(pg_url)
    target.save(make_run(original_idea="A different run that already holds id 1"))
    with pytest.raises(RepositoryConstraintError) as caught:
        copy_history(filled, target)
    assert str(caught.value) == (
        f"{target.location} already holds other runs with ids 1; copy into an empty database."
    )
    assert target.total_count() == 1
    assert target.get(1).original_idea == "A different run that already holds id 1"


def test_the_progress_callback_sees_every_batch(filled, pg_url):
    seen: list[tuple[int, int]] = []
    copy_history(
        filled, PostgresStore(pg_url), on_runs=lambda *step: seen.append(step), batch_size=10
    )
    assert seen == [(10, 29), (20, 29), (29, 29)]


def test_the_cli_copies_to_a_url_and_back(filled, pg_url, db_path, tmp_path):
    env = {**os.environ, "SQLITE_DB_PATH": str(db_path), "SQLITE_AUTO_CLEANUP": "false"}

    def promptimp(*args: str, **extra: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "cli", *args],
            env={**env, **extra},
            capture_output=True,
            text=True,
            timeout=120,
        )

    there = promptimp("history", "copy", "--to", pg_url)
    assert there.returncode == 0, there.stderr
    assert there.stdout.strip().endswith(
        "29 runs (29 new), 2 comparisons (2 new), 2 evaluation runs (2 new)."
    )
    back_path = tmp_path / "back.db"
    back = promptimp("history", "copy", "--from", pg_url, SQLITE_DB_PATH=str(back_path))
    assert back.returncode == 0, back.stderr
    assert everything(SQLiteStore(back_path)) == everything(filled)
    neither = promptimp("history", "copy")
    assert (neither.returncode, neither.stderr.strip()) == (
        2,
        "error: Give exactly one of --to URL or --from URL.",
    )


@pytest.mark.slow
def test_a_hundred_thousand_runs_round_trip_exactly(pg_url, tmp_path):
    source = SQLiteStore(tmp_path / "source.db")
    rng = random.Random(11)
    for start in range(0, 100_000, 10_000):
        source.import_runs(
            random_run(rng, index).model_copy(update={"id": index + 1})
            for index in range(start, start + 10_000)
        )
    postgres = PostgresStore(pg_url)
    assert copy_history(source, postgres).runs_added == 100_000
    back = SQLiteStore(tmp_path / "back.db")
    assert copy_history(postgres, back).runs_added == 100_000
    original, returned = everything(source)[0], everything(back)[0]
    assert len(original) == len(returned) == 100_000
    assert returned == original
    postgres.close()
