"""The history contract on both backends (a SQLite file, a PostgreSQL server), then SQLite's
own failure modes, concurrency and crash safety."""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import random
import sqlite3
import threading
import time
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from promptimp.history import RunFilter, SQLiteStore, records
from promptimp.history.postgres import PostgresStore
from promptimp.models import (
    BackendType,
    OutputError,
    PromptRun,
    RepositoryConnectionError,
    RepositoryConstraintError,
)

ZERO, FEW = BackendType.ZERO_SHOT, BackendType.FEW_SHOT
T0 = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)


def backend_of(store: SQLiteStore | PostgresStore) -> str:
    return "postgres" if isinstance(store, PostgresStore) else "sqlite"


def as_dicts(records: list, kind: type) -> list[dict]:
    """Typed records as dicts, once each is checked to be a `kind`."""
    assert all(isinstance(record, kind) for record in records)
    return [record.model_dump() for record in records]


def location_of(store: SQLiteStore | PostgresStore) -> str:
    """What the store's error messages call it."""
    return store.location


def ids(runs: list[PromptRun]) -> list[int | None]:
    return [run.id for run in runs]


def _save_forever(path: str, run: PromptRun) -> None:
    store = SQLiteStore(path)
    while True:
        store.save(run)


def _save_many(path: str, run: PromptRun, count: int) -> None:
    store = SQLiteStore(path)
    for _ in range(count):
        store.save(run)


# -- saving and reading ------------------------------------------------------------------


def test_save_assigns_ids_and_get_returns_the_same_run(store, make_run):
    run = make_run(timestamp=T0, guardrails=('Ünïcode, "quotes"', "b", "c"), context="")
    first = store.save(run)
    second = store.save(make_run(confidence=None, latency_ms=None, model_version=""))
    assert (first.id, second.id) == (1, 2)
    assert first == run.model_copy(update={"id": 1})
    assert store.get(1) == first
    assert store.get(2) == second
    assert store.get(3) is None


def test_timestamps_are_stored_as_sortable_utc_text(sqlite_store, make_run, db_path):
    local = datetime(2024, 5, 1, 16, 30, 5, 123456, tzinfo=timezone(timedelta(hours=2)))
    sqlite_store.save(make_run(timestamp=local))
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT timestamp FROM prompt_history").fetchone() == (
        "2024-05-01 14:30:05.123456",
    )
    conn.close()


@pytest.mark.parametrize(
    ("field", "value", "constraint"),
    [
        (
            "confidence",
            1.5,
            {
                "sqlite": "CHECK constraint failed",
                "postgres": 'violates check constraint "prompt_history_confidence_check"',
            },
        ),
        (
            "latency_ms",
            -1,
            {
                "sqlite": "CHECK constraint failed",
                "postgres": 'violates check constraint "prompt_history_latency_ms_check"',
            },
        ),
        (
            "original_idea",
            None,
            {
                "sqlite": "NOT NULL constraint failed: prompt_history.original_idea",
                "postgres": 'null value in column "original_idea" of relation "prompt_history"',
            },
        ),
    ],
)
def test_constraint_violations_become_repository_constraint_errors(
    store, make_run, field, value, constraint
):
    bad = PromptRun.model_construct(**{**dict(make_run()), field: value})
    with pytest.raises(RepositoryConstraintError) as caught:
        store.save(bad)
    assert str(caught.value).startswith(f"History database {location_of(store)} rejected the run: ")
    assert constraint[backend_of(store)] in str(caught.value)
    assert store.total_count() == 0
    saved = store.save(make_run())  # ids stay unique; PostgreSQL's may skip the failed one
    assert store.get(saved.id) == saved and store.total_count() == 1


def test_delete_removes_one_run(store, make_run):
    store.save(make_run())
    store.save(make_run())
    assert store.delete(1) is True
    assert store.delete(1) is False
    assert ids(store.recent()) == [2]
    assert store.search("REST") == [store.get(2)]


def test_delete_old_removes_only_older_runs(store, make_run):
    now = datetime.now(UTC)
    for age in (40, 31, 29, 1, 0):
        store.save(make_run(timestamp=now - timedelta(days=age)))
    assert store.delete_old(30) == 2
    assert ids(store.query(sort="timestamp asc", limit=None)) == [3, 4, 5]
    assert store.delete_old(30) == 0


# -- search and queries ------------------------------------------------------------------


def test_search_finds_words_in_idea_context_and_prompt(store, make_run):
    base = {"original_idea": "plain idea", "context": "", "improved_prompt": "plain prompt"}
    store.save(make_run(**{**base, "original_idea": "Write a haiku about autumn"}))
    store.save(make_run(**{**base, "context": "The audience is kindergarten teachers"}))
    store.save(make_run(**{**base, "improved_prompt": "You are a Kubernetes operator"}))
    assert ids(store.search("haiku")) == [1]
    assert ids(store.search("kindergarten")) == [2]
    assert ids(store.search("kubernetes")) == [3]
    assert ids(store.search("teacher")) == [2]  # porter stemming
    assert ids(store.search("haiku autumn")) == [1]  # every word must occur
    assert store.search("haiku kubernetes") == []
    assert ids(store.search("plain")) == [3, 2, 1]  # latest saved first
    assert ids(store.search("plain", limit=2)) == [3, 2]


def test_search_pages_are_newest_first_with_ties_by_id_whatever_the_order_of_ids(store, make_run):
    rng = random.Random(5)
    saved = []
    for _ in range(40):  # timestamps out of id order, several runs per moment
        run = make_run(
            timestamp=T0 - timedelta(minutes=rng.randrange(12)),
            original_idea=rng.choice(["plain idea", "plain haiku idea", "haiku only"]),
            backend=rng.choice([ZERO, FEW]),
            context="",
            improved_prompt="A prompt",
        )
        saved.append(store.save(run))
    for filters in (RunFilter(text="plain"), RunFilter(text="haiku", backend=FEW)):
        matches = [
            run
            for run in saved
            if filters.text in run.original_idea and filters.backend in (None, run.backend)
        ]
        expected = ids(sorted(matches, key=lambda run: (run.timestamp, run.id), reverse=True))
        pages = ((1, 0), (3, 0), (5, 4), (7, 14), (50, 0), (10, len(expected) - 2), (None, 3))
        for limit, offset in pages:
            page = ids(store.query(filters, limit=limit, offset=offset))
            assert page == expected[offset:][:limit], (filters, limit, offset)
    assert ids(store.search("plain", limit=4)) == ids(store.query(RunFilter(text="plain"), limit=4))


def test_search_ignores_accents_and_case_in_any_language(store, make_run):
    store.save(make_run(original_idea="Una canción para los niños", context=""))
    store.save(make_run(original_idea="Résumé tips for ENGINEERS", context=""))
    assert ids(store.search("cancion ninos")) == [1]
    assert ids(store.search("CANCIÓN")) == [1]
    assert ids(store.search("resume engineer")) == [2]
    assert ids(store.search('"para los"')) == [1]  # a quoted phrase, Spanish stop words kept


@pytest.mark.parametrize(
    "text",
    [
        '"',
        '""',
        "C++",
        'C++ "quoted',
        "AND",
        "AND OR",
        "NOT",
        "NEAR(a b)",
        "a:b",
        "*",
        "-x",
        "^",
        "it's",
        "   ",
        "",
        "\x00",
        "(",
        ")",
        "col:value OR",
    ],
)
def test_search_and_query_accept_any_text(store, make_run, text):
    store.save(make_run(original_idea="C++ AND templates, quoted"))
    assert isinstance(store.search(text), list)
    assert store.count(RunFilter(text=text)) == len(store.query(RunFilter(text=text)))


def test_operator_words_match_literally(store, make_run):
    store.save(make_run(original_idea="C++ AND templates"))
    store.save(make_run(original_idea="Rust ownership"))
    assert ids(store.search("AND")) == [1]
    assert ids(store.search("C++")) == [1]
    assert store.search('"') == []


@pytest.fixture
def varied(store, make_run):
    """Six runs: (backend, model, confidence, latency, age in hours, idea)."""
    specs = [
        (ZERO, "m-a", 0.9, 300, 50, "Design a REST API"),
        (FEW, "m-a", 0.4, 100, 40, "Write unit tests"),
        (ZERO, "m-b", None, 500, 30, "Plan a REST migration"),
        (FEW, "m-b", 0.7, None, 20, "Summarise a paper"),
        (ZERO, "", 0.7, 200, 10, "Refactor legacy code"),
        (FEW, "m-a", 0.1, 400, 0, "Explain REST to a child"),
    ]
    for backend, model, confidence, latency, age, idea in specs:
        store.save(
            make_run(
                backend=backend,
                model_version=model,
                confidence=confidence,
                latency_ms=latency,
                timestamp=T0 - timedelta(hours=age),
                original_idea=idea,
                context="",
                improved_prompt="A prompt",
            )
        )
    return store


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (RunFilter(), [6, 5, 4, 3, 2, 1]),
        (RunFilter(text="REST"), [6, 3, 1]),
        (RunFilter(backend=FEW), [6, 4, 2]),
        (RunFilter(backend="zero-shot"), [5, 3, 1]),
        (RunFilter(model_version="m-b"), [4, 3]),
        (RunFilter(since=T0 - timedelta(hours=30)), [6, 5, 4, 3]),
        (RunFilter(until=T0 - timedelta(hours=30)), [3, 2, 1]),
        (RunFilter(since=datetime(2024, 5, 1, 2), until=datetime(2024, 5, 1, 2)), [5]),
        (RunFilter(min_confidence=0.7), [5, 4, 1]),
        (RunFilter(max_confidence=0.4), [6, 2]),
        (RunFilter(min_confidence=0.4, max_confidence=0.7), [5, 4, 2]),
        (RunFilter(text="REST", backend=ZERO, min_confidence=0.5), [1]),
        (RunFilter(text="nothing-like-this"), []),
    ],
    ids=repr,
)
def test_query_and_count_apply_each_filter(varied, filters, expected):
    assert ids(varied.query(filters)) == expected
    assert varied.count(filters) == len(expected)


def test_runs_record_their_author_and_filter_by_it(store, make_run):
    store.save(make_run(author="ana@example.org"))
    store.save(make_run(author=None))
    store.save(make_run(author="ana@example.org"))
    assert [run.author for run in store.query(sort="timestamp asc")] == [
        "ana@example.org",
        None,
        "ana@example.org",
    ]
    assert ids(store.query(RunFilter(author="ana@example.org"))) == [3, 1]
    assert store.authors() == ["ana@example.org"]
    assert store.count(RunFilter(author="bob")) == 0


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("timestamp desc", [6, 5, 4, 3, 2, 1]),
        ("timestamp asc", [1, 2, 3, 4, 5, 6]),
        ("timestamp", [6, 5, 4, 3, 2, 1]),
        ("confidence desc", [1, 5, 4, 2, 6, 3]),  # ties by id; unknown last
        ("confidence asc", [3, 6, 2, 4, 5, 1]),
        ("latency_ms desc", [3, 6, 1, 5, 2, 4]),
        ("latency_ms asc", [4, 2, 5, 1, 6, 3]),
    ],
)
def test_query_sorts(varied, sort, expected):
    assert ids(varied.query(sort=sort)) == expected


@pytest.mark.parametrize("sort", ["id desc", "timestamp sideways", "confidence; DROP TABLE x"])
def test_query_rejects_unknown_sorts(varied, sort):
    with pytest.raises(ValueError, match="sort must be"):
        varied.query(sort=sort)


def test_confidence_range_with_each_sort(varied):
    filters = RunFilter(min_confidence=0.4, max_confidence=0.7)
    assert ids(varied.query(filters, sort="confidence asc")) == [2, 4, 5]
    assert ids(varied.query(filters, sort="latency_ms desc")) == [5, 2, 4]
    assert ids(varied.query(filters, sort="timestamp asc")) == [2, 4, 5]


def test_query_pages_with_limit_and_offset(varied):
    assert ids(varied.query(limit=2, offset=1)) == [5, 4]
    assert ids(varied.query(limit=None, offset=4)) == [2, 1]


def test_recent_is_newest_first_with_offset_and_backend(varied):
    assert ids(varied.recent()) == [6, 5, 4, 3, 2, 1]
    assert ids(varied.recent(limit=2, offset=2)) == [4, 3]
    assert ids(varied.recent(backend=FEW)) == [6, 4, 2]
    assert ids(varied.recent(limit=1, offset=1, backend="zero-shot")) == [3]


def test_between_is_inclusive_and_oldest_first(varied):
    runs = varied.between(T0 - timedelta(hours=40), T0 - timedelta(hours=10))
    assert ids(runs) == [2, 3, 4, 5]


def test_model_versions_are_distinct_and_sorted(varied):
    assert varied.model_versions() == ["m-a", "m-b"]


# -- aggregates --------------------------------------------------------------------------


@pytest.fixture
def known(store, make_run):
    """Five runs whose figures are easy to compute by hand."""
    day1, day2 = T0, T0 + timedelta(days=1)
    for backend, confidence, latency, moment, model in [
        (ZERO, 0.5, 100, day1, "m-a"),
        (ZERO, 1.0, 300, day2, "m-a"),
        (FEW, 0.75, 200, day1, "m-b"),
        (FEW, None, None, day1, "m-b"),
        (FEW, 0.25, 400, day2, ""),
    ]:
        store.save(
            make_run(
                backend=backend,
                confidence=confidence,
                latency_ms=latency,
                timestamp=moment,
                model_version=model,
            )
        )
    return store


def test_statistics_are_exact(known):
    assert known.statistics() == records.Statistics(
        total_count=5,
        average_confidence=0.625,  # (0.5 + 1.0 + 0.75 + 0.25) / 4
        average_latency_ms=250.0,  # (100 + 300 + 200 + 400) / 4
        p50_latency_ms=200,  # nearest rank: ceil(0.50 * 4) = 2nd of 100,200,300,400
        p95_latency_ms=400,  # ceil(0.95 * 4) = 4th
        by_backend={
            "few-shot": records.BackendFigures(
                count=3, average_confidence=0.5, average_latency_ms=300.0
            ),
            "zero-shot": records.BackendFigures(
                count=2, average_confidence=0.75, average_latency_ms=200.0
            ),
        },
    )


def test_statistics_of_an_empty_store(store):
    assert store.statistics() == records.Statistics(
        total_count=0,
        average_confidence=None,
        average_latency_ms=None,
        p50_latency_ms=None,
        p95_latency_ms=None,
        by_backend={},
    )


def test_percentiles_of_a_hundred_latencies(store, make_run):
    for latency in random.Random(1).sample(range(1, 101), 100):
        store.save(make_run(latency_ms=latency))
    figures = store.statistics()
    assert (figures.p50_latency_ms, figures.p95_latency_ms) == (50, 95)


def test_daily_summary(known):
    assert as_dicts(known.daily_summary(), records.DailyFigures) == [
        {"day": date(2024, 5, 1), "backend": "few-shot", "runs": 2,
         "average_confidence": 0.75, "average_latency_ms": 200.0},
        {"day": date(2024, 5, 1), "backend": "zero-shot", "runs": 1,
         "average_confidence": 0.5, "average_latency_ms": 100.0},
        {"day": date(2024, 5, 2), "backend": "few-shot", "runs": 1,
         "average_confidence": 0.25, "average_latency_ms": 400.0},
        {"day": date(2024, 5, 2), "backend": "zero-shot", "runs": 1,
         "average_confidence": 1.0, "average_latency_ms": 300.0},
    ]  # fmt: skip
    assert [row.day for row in known.daily_summary(since=date(2024, 5, 2))] == [
        date(2024, 5, 2),
        date(2024, 5, 2),
    ]


def test_model_summary(known):
    assert as_dicts(known.model_summary(), records.ModelFigures) == [
        {"model_version": "m-a", "runs": 2, "average_confidence": 0.75,
         "average_latency_ms": 200.0},
        {"model_version": "m-b", "runs": 2, "average_confidence": 0.75,
         "average_latency_ms": 200.0},
        {"model_version": "", "runs": 1, "average_confidence": 0.25,
         "average_latency_ms": 400.0},
    ]  # fmt: skip


def test_histograms(known):
    assert as_dicts(known.histogram("confidence", bins=4), records.HistogramBin) == [
        {"lower": 0.0, "upper": 0.25, "count": 0},
        {"lower": 0.25, "upper": 0.5, "count": 1},
        {"lower": 0.5, "upper": 0.75, "count": 1},
        {"lower": 0.75, "upper": 1.0, "count": 2},
    ]
    assert as_dicts(known.histogram("latency_ms", bins=3), records.HistogramBin) == [
        {"lower": 100.0, "upper": 200.0, "count": 1},
        {"lower": 200.0, "upper": 300.0, "count": 1},
        {"lower": 300.0, "upper": 400.0, "count": 2},
    ]
    with pytest.raises(ValueError):
        known.histogram("role")


def test_histogram_of_an_empty_store(store):
    assert store.histogram("latency_ms") == []


def test_share_at_least(known):
    assert known.share_at_least(0.75) == 0.5
    assert known.share_at_least(0.9) == 0.25
    assert known.share_at_least(0.0) == 1.0


def test_share_at_least_of_an_empty_store(store):
    assert store.share_at_least(0.5) is None


def test_an_evaluation_run_comes_back_as_stored(store, make_run):
    run_id = store.save(make_run(original_idea="Scored idea")).id
    started = datetime(2024, 5, 1, 12, 0, 0, 250000, tzinfo=UTC)
    report = records.EvalReport(
        dataset="devset.jsonl",
        backend="zero-shot",
        model="test/model",
        started=started,
        finished=started + timedelta(seconds=3),
        score=0.625,
        parts={"role": 0.5, "guardrails": 0.75},
        example_count=2,
        results=(
            records.ExampleResult(
                example_index=0, score=0.5, parts={"role": 0.5}, prompt_run_id=run_id
            ),
            records.ExampleResult(example_index=1, score=0.75, parts={}, error="model failed"),
        ),
    )
    first = store.save_eval_run(report)
    second = store.save_eval_run(report.model_copy(update={"backend": "few-shot"}))
    stored = store.get_eval_run(first)
    assert stored.model_dump(exclude={"results"}) == {
        **report.model_dump(exclude={"results"}),
        "id": first,
    }
    assert stored.results[0].original_idea == "Scored idea"
    assert [r.model_dump(exclude={"original_idea", "improved_prompt"}) for r in stored.results] == [
        r.model_dump(exclude={"original_idea", "improved_prompt"}) for r in report.results
    ]
    assert [(r.id, r.backend, r.results) for r in store.eval_runs()] == [
        (second, "few-shot", ()),
        (first, "zero-shot", ()),
    ]
    assert store.get_eval_run(second + 1) is None


# -- versions, tags and trials -----------------------------------------------------------


@pytest.fixture
def chains(store, make_run):
    """Two chains: 1 <- 2 <- 3 and 1 <- 4 (refinements of idea one), and 5 <- 6."""
    for parent, feedback in [(None, ""), (1, "shorter"), (2, "add a guardrail"), (1, "formal")]:
        store.save(make_run(parent_id=parent, feedback=feedback, original_idea="Idea one"))
    store.save(make_run(original_idea="Idea two"))
    store.save(make_run(parent_id=5, feedback="more detail", original_idea="Idea two"))
    return store


def keepers(store) -> list[int | None]:
    return ids(store.query(RunFilter(keepers_only=True), sort="timestamp asc", limit=None))


def test_a_version_is_stored_with_its_parent_and_feedback(store, make_run):
    first = store.save(make_run())
    version = {"parent_id": first.id, "feedback": "Shorter, please\nand formal", "timestamp": T0}
    second = store.save(make_run(**version))
    assert second == make_run(**version, id=2)
    assert store.get(2) == second
    assert (store.get(1).parent_id, store.get(1).feedback, store.get(1).keeper) == (None, "", False)


def test_versions_are_the_whole_chain_oldest_first(chains):
    assert ids(chains.versions(1)) == [1, 2, 3, 4]
    assert chains.versions(3) == chains.versions(4) == [chains.get(i) for i in (1, 2, 3, 4)]
    assert [run.feedback for run in chains.versions(2)] == [
        "",
        "shorter",
        "add a guardrail",
        "formal",
    ]
    assert ids(chains.versions(6)) == [5, 6]


@pytest.mark.parametrize("run_id", [7, 0, -1, 2**63, 10**30])
def test_versions_of_an_unknown_run_are_empty(chains, run_id):
    assert chains.versions(run_id) == []


@pytest.mark.parametrize(
    ("parent_id", "reason"),
    [
        (
            2,  # deleted
            {
                "sqlite": "parent_id names no stored run",
                "postgres": 'violates foreign key constraint "prompt_history_parent_id_fkey"',
            },
        ),
        (
            9,  # never saved, and newer than the run would be
            {
                "sqlite": "parent_id names no stored run",
                "postgres": 'violates check constraint "prompt_history_parent_id_check"',
            },
        ),
    ],
)
def test_a_parent_that_is_not_stored_is_refused(store, make_run, parent_id, reason):
    for _ in range(3):
        store.save(make_run())
    store.delete(2)
    with pytest.raises(RepositoryConstraintError) as caught:
        store.save(make_run(parent_id=parent_id))
    assert str(caught.value).startswith(f"History database {location_of(store)} rejected the run: ")
    assert reason[backend_of(store)] in str(caught.value)
    assert ids(store.query()) == [3, 1]


def test_set_keeper_leaves_exactly_one_keeper_per_chain(chains):
    assert keepers(chains) == []
    assert chains.set_keeper(2) is True
    assert keepers(chains) == [2]
    assert chains.set_keeper(4) is True
    assert keepers(chains) == [4]
    assert chains.set_keeper(6) is True
    assert keepers(chains) == [4, 6]
    assert chains.set_keeper(6) is True  # again: no change
    assert keepers(chains) == [4, 6]
    assert chains.set_keeper(1) is True
    assert keepers(chains) == [1, 6]
    assert [run.keeper for run in chains.versions(3)] == [True, False, False, False]


def reopened(store: SQLiteStore | PostgresStore) -> SQLiteStore | PostgresStore:
    """Another store on the same database, with connections of its own."""
    return PostgresStore(store.url) if isinstance(store, PostgresStore) else SQLiteStore(store.path)


def test_keepers_picked_at_once_leave_exactly_one_per_chain(chains):
    stores = [reopened(chains) for _ in range(4)]
    for store in stores:
        store.check()  # connected before the race starts
    failures: list[Exception] = []
    start = threading.Barrier(len(stores))  # reusable: every round starts all four at once

    def pick(store, run_id: int) -> None:
        start.wait()
        try:
            assert store.set_keeper(run_id) is True
        except Exception as error:  # noqa: BLE001 - reported below, not lost in the thread
            failures.append(error)

    for _ in range(15):
        threads = [
            threading.Thread(target=pick, args=(store, run_id))
            for run_id, store in enumerate(stores, start=1)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
        assert len(keepers(chains)) == 1
    for store in stores:
        store.close()


@pytest.mark.parametrize("run_id", [7, 0, -5, 2**63])
def test_set_keeper_of_an_unknown_run_changes_nothing(chains, run_id):
    chains.set_keeper(3)
    assert chains.set_keeper(run_id) is False
    assert keepers(chains) == [3]


def test_saving_a_keeper_unmarks_the_other_versions(chains, make_run):
    chains.set_keeper(2)
    chains.set_keeper(5)
    saved = chains.save(make_run(parent_id=3, keeper=True))
    assert (saved.id, saved.keeper) == (7, True)
    assert keepers(chains) == [5, 7]


def test_deleting_a_version_hands_its_children_to_its_parent(chains):
    chains.set_keeper(3)
    assert chains.delete(2) is True
    assert ids(chains.versions(3)) == [1, 3, 4]
    assert (chains.get(3).parent_id, chains.get(3).feedback) == (1, "add a guardrail")
    assert keepers(chains) == [3]
    assert chains.delete(1) is True  # a first version: each child starts its own chain
    assert [chains.get(3).parent_id, chains.get(4).parent_id] == [None, None]
    assert (ids(chains.versions(3)), ids(chains.versions(4))) == ([3], [4])
    assert ids(chains.versions(6)) == [5, 6]


def test_delete_old_keeps_the_chains_of_what_survives(store, make_run):
    now = datetime.now(UTC)
    for age, parent in [(40, None), (35, 1), (1, 2), (33, 3), (0, 4), (31, 2)]:
        store.save(make_run(timestamp=now - timedelta(days=age), parent_id=parent))
    assert store.delete_old(30) == 4
    assert [(run.id, run.parent_id) for run in store.query(sort="timestamp asc")] == [
        (3, None),
        (5, 3),
    ]
    assert ids(store.versions(5)) == [3, 5]


def test_tags_are_added_once_read_sorted_and_removed(store, make_run):
    store.save(make_run())
    store.save(make_run())
    for tag in ("tested", "Zeta", "éclair", "alpha", "tested"):
        assert store.add_tag(1, tag) is True
    assert store.add_tag(2, "production") is True
    assert store.get(1).tags == ("Zeta", "alpha", "tested", "éclair")  # by code point
    assert store.get(2).tags == ("production",)
    assert store.all_tags() == ["Zeta", "alpha", "production", "tested", "éclair"]
    assert store.remove_tag(1, "tested") is True
    assert store.remove_tag(1, "tested") is False
    assert store.remove_tag(2, "tested") is False
    assert store.get(1).tags == ("Zeta", "alpha", "éclair")
    assert store.all_tags() == ["Zeta", "alpha", "production", "éclair"]


@pytest.mark.parametrize("run_id", [3, 0, -1, 2**63])
def test_tagging_an_unknown_run_changes_nothing(store, make_run, run_id):
    store.save(make_run())
    store.add_tag(1, "tested")
    assert store.add_tag(run_id, "tested") is False
    assert store.remove_tag(run_id, "tested") is False
    assert store.all_tags() == ["tested"]
    assert store.count(RunFilter(tag="tested")) == 1


def test_an_empty_tag_is_a_constraint_error(store, make_run):
    store.save(make_run())
    with pytest.raises(RepositoryConstraintError) as caught:
        store.add_tag(1, "")
    assert str(caught.value).startswith(f"History database {location_of(store)} rejected the run: ")
    assert store.all_tags() == []


def test_save_does_not_store_tags(store, make_run):
    saved = store.save(make_run(tags=("ignored",)))
    assert saved.tags == ()
    assert store.get(saved.id) == saved
    assert store.all_tags() == []


def test_every_read_of_runs_carries_their_tags(chains, make_run):
    chains.add_tag(2, "tested")
    chains.add_tag(2, "production")
    chains.add_tag(6, "tested")
    tagged = {2: ("production", "tested"), 6: ("tested",)}

    def tags_of(runs: list[PromptRun]) -> dict[int, tuple[str, ...]]:
        return {run.id: run.tags for run in runs if run.tags}

    everything = chains.query(limit=None)
    assert tags_of(everything) == tagged
    assert tags_of([chains.get(run_id) for run_id in range(1, 7)]) == tagged
    assert tags_of(chains.recent()) == tagged
    assert tags_of(chains.search("architect")) == tagged
    assert tags_of(chains.between(T0 - timedelta(days=1), datetime.now(UTC))) == tagged
    assert tags_of(chains.runs_after(0, 100)) == tagged
    assert tags_of(chains.versions(1)) == {2: ("production", "tested")}
    assert chains.between(T0 - timedelta(days=1), datetime.now(UTC)) == sorted(
        everything, key=lambda run: run.id
    )


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (RunFilter(tag="tested"), [6, 2]),
        (RunFilter(tag="production"), [2]),
        (RunFilter(tag="nobody-uses-this"), []),
        (RunFilter(keepers_only=True), [6, 3]),
        (RunFilter(tag="tested", keepers_only=True), [6]),
        (RunFilter(tag="tested", text="architect", backend="zero-shot"), [6, 2]),
        (RunFilter(tag="tested", backend="few-shot"), []),
    ],
    ids=repr,
)
def test_query_and_count_filter_by_tag_and_keeper(chains, filters, expected):
    chains.add_tag(2, "tested")
    chains.add_tag(2, "production")
    chains.add_tag(6, "tested")
    chains.set_keeper(3)
    chains.set_keeper(6)
    assert ids(chains.query(filters)) == expected
    assert ids(chains.query(filters, sort="confidence asc")) == sorted(expected)
    assert chains.count(filters) == len(expected)


def test_deleting_a_run_takes_its_tags_and_trials(chains):
    chains.add_tag(2, "tested")
    chains.add_tag(3, "tested")
    chains.add_tag(2, "draft")
    chains.save_trial(make_trial(run_id=2))
    kept = chains.save_trial(make_trial(run_id=3))
    assert chains.delete(2) is True
    assert chains.all_tags() == ["tested"]
    assert chains.trials(2) == []
    assert chains.trials(3) == [kept]
    assert chains.trial_count() == 1
    assert ids(chains.query(RunFilter(tag="tested"))) == [3]


def make_trial(**overrides: object) -> records.Trial:
    fields: dict[str, object] = {
        "run_id": 1,
        "timestamp": T0,
        "target_model": "openai/gpt-4o-mini",
        "original": records.TrialAnswer(
            prompt="Design a REST API", answer="Sure, «here»:\n1. users", latency_ms=900
        ),
        "improved": records.TrialAnswer(
            prompt="You are a senior API architect.",
            answer="GET /users",
            latency_ms=1500,
            prompt_tokens=120,
            completion_tokens=48,
        ),
    }
    fields.update(overrides)
    return records.Trial(**fields)


def test_trials_come_back_as_stored_newest_first(store, make_run):
    store.save(make_run())
    store.save(make_run())
    older = store.save_trial(make_trial())
    newer = store.save_trial(make_trial(timestamp=T0 + timedelta(minutes=5), target_model="m"))
    oldest = store.save_trial(make_trial(timestamp=T0 - timedelta(days=1)))
    other = store.save_trial(make_trial(run_id=2))
    assert (older.id, newer.id, oldest.id, other.id) == (1, 2, 3, 4)
    assert older == make_trial(id=1)
    assert store.trials(1) == [newer, older, oldest]
    assert store.trials(2) == [other]
    assert store.trials(3) == store.trials(0) == store.trials(2**63) == []
    assert store.trial_count() == 4
    assert store.trials_after(1, 2) == [newer, oldest]
    assert store.trials_after(4, 10) == []


@pytest.mark.parametrize("run_id", [2, 0, -1, 2**63])
def test_a_trial_of_an_unknown_run_is_refused(store, make_run, run_id):
    store.save(make_run())
    with pytest.raises(RepositoryConstraintError) as caught:
        store.save_trial(make_trial(run_id=run_id))
    assert str(caught.value) == (
        f"History database {location_of(store)} holds no run #{run_id}, so it cannot store"
        " a trial of it."
    )
    assert store.trial_count() == 0


def test_a_trial_breaking_a_check_is_a_constraint_error(store, make_run):
    store.save(make_run())
    bad = make_trial().model_copy(
        update={
            "improved": records.TrialAnswer.model_construct(
                prompt="p", answer="a", latency_ms=-1, prompt_tokens=None, completion_tokens=None
            )
        }
    )
    with pytest.raises(RepositoryConstraintError) as caught:
        store.save_trial(bad)
    assert {
        "sqlite": "CHECK constraint failed: improved_latency_ms >= 0",
        "postgres": 'violates check constraint "trials_improved_latency_ms_check"',
    }[backend_of(store)] in str(caught.value)
    assert store.trial_count() == 0


def test_import_trials_keeps_ids_skips_known_ones_and_needs_their_runs(store, make_run):
    store.save(make_run())
    trials = [make_trial(id=3), make_trial(id=7, timestamp=T0 + timedelta(hours=1))]
    assert store.import_trials(trials) == 2
    assert store.import_trials(trials) == 0
    assert store.trials(1) == trials[::-1]
    assert store.save_trial(make_trial()).id == 8
    with pytest.raises(RepositoryConstraintError):
        store.import_trials([make_trial(id=20, run_id=5)])
    assert store.trial_count() == 3


def test_import_runs_carries_tags_and_versions(store, make_run):
    runs = [
        make_run(id=3, tags=("b", "a")),
        make_run(id=5, parent_id=3, feedback="shorter", keeper=True, tags=("a",)),
    ]
    assert store.import_runs(runs) == 2
    stored = [runs[0].model_copy(update={"tags": ("a", "b")}), runs[1]]  # read sorted
    assert [store.get(3), store.get(5)] == stored == store.versions(5)
    again = [
        runs[0].model_copy(update={"tags": ("c",)}),
        runs[1].model_copy(update={"keeper": False}),
    ]
    assert store.import_runs(again) == 0  # the same runs: tags merged, keeper left as it is
    assert (store.get(3).tags, store.get(5).keeper) == (("a", "b", "c"), True)
    assert store.save(make_run(parent_id=5)).id == 6


def test_import_runs_refuses_a_child_before_its_parent(store, make_run):
    with pytest.raises(RepositoryConstraintError):
        store.import_runs([make_run(id=4, parent_id=9)])
    assert store.total_count() == 0


# -- export ------------------------------------------------------------------------------


def test_export_csv_round_trips(known, make_run, tmp_path):
    known.save(make_run(improved_prompt='Line one,\nline "two"', guardrails=("a,b", "c", "d")))
    target = tmp_path / "out" / "runs.csv"
    target.parent.mkdir()
    assert known.export_csv(target) == 6
    with open(target, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    stored = known.query(sort="timestamp asc", limit=None)
    assert sorted(int(row["id"]) for row in rows) == sorted(ids(stored))
    by_id = {int(row["id"]): row for row in rows}
    for run in stored:
        row = by_id[run.id]
        assert json.loads(row["guardrails"]) == list(run.guardrails)
        assert row["improved_prompt"] == run.improved_prompt
        assert row["backend"] == run.backend


def test_export_json_round_trips_to_equal_runs(known):
    out = io.StringIO()
    assert known.export_json(out) == 5
    rows = json.loads(out.getvalue())
    assert all(isinstance(row["guardrails"], list) for row in rows)
    assert [PromptRun.model_validate(row) for row in rows] == [known.get(i) for i in range(1, 6)]


def test_export_with_filters_and_empty(known, tmp_path):
    out = io.StringIO()
    assert known.export_json(out, RunFilter(backend=FEW)) == 3
    assert [row["backend"] for row in json.loads(out.getvalue())] == ["few-shot"] * 3
    empty = io.StringIO()
    assert known.export_json(empty, RunFilter(text="zebra")) == 0
    assert json.loads(empty.getvalue()) == []
    lines = io.StringIO()
    assert known.export_csv(lines, RunFilter(min_confidence=0.9)) == 1
    assert len(lines.getvalue().splitlines()) == 2


EXPORT_HEADER = [
    "id", "timestamp", "original_idea", "context", "improved_prompt", "role", "directive",
    "framework", "guardrails", "backend", "confidence", "reasoning", "latency_ms",
    "model_version", "author", "parent_id", "feedback", "keeper", "tags",
]  # fmt: skip


def test_exports_end_with_the_version_and_its_tags(chains):
    chains.add_tag(2, "tested")
    chains.add_tag(2, "production")
    chains.set_keeper(2)
    out = io.StringIO()
    assert chains.export_csv(out) == 6
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == EXPORT_HEADER
    assert [row[-4:] for row in rows[1:3]] == [
        ["", "", "false", "[]"],
        ["1", "shorter", "true", '["production", "tested"]'],
    ]
    out = io.StringIO()
    assert chains.export_json(out, RunFilter(tag="tested", keepers_only=True)) == 1
    (row,) = json.loads(out.getvalue())
    assert list(row) == EXPORT_HEADER
    assert [row["parent_id"], row["keeper"], row["tags"]] == [1, True, ["production", "tested"]]
    assert PromptRun.model_validate(row) == chains.get(2)
    lines = io.StringIO()
    assert chains.export_csv(lines, RunFilter(keepers_only=True, tag="draft")) == 0
    assert lines.getvalue().splitlines() == [",".join(EXPORT_HEADER)]


def test_exports_of_versions_and_tags_are_the_same_text_on_both(sqlite_store, pg_url, make_run):
    postgres = PostgresStore(pg_url)
    for store in (sqlite_store, postgres):
        for number, parent in enumerate([None, 1, 2, None]):
            store.save(
                make_run(
                    timestamp=T0 + timedelta(minutes=number),
                    parent_id=parent,
                    feedback=f"round {number}, «ünïcode»" if parent else "",
                )
            )
        for tag in ("zeta", "Äpfel", "alpha"):
            store.add_tag(2, tag)
        store.set_keeper(3)
    for export in ("export_csv", "export_json"):
        ours, theirs = io.StringIO(), io.StringIO()
        assert getattr(postgres, export)(ours) == getattr(sqlite_store, export)(theirs) == 4
        assert ours.getvalue() == theirs.getvalue()
    postgres.close()


@pytest.mark.parametrize("export", ["export_csv", "export_json"])
def test_an_export_larger_than_the_buffers_to_a_full_disk_is_an_output_error(
    store, make_run, export
):
    store.import_runs(make_run(id=number) for number in range(1, 201))  # > 64 KiB of text
    with pytest.raises(OutputError) as caught:
        getattr(store, export)("/dev/full")
    assert str(caught.value) == "Cannot write /dev/full: the disk holding it is full."
    assert store.total_count() == 200


# -- opening and failure modes -------------------------------------------------------------


def test_missing_directory_is_created(tmp_path, make_run):
    path = tmp_path / "a" / "b" / "history.db"
    store = SQLiteStore(path)
    assert not path.parent.exists()  # nothing happens until the first operation
    assert store.save(make_run()).id == 1
    assert path.is_file()
    assert store.total_count() == 1


def test_parent_that_is_a_file_gives_a_connection_error(tmp_path, make_run):
    blocker = tmp_path / "blocker"
    blocker.write_text("not a directory")
    path = blocker / "history.db"
    store = SQLiteStore(path)
    for operation in (store.check, lambda: store.save(make_run()), store.total_count):
        with pytest.raises(RepositoryConnectionError) as caught:
            operation()
        assert str(caught.value).startswith(
            f"Cannot open history database {path}: cannot create directory {blocker}"
        )


@pytest.mark.parametrize(
    "content",
    [random.Random(0).randbytes(8192), b"this is not a database\n" * 200],
    ids=["random-bytes", "text"],
)
def test_corrupt_file_gives_a_connection_error_and_is_left_untouched(tmp_path, make_run, content):
    path = tmp_path / "history.db"
    path.write_bytes(content)
    store = SQLiteStore(path)  # does not raise
    expected = (
        f"Cannot open history database {path}: file is not a database"
        " (move it aside or set SQLITE_DB_PATH)"
    )
    for operation in (store.check, lambda: store.save(make_run()), store.statistics):
        with pytest.raises(RepositoryConnectionError) as caught:
            operation()
        assert str(caught.value) == expected
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["history.db"]


def test_store_recovers_once_the_corrupt_file_is_moved_aside(tmp_path, make_run):
    path = tmp_path / "history.db"
    path.write_text("garbage" * 100)
    store = SQLiteStore(path)
    with pytest.raises(RepositoryConnectionError):
        store.check()
    path.rename(tmp_path / "history.db.bad")
    assert store.save(make_run()).id == 1


def test_locked_database_gives_a_connection_error_after_the_busy_timeout(
    db_path, make_run, monkeypatch
):
    monkeypatch.setattr("promptimp.history.sqlite.connection.BUSY_TIMEOUT_S", 0.2)
    monkeypatch.setattr("promptimp.history.sqlite.connection.WRITE_DEADLINE_S", 0.5)
    store = SQLiteStore(db_path)
    store.check()
    holder = sqlite3.connect(db_path)
    holder.execute("BEGIN IMMEDIATE")
    try:
        store.close()
        with pytest.raises(RepositoryConnectionError, match="database is locked"):
            store.save(make_run())
    finally:
        holder.rollback()
        holder.close()
    assert store.save(make_run()).id == 1


# -- concurrency and crashes ---------------------------------------------------------------


def test_threads_share_one_store(store, make_run):
    def work() -> None:
        for _ in range(100):
            store.save(make_run())

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.total_count() == 400
    assert sorted(ids(store.query(limit=None))) == list(range(1, 401))


def test_four_processes_saving_at_once_lose_nothing(db_path, make_run):
    spawn = multiprocessing.get_context("spawn")
    workers = [
        spawn.Process(target=_save_many, args=(str(db_path), make_run(), 250)) for _ in range(4)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [worker.exitcode for worker in workers] == [0, 0, 0, 0]
    store = SQLiteStore(db_path)
    assert store.total_count() == 1000
    assert sorted(ids(store.query(limit=None))) == list(range(1, 1001))


def test_writer_killed_mid_save_leaves_a_whole_database(db_path, make_run):
    spawn = multiprocessing.get_context("spawn")
    writer = spawn.Process(target=_save_forever, args=(str(db_path), make_run()))
    writer.start()
    store = SQLiteStore(db_path)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if store.total_count() >= 300:
                break
        except RepositoryConnectionError:
            pass  # the writer may still be creating the schema
        time.sleep(0.05)
    time.sleep(random.Random(2).uniform(0, 0.05))
    writer.kill()  # SIGKILL
    writer.join(timeout=30)
    store.close()
    assert writer.exitcode == -9

    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    conn.execute("INSERT INTO prompt_history_fts(prompt_history_fts) VALUES ('integrity-check')")
    rows = conn.execute(
        "SELECT timestamp, original_idea, improved_prompt, role, directive, framework,"
        " guardrails, backend FROM prompt_history"
    ).fetchall()
    conn.close()
    assert len(rows) >= 300
    assert all(None not in row for row in rows)
    assert all(json.loads(row[6]) == list(make_run().guardrails) for row in rows)
    assert len(SQLiteStore(db_path).query(limit=None)) == len(rows)
