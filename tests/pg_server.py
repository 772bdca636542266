"""A throwaway PostgreSQL server for the tests: Debian's initdb and pg_ctl in a temp dir.

The cluster listens on a Unix socket in its own directory and on 127.0.0.1 at a free port.
Local socket connections are trusted; TCP connections need the superuser's password, so the
tests can also check what a wrong password does. initdb refuses to run as root, so under
root the server runs as the `postgres` user. `python -m tests.pg_server` starts one by hand
and prints its URLs until Ctrl-C (for the store bench).
"""

from __future__ import annotations

import atexit
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest

PG_BIN = Path(os.environ.get("PROMPTIMP_PG_BIN", "/usr/lib/postgresql/15/bin"))
SERVER_USER = "postgres"
INSTALL_HINT = (
    f"PostgreSQL server binaries not found in {PG_BIN}: install Debian's package"
    " (apt-get install -y postgresql) or set PROMPTIMP_PG_BIN"
)


class PostgresServer:
    """One private cluster; `start()` initialises and starts it, `stop()` removes it.

    The cluster lives in a temp dir of its own (not pytest's, whose folders the `postgres`
    user may not enter). `stop()` also runs at interpreter exit, so a session that ends
    early (Ctrl-C, a failing start) leaves neither a running server nor its directory.
    """

    def __init__(self) -> None:
        self.password = secrets.token_urlsafe(16)
        self.port = _free_port()
        self.root = Path(tempfile.mkdtemp(prefix="promptimp-pg-"))
        atexit.register(self.stop)
        self.data = self.root / "data"
        self._as_user: list[str] = []
        self._databases = 0

    @property
    def socket_dir(self) -> str:
        return str(self.root)

    def socket_url(self, database: str = "postgres") -> str:
        """A URL over the Unix socket (trusted, no password)."""
        return (
            f"postgresql://{SERVER_USER}@/{database}?host={quote(self.socket_dir)}&port={self.port}"
        )

    def tcp_url(self, database: str = "postgres", password: str | None = None) -> str:
        """A URL over TCP on 127.0.0.1, with the right password unless another is given."""
        secret = quote(self.password if password is None else password, safe="")
        return f"postgresql://{SERVER_USER}:{secret}@127.0.0.1:{self.port}/{database}"

    def start(self) -> PostgresServer:
        if not (PG_BIN / "initdb").is_file():
            raise RuntimeError(INSTALL_HINT)
        if os.geteuid() == 0:
            shutil.chown(self.root, user=SERVER_USER)
            self._as_user = ["runuser", "-u", SERVER_USER, "--"]
        password_file = self.root / "password"
        password_file.write_text(self.password)
        if self._as_user:
            shutil.chown(password_file, user=SERVER_USER)
        self._run(
            "initdb",
            "-D", str(self.data),
            "-U", SERVER_USER,
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            f"--pwfile={password_file}",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )  # fmt: skip
        password_file.unlink()
        self.pg_ctl("start", "-w", "-l", str(self.root / "server.log"), "-o", self._options())
        return self

    def create_database(self, template: str = "template0") -> str:
        """The name of a new database, a copy of `template` (blank by default)."""
        self._databases += 1
        name = f"history_{self._databases}"
        with psycopg.connect(self.socket_url(), autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
        return name

    def drop_database(self, name: str) -> None:
        """Drop `name`, disconnecting whoever still uses it."""
        with psycopg.connect(self.socket_url(), autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def stop(self) -> None:
        """Stop the server (fast shutdown) and delete its directory; once is enough."""
        atexit.unregister(self.stop)
        try:
            if (self.data / "postmaster.pid").exists():
                self.pg_ctl("stop", "-m", "fast", "-w")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def kill(self) -> None:
        """SIGKILL the postmaster and every backend at once, as a crash of the server would."""
        pid = int((self.data / "postmaster.pid").read_text().splitlines()[0])
        children = subprocess.run(
            ["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False
        ).stdout.split()
        doomed = [pid, *map(int, children)]
        for victim in doomed:
            os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while any(map(_alive, doomed)) and time.monotonic() < deadline:
            time.sleep(0.05)
        for lock in (self.data / "postmaster.pid", *self.root.glob(".s.PGSQL.*")):
            lock.unlink()  # the dead server's pid may linger as a zombie and look alive

    def start_again(self) -> None:
        """Start after `kill()`: the server replays its WAL (crash recovery)."""
        self.pg_ctl("start", "-w", "-l", str(self.root / "server.log"), "-o", self._options())

    def pg_ctl(self, *args: str) -> None:
        self._run("pg_ctl", "-D", str(self.data), *args)

    def _options(self) -> str:
        return (
            f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1"
            " -c fsync=off -c full_page_writes=off -c max_connections=60"
        )  # fsync off: a killed server keeps its page cache; only power cuts lose data

    def _run(self, program: str, *args: str) -> None:
        command = [*self._as_user, str(PG_BIN / program), *args]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(
                f"{program} failed ({result.returncode}): {result.stderr.strip()} {tail}"
            )


def start_or_fail() -> PostgresServer:
    """A started server, or the test fails with one line saying what to install."""
    try:
        return PostgresServer().start()
    except RuntimeError as error:
        pytest.fail(str(error), pytrace=False)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _alive(pid: int) -> bool:
    """Whether `pid` still runs (a zombie of another parent counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


if __name__ == "__main__":
    server = PostgresServer().start()
    print(f"socket: {server.socket_url()}\ntcp:    {server.tcp_url()}", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop cleanly on kill, too
    try:
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
