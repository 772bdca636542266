"""Copying whole histories between SQLite and PostgreSQL: exact, idempotent, counted."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from promptimp.history import RunFilter, SQLiteStore
from promptimp.history.postgres import PostgresStore
from promptimp.history.records import EvalReport, ExampleResult, Trial, TrialAnswer
from promptimp.history.transfer import CopyMismatchError, CopyReport, copy_history
from promptimp.models import BackendType, PromptRun, RepositoryConstraintError

T0 = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)


def everything(store) -> tuple:
    """All runs (with versions and tags), trials, comparisons and evaluation runs (with their
    examples) of `store`."""
    runs, after = [], 0
    while batch := store.runs_after(after, 5000):
        runs.extend(batch)
        after = batch[-1].id
    trials = store.trials_after(0, 10**6)
    comparisons = store.recent_comparisons(limit=10**6)
    reports = [store.get_eval_run(report.id) for report in store.eval_runs(limit=10**6)]
    return runs, trials, comparisons, reports


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


def trial_of(run_id: int, minute: int) -> Trial:
    answer = TrialAnswer(prompt="Design it", answer=f"Answer «{minute}»\nline two", latency_ms=40)
    return Trial(
        run_id=run_id,
        timestamp=T0 + timedelta(minutes=minute),
        target_model="local/smollm2",
        original=answer,
        improved=answer.model_copy(update={"prompt_tokens": 12, "completion_tokens": minute}),
    )


@pytest.fixture
def filled(db_path, make_run) -> SQLiteStore:
    """A SQLite history with runs (a deleted one; a version chain with a keeper; tags),
    trials (two of a deleted run), comparisons (one dangling) and evaluations."""
    store = SQLiteStore(db_path)
    rng = random.Random(5)
    ids = [store.save(random_run(rng, index)).id for index in range(30)]
    for parent, feedback in [(ids[1], "shorter"), (31, "add a guardrail"), (ids[1], "formal")]:
        ids.append(
            store.save(
                random_run(rng, 40).model_copy(update={"parent_id": parent, "feedback": feedback})
            ).id
        )
    store.set_keeper(31)
    for run_id, tag in [(ids[1], "tested"), (31, "tested"), (31, "production"), (ids[3], "gone")]:
        store.add_tag(run_id, tag)
    for minute, run_id in enumerate([ids[1], 31, ids[3], 31, ids[3], 32]):
        store.save_trial(trial_of(run_id, minute))
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
        runs=32,
        runs_added=32,
        trials=4,
        trials_added=4,
        comparisons=2,
        comparisons_added=2,
        eval_runs=2,
        eval_runs_added=2,
    )
    back = SQLiteStore(tmp_path / "back.db")
    copy_history(postgres, back)
    assert everything(back) == everything(postgres) == everything(filled)
    assert [run.id for run in back.versions(33)] == [2, 31, 32, 33]
    assert [run.id for run in back.query(RunFilter(tag="tested", keepers_only=True))] == [31]
    assert back.all_tags() == ["production", "tested"]
    assert [trial.id for trial in back.trials(31)] == [4, 2]
    again = copy_history(postgres, back)
    assert (again.runs_added, again.trials, again.trials_added) == (0, 4, 0)
    postgres.close()


def test_copying_again_adds_nothing_and_new_saves_get_new_ids(filled, pg_url, make_run):
    postgres = PostgresStore(pg_url)
    copy_history(filled, postgres)
    again = copy_history(filled, postgres)
    assert (
        again.runs,
        again.runs_added,
        again.trials,
        again.trials_added,
        again.comparisons_added,
        again.eval_runs_added,
    ) == (32, 0, 4, 0, 0, 0)
    assert (postgres.total_count(), postgres.trial_count()) == (32, 4)
    assert everything(postgres) == everything(filled)
    last = max(run.id for run in filled.runs_after(0, 100))
    assert postgres.save(make_run(parent_id=last)).id == last + 1
    assert postgres.save_comparison(1, 2, "tie", "idea") == 3
    assert postgres.save_trial(trial_of(1, 9)).id == 7
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


def test_a_trial_written_to_the_target_during_the_copy_fails_the_count_check(filled, pg_url):
    postgres = PostgresStore(pg_url)

    def meanwhile(done: int, total: int) -> None:
        if done == total:  # every run is there, the trials are not yet
            postgres.save_trial(trial_of(1, 59))

    with pytest.raises(CopyMismatchError) as caught:
        copy_history(filled, postgres, on_runs=meanwhile)
    assert str(caught.value) == (
        f"Copy to {postgres.location} does not add up: it holds (32, 4, 2, 2) runs, trials,"
        " comparisons and evaluation runs, expected (32, 3, 2, 2); run the copy again"
    )  # the trial saved meanwhile took id 1, so the source's trial 1 was skipped
    trials = postgres.trials_after(0, 10)
    assert [(trial.id, trial.timestamp.minute) for trial in trials] == [
        (1, 59),
        (2, 1),
        (4, 3),
        (6, 5),
    ]
    postgres.close()


def test_the_progress_callback_sees_every_batch(filled, pg_url):
    seen: list[tuple[int, int]] = []
    copy_history(
        filled, PostgresStore(pg_url), on_runs=lambda *step: seen.append(step), batch_size=10
    )
    assert seen == [(10, 32), (20, 32), (30, 32), (32, 32)]


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
        "32 runs (32 new), 4 trials (4 new), 2 comparisons (2 new), 2 evaluation runs (2 new)."
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
