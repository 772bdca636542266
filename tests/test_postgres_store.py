"""PostgresStore on a real server: schema, migrations under a lock, failures naming the server,
lost connections, many processes at once and a server killed mid-save."""

from __future__ import annotations

import io
import multiprocessing
import threading
import time
from datetime import UTC, datetime, timedelta, timezone

import psycopg
import pytest

from promptimp.history import SQLiteStore
from promptimp.history.postgres import PostgresStore
from promptimp.history.postgres.migrations import MIGRATIONS
from promptimp.models import PromptRun, RepositoryConnectionError
from tests.support import writers_then_readers

EXPECTED_COLUMNS = [
    # (name, type, nullable, default) as information_schema reports them
    ("id", "bigint", "NO", None),
    ("timestamp", "timestamp with time zone", "NO", "CURRENT_TIMESTAMP"),
    ("original_idea", "text", "NO", None),
    ("context", "text", "YES", "''::text"),
    ("improved_prompt", "text", "NO", None),
    ("role", "text", "NO", None),
    ("directive", "text", "NO", None),
    ("framework", "text", "NO", None),
    ("guardrails", "jsonb", "NO", None),
    ("backend", "text", "NO", None),
    ("confidence", "double precision", "YES", None),
    ("reasoning", "text", "YES", None),
    ("latency_ms", "bigint", "YES", None),
    ("model_version", "text", "YES", None),
    ("search_vector", "tsvector", "YES", None),
    ("author", "text", "YES", None),
    ("parent_id", "bigint", "YES", None),
    ("feedback", "text", "NO", "''::text"),
    ("keeper", "boolean", "NO", "false"),
]


@pytest.fixture
def blank_url(pg_server):
    """A database with no schema at all."""
    name = pg_server.create_database()
    yield pg_server.socket_url(name)
    pg_server.drop_database(name)


@pytest.fixture
def store(pg_url):
    opened = PostgresStore(pg_url)
    yield opened
    opened.close()


def rows(url: str, sql: str, params: list | None = None) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchall()


def _check(url: str) -> None:
    PostgresStore(url).check()


def _save_many(url: str, run: PromptRun, count: int) -> None:
    store = PostgresStore(url)
    for _ in range(count):
        store.save(run)
    store.close()


def _read_until_stopped(url: str, stop, reads) -> None:
    store = PostgresStore(url)
    while not stop.is_set():
        store.recent(limit=20)
        store.statistics()
        with reads.get_lock():
            reads.value += 1
    store.close()


# -- schema and migrations ---------------------------------------------------------------


def test_blank_database_gets_exactly_the_columns_and_checks(blank_url):
    PostgresStore(blank_url).check()
    assert (
        rows(
            blank_url,
            "SELECT column_name, data_type, is_nullable, column_default"
            " FROM information_schema.columns WHERE table_name = 'prompt_history'"
            " ORDER BY ordinal_position",
        )
        == EXPECTED_COLUMNS
    )
    checks = {
        definition
        for (definition,) in rows(
            blank_url,
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = 'prompt_history'::regclass AND contype = 'c'",
        )
    }
    assert checks == {
        "CHECK (((confidence IS NULL) OR ((confidence >= (0.0)::double precision)"
        " AND (confidence <= (1.0)::double precision))))",
        "CHECK (((latency_ms IS NULL) OR (latency_ms >= 0)))",
        "CHECK (((parent_id IS NULL) OR (parent_id < id)))",
    }
    tables = {name for (name,) in rows(blank_url, "SELECT tablename FROM pg_tables")}
    assert {
        "prompt_history",
        "comparisons",
        "eval_runs",
        "eval_results",
        "run_tags",
        "trials",
    } <= tables
    (index,) = rows(
        blank_url, "SELECT indexdef FROM pg_indexes WHERE indexname = 'idx_prompt_history_search'"
    )
    assert "USING gin (search_vector)" in index[0]


def test_migrations_are_numbered_and_applied_once(blank_url):
    names = [name for name, _ in MIGRATIONS]
    assert all(name[:5] == f"m{index:03d}_" for index, name in enumerate(names, start=1))
    for _ in range(2):  # a second store finds them applied
        store = PostgresStore(blank_url)
        store.check()
        store.close()
    applied = rows(blank_url, "SELECT name FROM promptimp_migrations ORDER BY name")
    assert [name for (name,) in applied] == names


def test_processes_opening_a_blank_database_together_wait_for_each_other(blank_url):
    spawn = multiprocessing.get_context("spawn")
    workers = [spawn.Process(target=_check, args=(blank_url,)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [worker.exitcode for worker in workers] == [0, 0, 0, 0]
    assert len(rows(blank_url, "SELECT name FROM promptimp_migrations")) == len(MIGRATIONS)


def test_timestamps_are_stored_as_utc_timestamptz(store, make_run, pg_url):
    local = datetime(2024, 5, 1, 16, 30, 5, 123456, tzinfo=timezone(timedelta(hours=2)))
    saved = store.save(make_run(timestamp=local))
    (row,) = rows(pg_url, "SELECT timestamp AT TIME ZONE 'UTC' FROM prompt_history")
    assert row == (datetime(2024, 5, 1, 14, 30, 5, 123456),)
    assert store.get(saved.id).timestamp == datetime(2024, 5, 1, 14, 30, 5, 123456, tzinfo=UTC)


def test_search_operators_match_literally(store, make_run):
    store.save(make_run(original_idea="Cats or dogs", context="", improved_prompt="pets"))
    store.save(make_run(original_idea="Birds only", context="", improved_prompt="pets"))
    assert [run.id for run in store.search("cats or birds")] == []  # every word, not OR
    assert [run.id for run in store.search("-cats")] == [1]  # not a negation
    assert [run.id for run in store.search('"dogs cats"')] == []  # a phrase, in order


def test_a_nul_character_is_refused_as_a_constraint_error(store, make_run):
    from promptimp.models import PromptRun, RepositoryConstraintError

    # PromptRun strips control characters; build around it to reach the store's own check
    run = PromptRun.model_construct(**{**dict(make_run()), "original_idea": "an idea\x00NUL"})
    with pytest.raises(RepositoryConstraintError, match="rejected the run: .*NUL"):
        store.save(run)
    assert store.total_count() == 0


def test_exports_are_the_same_text_as_sqlite_exports(store, make_run, db_path):
    sqlite = SQLiteStore(db_path)
    for number in range(5):
        run = make_run(
            original_idea=f"Idea {number}, «ünïcode»",
            guardrails=("a,b", 'say "hi"', "ñ"),
            confidence=None if number == 2 else number / 7,
            latency_ms=None if number == 3 else number * 111,
            timestamp=datetime(2024, 5, 1, 12, number, 0, number * 12345, tzinfo=UTC),
            context="" if number % 2 else "ctx",
        )
        sqlite.save(run)
        store.save(run)
    for export in ("export_csv", "export_json"):
        ours, theirs = io.StringIO(), io.StringIO()
        assert getattr(store, export)(ours) == getattr(sqlite, export)(theirs) == 5
        assert ours.getvalue() == theirs.getvalue()


# -- failures name the server, never the password ------------------------------------------


def test_wrong_password_names_the_server_not_the_password(pg_server, pg_url, make_run):
    database = pg_url.split("/")[3].split("?")[0]
    store = PostgresStore(pg_server.tcp_url(database, password="wrong-secret-42"))
    with pytest.raises(RepositoryConnectionError) as caught:
        store.save(make_run())
    message = str(caught.value)
    assert message.startswith(
        f"Cannot reach history database postgresql://postgres@127.0.0.1:{pg_server.port}/{database}:"
    )
    assert "password authentication failed" in message
    assert "check the user and password in HISTORY_DATABASE_URL" in message
    assert "wrong-secret-42" not in message and pg_server.password not in message


def test_right_password_over_tcp_works(pg_server, pg_url, make_run):
    database = pg_url.split("/")[3].split("?")[0]
    store = PostgresStore(pg_server.tcp_url(database))
    assert store.save(make_run()).id == 1
    assert pg_server.password not in store.location
    store.close()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "postgresql://someone:hunter2@127.0.0.1:{free}/history",
            "Cannot reach history database postgresql://someone@127.0.0.1:{free}/history:",
        ),
        (
            "postgresql://postgres:hunter2@127.0.0.1:{port}/no_such_database",
            "Cannot reach history database postgresql://postgres@127.0.0.1:{port}/no_such_database:",
        ),
        ("postgresql://user:hunter2@host:notaport/db", "Cannot reach history database"),
    ],
    ids=["server-down", "database-missing", "bad-url"],
)
def test_unreachable_servers_give_one_line_connection_errors(pg_server, make_run, url, expected):
    from tests.pg_server import _free_port

    filled = {"free": _free_port(), "port": pg_server.port}
    store = PostgresStore(url.format(**filled))  # constructing never fails
    for operation in (store.check, lambda: store.save(make_run()), store.statistics):
        with pytest.raises(RepositoryConnectionError) as caught:
            operation()
        message = str(caught.value)
        assert message.startswith(expected.format(**filled))
        assert "hunter2" not in message and "\n" not in message


def test_a_dropped_connection_is_replaced_on_the_next_operation(store, make_run, pg_server):
    store.save(make_run())
    terminate_store_backends(pg_server)
    assert store.save(make_run()).id == 2
    assert store.total_count() == 2


def test_a_connection_cut_mid_query_is_a_connection_error_then_recovers(store, make_run, pg_url):
    store.save(make_run())
    failures: list[Exception] = []
    with psycopg.connect(pg_url) as holder:
        holder.execute("LOCK TABLE prompt_history IN ACCESS EXCLUSIVE MODE")

        def blocked_save() -> None:
            try:
                store.save(make_run())
            except RepositoryConnectionError as error:
                failures.append(error)

        saver = threading.Thread(target=blocked_save)
        saver.start()
        waiting = []
        deadline = time.monotonic() + 30
        while not waiting and time.monotonic() < deadline:
            holder.execute("SELECT pg_stat_clear_snapshot()")  # else one snapshot per transaction
            waiting = holder.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = 'promptimp'"
                " AND wait_event_type = 'Lock'"
            ).fetchall()
            time.sleep(0.05)
        holder.execute("SELECT pg_terminate_backend(%s)", [waiting[0][0]])
        saver.join(timeout=30)
    (failure,) = failures
    assert str(failure).startswith(f"Cannot reach history database {store.location}:")
    assert "the connection was lost; try again" in str(failure)
    saved = store.save(make_run())
    assert store.get(saved.id) == saved and store.total_count() == 2


def terminate_store_backends(pg_server) -> None:
    with psycopg.connect(pg_server.socket_url(), autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE application_name = 'promptimp'"
        )


# -- many processes and crashes ------------------------------------------------------------


@pytest.mark.slow
def test_eight_processes_saving_500_runs_each_with_readers_lose_nothing(pg_url, make_run):
    spawn = multiprocessing.get_context("spawn")
    stop, reads = spawn.Event(), spawn.Value("i", 0)
    readers = [
        spawn.Process(target=_read_until_stopped, args=(pg_url, stop, reads)) for _ in range(2)
    ]
    writers = [spawn.Process(target=_save_many, args=(pg_url, make_run(), 500)) for _ in range(8)]
    exits = writers_then_readers(writers, readers, stop, writer_timeout_s=300, reader_timeout_s=60)
    assert exits == ([0] * 8, [0] * 2)
    store = PostgresStore(pg_url)
    assert store.total_count() == 4000
    assert sorted(run.id for run in store.query(limit=None)) == list(range(1, 4001))
    assert reads.value > 0
    store.close()
