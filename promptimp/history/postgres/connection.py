"""The PostgreSQL server a history lives on: a psycopg pool, migrated on first use.

Every psycopg error becomes a typed error of promptimp.models whose message names the
server as user@host:port/database, never the password.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool, PoolTimeout

from promptimp.history.postgres.migrations import migrate
from promptimp.models import RepositoryConnectionError, RepositoryConstraintError

CONNECT_TIMEOUT_S = 5
POOL_SIZE = 4
DEFAULTS = {
    "connect_timeout": str(CONNECT_TIMEOUT_S),
    "tcp_user_timeout": "15000",  # ms: a cut network fails a query instead of hanging it
    "application_name": "promptimp",
}
"""Connection parameters used unless the URL sets them."""

_HINTS: tuple[tuple[str, str], ...] = (
    ("password", "check the user and password in HISTORY_DATABASE_URL"),
    ('role "', "create that user on the server or fix the user in HISTORY_DATABASE_URL"),
    ('database "', "create the database or fix HISTORY_DATABASE_URL"),
    (
        'relation "',
        "a history table is missing: restore it from a backup, or point "
        "HISTORY_DATABASE_URL at a new database, which gets its tables on first use",
    ),
    ("refused", "check that the server runs and HISTORY_DATABASE_URL's host and port"),
    ("no such file", "check that the server runs and HISTORY_DATABASE_URL's host and port"),
    ("could not translate host", "fix the host in HISTORY_DATABASE_URL"),
    ("timeout", "the server did not answer in time; check it and the network"),
    ("timed out", "the server did not answer in time; check it and the network"),
    ("no connection within", "the server is busy or gone; try again"),
    ("terminat", "the connection was lost; try again"),
    ("closed", "the connection was lost; try again"),
    ("invalid", "fix HISTORY_DATABASE_URL"),
    ("missing", "fix HISTORY_DATABASE_URL"),
)


def describe_server(url: str) -> str:
    """`postgresql://user@host:port/database` for messages: never the password."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.Error:
        return re.sub(r"://[^@/]*@", "://", url.split("?", 1)[0])  # unparsable: drop userinfo
    user = f"{parts['user']}@" if parts.get("user") else ""
    host = parts.get("host") or "localhost"
    return f"postgresql://{user}{host}:{parts.get('port') or 5432}/{parts.get('dbname') or ''}"


class PostgresConnection:
    """A lazily opened, migrated pool of connections to the history database at `url`.

    Statements are never prepared: a prepared statement's generic plan cannot see the
    LIMIT or the search words, and would sort every run for a page of 50.

    Constructing never fails; operations raise RepositoryConnectionError (server down,
    wrong password, database missing, connection lost) or RepositoryConstraintError.
    Create it after forking, one per process.
    """

    def __init__(self, url: str, *, pool_size: int = POOL_SIZE) -> None:
        self.url = url
        self.location = describe_server(url)
        self._pool_size = pool_size
        self._pool: ConnectionPool | None = None
        self._lock = threading.Lock()

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection]:
        """A pooled connection inside one transaction (committed when the block ends).

        A lost connection closes the pool, so the next operation connects afresh and
        either recovers or fails at once with the server's own reason.
        """
        try:
            with self._open().connection(timeout=CONNECT_TIMEOUT_S) as conn, conn.transaction():
                yield conn
        except (psycopg.IntegrityError, psycopg.DataError) as error:  # DataError: e.g. a NUL
            raise self._rejected(error) from error
        except PoolTimeout as error:
            self.close()
            raise self._unreachable(f"no connection within {CONNECT_TIMEOUT_S} s") from error
        except psycopg.Error as error:
            self.close()
            raise self._unreachable(_first_line(error)) from error

    def check(self) -> None:
        """Connect, migrate and read; raises RepositoryConnectionError on failure."""
        with self._connection() as conn:
            conn.execute("SELECT id FROM prompt_history LIMIT 1").fetchall()

    def close(self) -> None:
        """Close every connection; the next operation opens the pool again."""
        with self._lock:
            if self._pool is not None:
                self._pool.close()
                self._pool = None

    def _open(self) -> ConnectionPool:
        """The pool, created after one direct connection has applied pending migrations."""
        with self._lock:
            if self._pool is not None:
                return self._pool
            try:
                conninfo = self._conninfo()
                with psycopg.connect(conninfo) as conn:
                    migrate(conn)
            except psycopg.Error as error:
                raise self._unreachable(_first_line(error)) from error
            self._pool = ConnectionPool(
                conninfo,
                min_size=1,
                max_size=self._pool_size,
                kwargs={"row_factory": dict_row, "prepare_threshold": None},
                check=ConnectionPool.check_connection,
                name="promptimp-history",
                open=False,
            )
            self._pool.open()
            return self._pool

    def _conninfo(self) -> str:
        """The URL as a connection string, with DEFAULTS for what it does not set."""
        given = conninfo_to_dict(self.url)
        return make_conninfo(self.url, **{k: v for k, v in DEFAULTS.items() if k not in given})

    def _unreachable(self, reason: str) -> RepositoryConnectionError:
        reason = self._without_secrets(reason)
        hint = next(
            (hint for key, hint in _HINTS if key in reason.lower()),
            "check the server and HISTORY_DATABASE_URL",
        )
        return RepositoryConnectionError(
            f"Cannot reach history database {self.location}: {reason} ({hint})"
        )

    def _rejected(self, error: psycopg.Error) -> RepositoryConstraintError:
        reason = self._without_secrets(_first_line(error))
        return RepositoryConstraintError(
            f"History database {self.location} rejected the run: {reason}"
        )

    def _without_secrets(self, text: str) -> str:
        try:
            password = conninfo_to_dict(self.url).get("password")
        except psycopg.Error:
            password = None
        return text.replace(password, "****") if password else text


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0].strip() if text else type(error).__name__
