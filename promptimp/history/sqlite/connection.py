"""The SQLite file a history lives in: one connection per store, opened and migrated on
first use; every sqlite3 error becomes a typed error of promptimp.models naming the file."""

from __future__ import annotations

import os
import random
import resource
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from promptimp.history.sqlite.migrations import migrate, write_transaction
from promptimp.history.sqlite.sqlite_lib import Database
from promptimp.models import RepositoryConnectionError, RepositoryConstraintError

T = TypeVar("T")

BUSY_TIMEOUT_S = 10.0
WRITE_DEADLINE_S = 120.0
"""A write that finds the database locked is retried (after the busy timeout) until this."""

_HINTS: tuple[tuple[str, str], ...] = (
    ("not a database", "move it aside or set SQLITE_DB_PATH"),
    ("malformed", "move it aside or set SQLITE_DB_PATH"),
    ("unable to open", "check that its directory is writable or set SQLITE_DB_PATH"),
    ("readonly", "make the file writable or set SQLITE_DB_PATH"),
    ("locked", "another process kept it busy; try again"),
    ("busy", "another process kept it busy; try again"),
    ("full", "free some disk space or delete old runs"),
)
_BUSY_REASONS = ("locked", "busy")
_DISK_FULL_BYTES = 1024 * 1024


class SQLiteConnection:
    """The SQLite file at `path` (its directory is created when missing).

    One connection per store, guarded by a lock, so Streamlit's session threads can share
    a store; create stores after forking, one per process. The database is opened and
    migrated on first use, so constructing a store never fails: errors come from operations.
    With `wal` the journal is write-ahead with synchronous=NORMAL: readers never block,
    commits skip the fsync (a killed process loses nothing committed; a power cut may drop
    the last commits, never corrupting the file). Writers wait up to BUSY_TIMEOUT_S for the
    lock, and a write that still finds it locked is retried until WRITE_DEADLINE_S, so heavy
    contention delays saves instead of losing them (readers hold up writers in rollback-journal
    mode). Before its first write, a connection checks the file's integrity: a damaged
    database refuses writes instead of silently taking them.
    """

    def __init__(self, path: str | Path, *, wal: bool = True) -> None:
        self.path = Path(path)
        self.wal = wal
        self._lock = threading.RLock()
        self._db: Database | None = None
        self._verified = False

    @property
    def location(self) -> str:
        return str(self.path)

    def check(self) -> None:
        """Open, migrate, verify and test-write the database (the write is rolled back).

        Raises RepositoryConnectionError naming what is wrong: a damaged (malformed) file,
        a read-only file or directory, a full disk, a lock held too long.
        """
        with self._database() as db:
            self._verify(db, again=True)
            db.execute("BEGIN IMMEDIATE")
            try:
                (version,) = db.execute("PRAGMA user_version").fetchone()
                db.execute(f"PRAGMA user_version = {int(version)}")
            finally:
                db.rollback()
        disk = _disk_problem(self.path)  # a rolled-back write needs no space; saves do
        if disk:
            raise RepositoryConnectionError(f"Cannot write history database {self.path}: {disk}")

    def close(self) -> None:
        """Close the connection; the next operation opens it again."""
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
                self._verified = False

    def _write(self, change: Callable[[Database], T]) -> T:
        """`change(db)` in one committed write transaction, retried while the file is locked.

        Each attempt waits up to BUSY_TIMEOUT_S for the lock; a failed attempt is rolled
        back, so retrying never writes twice.
        """
        deadline = time.monotonic() + WRITE_DEADLINE_S
        while True:
            try:
                with self._database() as db:
                    self._verify(db)
                    with write_transaction(db):
                        return change(db)
            except RepositoryConnectionError as error:
                if not _is_busy(error.__cause__) or time.monotonic() >= deadline:
                    raise
            time.sleep(random.uniform(0.01, 0.1))  # let the other writers through

    def _verify(self, db: Database, *, again: bool = False) -> None:
        """Check the file's integrity once per connection (before its first write), or
        `again`; raises sqlite3.DatabaseError ("malformed") when the file is damaged."""
        if self._verified and not again:
            return
        self._verified = False
        problems = [row[0] for row in db.execute("PRAGMA quick_check(3)").fetchall()]
        if problems != ["ok"]:
            raise sqlite3.DatabaseError(f"database disk image is malformed ({problems[0]})")
        self._verified = True

    @contextmanager
    def _database(self) -> Iterator[Database]:
        """The open, migrated database, held under the lock; sqlite3 errors become typed.

        An OSError is the file's only while opening it; one raised by the caller's block
        (an export's output, say) is the caller's and passes unchanged.
        """
        with self._lock:
            try:
                db = self._open()
            except OSError as error:  # the file could not be read at all (EIO, ...)
                self.close()
                raise RepositoryConnectionError(
                    f"Cannot read history database {self.path}: {error.strerror or error}"
                ) from error
            except sqlite3.Error as error:
                raise self._typed(error) from error
            try:
                yield db
            except sqlite3.Error as error:
                raise self._typed(error) from error

    def _typed(self, error: sqlite3.Error) -> RepositoryConstraintError | RepositoryConnectionError:
        """The sqlite3 error as a typed error naming the file; the connection is closed
        unless the file was only locked (anything else may need a fresh open)."""
        if isinstance(error, sqlite3.IntegrityError):
            return RepositoryConstraintError(
                f"History database {self.path} rejected the run: {error}"
            )
        if not _is_busy(error):
            self.close()
        return RepositoryConnectionError(self._describe(error))

    def _open(self) -> Database:
        if self._db is not None:
            return self._db
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise RepositoryConnectionError(
                f"Cannot open history database {self.path}: cannot create directory"
                f" {self.path.parent} ({error.strerror or error}); set SQLITE_DB_PATH"
                " to a writable location"
            ) from error
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, check_same_thread=False)
        conn.text_factory = _decode_text
        db = Database(conn, execute_plugins=False)
        try:
            db.execute("PRAGMA cell_size_check = ON")
            if self.wal:
                db.enable_wal()
                db.execute("PRAGMA synchronous=NORMAL")
            else:
                db.disable_wal()
            migrate(db)
        except BaseException:
            db.close()
            raise
        self._db = db
        return db

    def _describe(self, error: sqlite3.Error) -> str:
        reason = str(error)
        disk = _disk_problem(self.path) if "disk" in reason.lower() else ""
        if disk:
            return f"Cannot write history database {self.path}: {disk}"
        hint = next(
            (hint for key, hint in _HINTS if key in reason.lower()),
            "check the file or set SQLITE_DB_PATH",
        )
        return f"Cannot open history database {self.path}: {reason} ({hint})"


def _decode_text(data: bytes) -> str:
    """Stored text as str; bytes that are not UTF-8 (a damaged file) show as U+FFFD."""
    return data.decode("utf-8", errors="replace")


def _is_busy(error: BaseException | None) -> bool:
    """True for SQLite's "database is locked" / "busy": another connection holds the lock."""
    return isinstance(error, sqlite3.OperationalError) and any(
        reason in str(error).lower() for reason in _BUSY_REASONS
    )


def _disk_problem(path: Path) -> str:
    """What stops writes to `path` when SQLite reports a disk error: the disk holding it is
    full, or the process's file-size limit is reached; '' when neither is the case."""
    folder = path.parent
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return ""
    if free < _DISK_FULL_BYTES:
        return (
            f"the disk holding {folder} is full ({free // 1024} KiB free); free some space"
            " or delete old runs"
        )
    limit, _ = resource.getrlimit(resource.RLIMIT_FSIZE)
    sizes = [
        os.path.getsize(name)
        for name in (f"{path}", f"{path}-wal", f"{path}-journal")
        if os.path.exists(name)
    ]
    if limit != resource.RLIM_INFINITY and max(sizes, default=0) + _DISK_FULL_BYTES >= limit:
        return (
            f"the file-size limit of this process (ulimit -f, {limit // 1024} KiB) is reached;"
            " raise it or delete old runs"
        )
    return ""
