"""The fault table: storage that cannot be used. For each fault the improved prompt still comes
back (with a warning naming the fault), health names the fault, and the file is left as it was.

Faults: an unwritable directory, a read-only file, a corrupt file, a directory where the file
should be, and a full disk (a 2 MiB tmpfs where this machine allows mounting, otherwise a
file-size limit set with RLIMIT_FSIZE in a child process). On PostgreSQL, the same classes:
the server down, a wrong password, the database missing, the table dropped, no permission
on it (the warning and health name the server, never the password), and the connection
cut mid-save (the next save works again).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from promptimp.history import SQLiteStore
from promptimp.history.postgres import PostgresStore
from tests.support import ANSWER, child_env, dummy_service, free_port

IDEA = "Design a REST API for user management"


def file_state(path: Path) -> object:
    """What is at `path`: its bytes, 'directory', or None."""
    if path.is_dir():
        return "directory"
    return path.read_bytes() if path.exists() else None


def outcome(db_path: Path, **settings: str) -> dict[str, object]:
    """Improve once and ask for health over `db_path` (or the history `settings` choose);
    what happened, and whether the file at `db_path` is as it was."""
    before = file_state(db_path)
    service = dummy_service(db_path, **settings)
    result = service.improve(IDEA)
    health = service.health()
    service.close()
    return {
        "role": result.run.role,
        "stored": result.stored,
        "warnings": list(result.warnings),
        "status": health.status,
        "reason": health.reason,
        "unchanged": file_state(db_path) == before,
    }


def _chattr(flag: str, path: Path) -> None:
    subprocess.run(["chattr", flag, str(path)], check=True)


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """`path` made read-only for this process: immutable as root (root ignores modes)."""
    if os.geteuid() == 0:
        _chattr("+i", path)
        try:
            yield
        finally:
            _chattr("-i", path)
    else:
        mode = path.stat().st_mode
        path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield
        finally:
            path.chmod(mode)


def _existing_database(path: Path) -> Path:
    store = SQLiteStore(path)
    store.check()
    store.close()
    return path


FAULTS = {
    "unwritable directory": "unable to open",
    "read-only file": "readonly",
    "corrupt file": "not a database",
    "directory in the way": "unable to open",
}


@pytest.mark.skipif(os.geteuid() == 0 and not shutil.which("chattr"), reason="needs chattr as root")
@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_storage_fault_returns_the_result_with_a_warning_and_health_names_it(tmp_path, fault):
    folder = tmp_path / "data"
    folder.mkdir()
    db_path = folder / "history.db"
    if fault == "unwritable directory":
        with read_only(folder):
            result = outcome(db_path)
    elif fault == "read-only file":
        _existing_database(db_path)
        with read_only(db_path):
            result = outcome(db_path)
    elif fault == "corrupt file":
        db_path.write_bytes(b"this is not a database\n" * 500)
        result = outcome(db_path)
    else:
        db_path.mkdir()
        result = outcome(db_path)
    key = FAULTS[fault]
    assert result["role"] == ANSWER["role"] and not result["stored"]
    assert len(result["warnings"]) == 1
    assert result["warnings"][0].startswith("Not saved to history: ")
    assert key in result["warnings"][0]
    assert result["status"] == "unhealthy" and key in result["reason"], result["reason"]
    assert result["unchanged"]


FULL_DISK_CHILD = """
import json, resource, signal, sys
from pathlib import Path
from tests.test_faults import outcome
path = Path(sys.argv[1])
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
limit = 4096  # below a WAL commit; the database file itself is larger already
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
print(json.dumps(outcome(path)))
"""


@contextmanager
def small_tmpfs(folder: Path) -> Iterator[bool]:
    """A 2 MiB tmpfs mounted on `folder`; yields False (nothing mounted) where mounting fails."""
    folder.mkdir()
    mounted = (
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(folder)], capture_output=True
        ).returncode
        == 0
    )
    try:
        yield mounted
    finally:
        if mounted:
            subprocess.run(["umount", str(folder)], check=True)


def test_a_full_disk_returns_the_result_with_a_warning_naming_the_disk(tmp_path):
    with small_tmpfs(tmp_path / "disk") as mounted:
        db_path = _existing_database(tmp_path / "disk" / "history.db")
        if mounted:  # fill what is left of the tmpfs
            filler = db_path.parent / "filler"
            with filler.open("wb") as out:
                try:
                    while True:
                        out.write(b"\0" * 65536)
                        out.flush()
                except OSError:
                    pass
            result = outcome(db_path)
            key = f"the disk holding {db_path.parent} is full"
        else:
            done = subprocess.run(
                [sys.executable, "-c", FULL_DISK_CHILD, str(db_path)],
                capture_output=True,
                text=True,
                env=child_env(),
                timeout=120,
            )
            assert done.returncode == 0, done.stderr
            result = json.loads(done.stdout.splitlines()[-1])
            key = "file-size limit of this process (ulimit -f"
        print(f"\nfull disk simulated with {'a 2 MiB tmpfs' if mounted else 'RLIMIT_FSIZE'}")
        assert result["role"] == ANSWER["role"] and not result["stored"]
        assert result["warnings"][0].startswith("Not saved to history: Cannot write history")
        assert key in result["warnings"][0], result["warnings"]
        assert result["status"] == "unhealthy" and key in result["reason"], result["reason"]
        assert result["unchanged"]


# -- the same faults on a PostgreSQL server -------------------------------------------------


def _run_as(url: str, sql: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


def _visitor_without_rights(pg_server, database: str) -> str:
    """A URL for `visitor`, a role that may not use the history table."""
    _run_as(pg_server.socket_url(database), "CREATE ROLE visitor LOGIN")
    _run_as(pg_server.socket_url(database), "GRANT SELECT ON promptimp_migrations TO visitor")
    return pg_server.socket_url(database).replace("postgres@", "visitor@")


PG_FAULTS = {
    "server down": ("Connection refused", "check that the server runs"),
    "wrong password": ("password authentication failed", "check the user and password"),
    "user missing": ('role "nobody" does not exist', "create that user on the server"),
    "database missing": ('database "no_such_database" does not exist', "create the database"),
    "table dropped": ('relation "prompt_history" does not exist', "a history table is missing"),
    "permission denied": ("permission denied for table prompt_history", "check the server"),
}
"""Each fault: what the server says, and the start of the hint the warning gives."""


@pytest.mark.parametrize("fault", list(PG_FAULTS))
def test_a_postgresql_fault_returns_the_result_with_a_warning_naming_the_server(
    pg_server, pg_url, tmp_path, fault
):
    database = pg_url.split("/")[3].split("?")[0]
    if fault == "server down":
        url = f"postgresql://postgres:hunter2@127.0.0.1:{free_port()}/{database}"
    elif fault == "wrong password":
        url = pg_server.tcp_url(database, password="hunter2")
    elif fault == "user missing":
        url = pg_server.socket_url(database).replace("postgres@", "nobody@")
    elif fault == "database missing":
        url = pg_server.tcp_url("no_such_database")
    elif fault == "table dropped":
        url = pg_server.tcp_url(database)
        _run_as(pg_url, "DROP TABLE prompt_history CASCADE")
    else:
        url = _visitor_without_rights(pg_server, database)
    try:
        result = outcome(tmp_path / "unused.db", HISTORY_DATABASE_URL=url)
    finally:
        if fault == "permission denied":
            _run_as(pg_url, "DROP OWNED BY visitor; DROP ROLE visitor")
    location = PostgresStore(url).location
    key, hint = PG_FAULTS[fault]
    assert result["role"] == ANSWER["role"] and not result["stored"]
    (warning,) = result["warnings"]
    assert warning.startswith(f"Not saved to history: Cannot reach history database {location}: ")
    assert key in warning
    assert f"({hint}" in warning, warning
    assert result["status"] == "unhealthy", result
    assert location in result["reason"] and key in result["reason"], result["reason"]
    for secret in ("hunter2", pg_server.password):
        assert secret not in warning and secret not in result["reason"]
    assert not (tmp_path / "unused.db").exists()  # nothing fell back to SQLite


def _cut_the_first_blocked_save(url: str, locked: threading.Event) -> None:
    """Lock the history table, then terminate the first store connection waiting for it
    (watched from a second connection: one transaction would see one activity snapshot)."""
    with psycopg.connect(url) as holder, psycopg.connect(url, autocommit=True) as watcher:
        holder.execute("LOCK TABLE prompt_history IN ACCESS EXCLUSIVE MODE")
        locked.set()
        blocked = []
        deadline = time.monotonic() + 60
        while not blocked and time.monotonic() < deadline:
            blocked = watcher.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = 'promptimp'"
                " AND wait_event_type = 'Lock'"
            ).fetchall()
            time.sleep(0.05)
        if blocked:
            watcher.execute("SELECT pg_terminate_backend(%s)", [blocked[0][0]])


def test_a_connection_cut_mid_save_returns_the_result_and_the_next_save_works(pg_url, tmp_path):
    service = dummy_service(tmp_path / "unused.db", HISTORY_DATABASE_URL=pg_url)
    locked = threading.Event()
    cutter = threading.Thread(target=_cut_the_first_blocked_save, args=(pg_url, locked))
    cutter.start()
    locked.wait(timeout=30)
    result = service.improve(IDEA)
    cutter.join(timeout=60)
    location = service.history.location
    assert result.run.role == ANSWER["role"] and not result.stored
    (warning,) = result.warnings
    assert warning.startswith(f"Not saved to history: Cannot reach history database {location}: ")
    assert "the connection was lost; try again" in warning
    assert service.improve(IDEA).stored  # the store reconnects
    assert service.health().status == "healthy"
    service.close()
