"""The test PostgreSQL server stops and removes its directory even when nobody calls stop()."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.pg_server import PG_BIN, _alive
from tests.support import REPO, child_env

pytestmark = pytest.mark.slow

LEFT_RUNNING = """
import json
from tests.pg_server import PostgresServer

server = PostgresServer().start()
pid = int((server.data / "postmaster.pid").read_text().splitlines()[0])
print(json.dumps({"root": str(server.root), "pid": pid}), flush=True)
"""


def test_a_process_exiting_without_stop_leaves_no_server_and_no_directory():
    if not (PG_BIN / "initdb").is_file():
        pytest.fail(f"PostgreSQL server binaries not found in {PG_BIN}", pytrace=False)
    done = subprocess.run(
        [sys.executable, "-c", LEFT_RUNNING],
        cwd=REPO,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    started = json.loads(done.stdout.strip().splitlines()[-1])
    assert Path(started["root"]).name.startswith("promptimp-pg-")
    assert not _alive(started["pid"])
    assert not Path(started["root"]).exists()
