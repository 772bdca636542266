"""The history stores against hostile input and damage: dates in any year, out-of-range numbers,
damaged rows and bad export paths on both backends; then SQLite's own: bytes that are not UTF-8,
corrupt pages, concurrent writers in both journal modes, a lock held too long (with the
PostgreSQL counterparts of the last: a dropped table, a missing permission, a table lock)."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from promptimp.history import RunFilter, SQLiteStore
from promptimp.history.postgres import PostgresStore
from promptimp.models import (
    MAX_RETENTION_DAYS,
    MAX_ROW_ID,
    InputError,
    OutputError,
    RepositoryConnectionError,
)
from tests.support import child_env, query, writers_then_readers


def ids(runs) -> list[int | None]:
    return [run.id for run in runs]


def on_database(store: SQLiteStore | PostgresStore, sql: str, params=()) -> list[tuple]:
    """Run `sql` (with ? placeholders) on the store's database directly, committed; its rows."""
    if isinstance(store, PostgresStore):
        with psycopg.connect(store.url) as conn:
            cursor = conn.execute(sql.replace("?", "%s"), params)
            return cursor.fetchall() if cursor.description else []
    conn = sqlite3.connect(store.location)
    try:
        with conn:
            return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


# -- dates and numbers ---------------------------------------------------------------------


def test_timestamps_before_year_1000_are_stored_with_four_digit_years(sqlite_store, make_run):
    sqlite_store.save(make_run(timestamp=datetime(500, 6, 1, tzinfo=UTC)))
    assert on_database(sqlite_store, "SELECT timestamp FROM prompt_history") == [
        ("0500-06-01 00:00:00.000000",)
    ]  # so that text comparison orders them before later years


def test_retention_and_date_filters_compare_correctly_before_year_1000(store, make_run):
    for year in (500, 1999, 2024):
        store.save(make_run(timestamp=datetime(year, 6, 1, tzinfo=UTC)))
    early = datetime(500, 1, 1, tzinfo=UTC)
    assert ids(store.query(RunFilter(since=early), sort="timestamp asc")) == [1, 2, 3]
    assert ids(store.query(RunFilter(until=datetime(501, 1, 1)))) == [1]
    assert store.count(RunFilter(until=early)) == 0
    assert [row.day.year for row in store.daily_summary(since=early.date())] == [500, 1999, 2024]
    assert store.delete_old(MAX_RETENTION_DAYS) == 1  # only the run from year 500
    assert ids(store.query(sort="timestamp asc")) == [2, 3]


@pytest.mark.parametrize("days", [0, -1, MAX_RETENTION_DAYS + 1, 400_000, 10_000_000, 2**70])
def test_retention_days_outside_the_range_are_one_line_input_errors(store, make_run, days):
    store.save(make_run())
    with pytest.raises(InputError) as caught:
        store.delete_old(days)
    assert str(caught.value) == f"days must be between 1 and 36,500, got {days:,}."
    assert store.total_count() == 1


def test_ids_and_offsets_past_the_largest_row_match_nothing(store, make_run):
    store.save(make_run())
    assert store.get(MAX_ROW_ID + 1) is None
    assert store.get(-(2**70)) is None
    assert store.delete(MAX_ROW_ID + 1) is False
    assert store.query(offset=MAX_ROW_ID + 1) == []
    assert store.query(offset=MAX_ROW_ID) == []
    assert store.query(RunFilter(text="REST"), limit=20, offset=MAX_ROW_ID - 1) == []
    with pytest.raises(InputError):
        store.query(offset=-1)
    assert store.total_count() == 1


@pytest.mark.parametrize("text", ["\udcff", "api \ud800 design"])
def test_search_text_that_is_not_unicode_is_an_input_error(text):
    with pytest.raises(InputError, match="search text is not valid UTF-8"):
        RunFilter(text=text)


# -- damaged rows --------------------------------------------------------------------------


DAMAGED_GUARDRAILS = [
    ('{"a": 1}', ['{"a": 1}'], "guardrails are not a list of texts", ['{"a": 1}']),
    ("[]", ["(none stored)"], "guardrails is not valid as stored", []),
]
"""(stored, shown, damage, exported): what either backend can hold in its guardrails column."""


@pytest.mark.parametrize(("stored", "shown", "damage", "exported"), DAMAGED_GUARDRAILS)
def test_a_damaged_row_is_read_and_marked_everywhere(
    store, make_run, tmp_path, stored, shown, damage, exported
):
    store.save(make_run(original_idea="sound run"))
    store.save(make_run(original_idea="damaged run"))
    on_database(store, "UPDATE prompt_history SET guardrails = ? WHERE id = 2", [stored])
    assert_read_and_marked(store, tmp_path, stored, shown, damage, exported)


def test_guardrails_that_are_not_json_are_read_and_marked_everywhere(
    sqlite_store, make_run, tmp_path
):
    """SQLite's column is text; PostgreSQL's jsonb column cannot hold this."""
    sqlite_store.save(make_run(original_idea="sound run"))
    sqlite_store.save(make_run(original_idea="damaged run"))
    text = "not json at all"
    on_database(sqlite_store, "UPDATE prompt_history SET guardrails = ? WHERE id = 2", [text])
    assert_read_and_marked(sqlite_store, tmp_path, text, [text], "guardrails are not JSON", [text])


def assert_read_and_marked(store, tmp_path, stored, shown, damage, exported) -> None:
    """Run 2 (of 2) reads as `shown`, marked `damage`, everywhere; the stored value stays."""
    before = on_database(store, "SELECT guardrails FROM prompt_history WHERE id = 2")
    damaged = store.get(2)
    assert (list(damaged.guardrails), damaged.damaged) == (shown, damage)
    assert store.get(1).damaged == ""
    assert [run.damaged for run in store.recent()] == [damage, ""]
    assert ids(store.search("damaged")) == [2]
    out = tmp_path / "runs.json"
    assert store.export_json(out) == 2
    assert json.loads(out.read_text())[1]["guardrails"] == exported
    assert on_database(store, "SELECT guardrails FROM prompt_history WHERE id = 2") == before


def test_text_that_is_not_utf8_in_the_file_reads_as_replacement_characters(sqlite_store, make_run):
    """SQLite only: PostgreSQL refuses bytes that are not UTF-8 at the server."""
    sqlite_store.save(make_run())
    on_database(
        sqlite_store, "UPDATE prompt_history SET role = CAST(X'4142FF43' AS TEXT) WHERE id = 1"
    )
    assert sqlite_store.get(1).role == "AB\ufffdC"


def test_control_characters_never_reach_the_database(store, make_run):
    store.save(make_run(original_idea="Design\x1b[31m an API\x07\x00", role="Architect\x7f"))
    assert on_database(store, "SELECT original_idea, role FROM prompt_history") == [
        ("Design[31m an API", "Architect")
    ]


# -- corrupt pages -------------------------------------------------------------------------


def _corrupt_middle_pages(path: Path) -> bytes:
    """Overwrite pages in the middle of the file with garbage; the file's new bytes."""
    data = bytearray(path.read_bytes())
    page = 4096
    middle = (len(data) // page // 2) * page
    data[middle : middle + 3 * page] = bytes(range(256)) * (3 * page // 256)
    path.write_bytes(bytes(data))
    return bytes(data)


def test_a_partly_corrupt_file_refuses_saves_and_is_left_as_it_was(tmp_path, make_run):
    path = tmp_path / "history.db"
    store = SQLiteStore(path, wal=False)
    for number in range(400):
        store.save(make_run(original_idea=f"Idea number {number} " + "padding " * 40))
    store.close()
    corrupted = _corrupt_middle_pages(path)

    damaged = SQLiteStore(path, wal=False)
    for operation in (damaged.check, lambda: damaged.save(make_run())):
        with pytest.raises(RepositoryConnectionError, match="malformed"):
            operation()
    assert path.read_bytes() == corrupted


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        ("DROP TABLE prompt_history CASCADE", 'relation "prompt_history" does not exist'),
        ("REVOKE ALL ON prompt_history FROM visitor", "permission denied for table prompt_history"),
    ],
    ids=["table-dropped", "permission-denied"],
)
def test_a_damaged_postgresql_database_refuses_saves_naming_the_server(
    pg_server, pg_url, make_run, damage, reason
):
    """The PostgreSQL counterpart of a corrupt file: a table gone, or not ours to use (for
    `visitor`, a role that may use every table until then)."""
    opened = PostgresStore(pg_url)
    opened.save(make_run())
    on_database(
        opened, "CREATE ROLE visitor LOGIN; GRANT ALL ON ALL TABLES IN SCHEMA public TO visitor"
    )
    on_database(opened, damage)
    visitor = PostgresStore(pg_url.replace("postgres@", "visitor@"))
    try:
        for operation in (visitor.check, lambda: visitor.save(make_run()), visitor.statistics):
            with pytest.raises(RepositoryConnectionError) as caught:
                operation()
            message = str(caught.value)
            assert message.startswith(f"Cannot reach history database {visitor.location}: ")
            assert reason in message and "\n" not in message
    finally:
        visitor.close()
        opened.close()
        on_database(opened, "DROP OWNED BY visitor; DROP ROLE visitor")


# -- export paths --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("{tmp}", "Cannot write {tmp}: it is a directory; give a file name."),
        ("{tmp}/missing/runs.csv", "the directory {tmp}/missing does not exist."),
        ("", "The output file name is empty; give a file path."),
        ("/proc/x.csv", "Cannot write /proc/x.csv:"),
        ("/dev/full", "Cannot write /dev/full: the disk holding it is full."),
    ],
)
def test_an_export_to_a_path_that_cannot_be_written_is_an_output_error(
    store, make_run, tmp_path, target, message
):
    store.save(make_run())
    before = sorted(tmp_path.rglob("*"))
    with pytest.raises(OutputError) as caught:
        store.export_csv(target.format(tmp=tmp_path))
    assert message.format(tmp=tmp_path) in str(caught.value)
    assert "\n" not in str(caught.value)
    assert sorted(tmp_path.rglob("*")) == before


FILE_SIZE_LIMIT_CHILD = """
import resource, signal, sys
from promptimp.history import SQLiteStore, open_store
from promptimp.models import OutputError
where = sys.argv[1]
store = open_store(where) if "://" in where else SQLiteStore(where, wal=False)
store.total_count()  # connected (and any -shm file made) before the limit
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
resource.setrlimit(resource.RLIMIT_FSIZE, (16384, resource.RLIM_INFINITY))
try:
    store.export_json(sys.argv[2])
except OutputError as error:
    print(error)
"""


def test_an_export_that_fills_the_disk_midway_leaves_no_partial_file(store, make_run, tmp_path):
    store.import_runs(make_run(id=number) for number in range(1, 201))  # > 64 KiB of JSON
    store.close()
    where = store.url if isinstance(store, PostgresStore) else store.location
    out = tmp_path / "runs.json"
    done = subprocess.run(
        [sys.executable, "-c", FILE_SIZE_LIMIT_CHILD, where, str(out)],
        capture_output=True,
        text=True,
        env=child_env(),
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"Cannot write {out}: "), done.stdout
    assert "history database" not in done.stdout
    assert not out.exists()


# -- concurrent writers --------------------------------------------------------------------

WRITERS, SAVES, READERS = 8, 500, 3
MIN_READS = 20
"""Successful reads each reader must make while the writers run (a few seconds at least)."""


def _save(path: str, wal: bool, count: int, make: dict) -> None:
    from promptimp.models import PromptRun

    store = SQLiteStore(path, wal=wal)
    run = PromptRun(**make)
    for _ in range(count):
        store.save(run)


def _read_until(path: str, wal: bool, stop, reads) -> None:
    """Read until `stop`, counting the reads that succeeded in `reads`."""
    store = SQLiteStore(path, wal=wal)
    while not stop.is_set():
        try:
            store.recent(limit=20)
            store.statistics()
        except RepositoryConnectionError:
            continue  # a reader may time out waiting for a busy writer, but not always
        with reads.get_lock():
            reads.value += 1


@pytest.mark.slow
@pytest.mark.timeout(600)
@pytest.mark.parametrize("wal", [True, False], ids=["wal", "rollback-journal"])
def test_eight_writers_and_three_readers_lose_no_save(db_path, make_run, wal):
    SQLiteStore(db_path, wal=wal).check()  # the schema exists before the rush
    spawn = multiprocessing.get_context("spawn")
    stop = spawn.Event()
    fields = make_run().model_dump()
    reads = [spawn.Value("i", 0) for _ in range(READERS)]
    readers = [
        spawn.Process(target=_read_until, args=(str(db_path), wal, stop, count)) for count in reads
    ]
    writers = [
        spawn.Process(target=_save, args=(str(db_path), wal, SAVES, fields)) for _ in range(WRITERS)
    ]
    exits = writers_then_readers(writers, readers, stop, writer_timeout_s=540, reader_timeout_s=30)
    assert exits == ([0] * WRITERS, [0] * READERS)
    successful_reads = [count.value for count in reads]
    assert min(successful_reads) >= MIN_READS, successful_reads
    saved = query(db_path, "SELECT COUNT(*), MIN(id), MAX(id) FROM prompt_history")
    assert saved == [(WRITERS * SAVES, 1, WRITERS * SAVES)]  # zero lost
    assert query(db_path, "PRAGMA integrity_check") == [("ok",)]


def test_a_lock_held_longer_than_the_busy_timeout_delays_a_save_instead_of_losing_it(
    db_path, make_run, monkeypatch
):
    monkeypatch.setattr("promptimp.history.sqlite.connection.BUSY_TIMEOUT_S", 0.2)
    store = SQLiteStore(db_path)
    store.check()
    holder = sqlite3.connect(db_path, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    release = threading.Timer(1.0, holder.rollback)  # five busy timeouts later
    release.start()
    try:
        assert store.save(make_run()).id == 1
    finally:
        release.join()
        holder.close()
    assert store.total_count() == 1


def test_a_postgresql_table_lock_delays_a_save_instead_of_losing_it(pg_url, make_run):
    store = PostgresStore(pg_url)
    store.check()
    with psycopg.connect(pg_url) as holder:
        holder.execute("LOCK TABLE prompt_history IN ACCESS EXCLUSIVE MODE")
        release = threading.Timer(1.0, holder.rollback)
        release.start()
        try:
            assert store.save(make_run()).id == 1
        finally:
            release.join()
    assert store.total_count() == 1
    store.close()
