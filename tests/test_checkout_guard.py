"""The session guard fails a run whose tests wrote into the checkout's data/ folder."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest

from tests.support import REPO, child_env

CONFTEST = """
from pathlib import Path

from tests.checkout_guard import CheckoutDataGuard


def pytest_configure(config):
    config.pluginmanager.register(CheckoutDataGuard(Path(__file__).parent / "data"))
"""
WRITERS = {
    "save into the existing database": (
        "import sqlite3\n"
        "conn = sqlite3.connect('data/prompt_history.db')\n"
        "conn.execute(\"INSERT INTO runs VALUES ('x' || hex(randomblob(4000)))\")\n"
        "conn.commit()\n"
        "conn.close()\n",
        "prompt_history.db",
    ),
    "open the database in WAL mode": (
        "import sqlite3\n"
        "conn = sqlite3.connect('data/prompt_history.db')\n"
        "conn.execute('PRAGMA journal_mode=WAL')\n"
        "conn.execute(\"INSERT INTO runs VALUES ('y')\")\n"
        "conn.commit()\n",
        "prompt_history.db-wal",
    ),
    "add a file": ("open('data/notes.txt', 'w').write('x')\n", "notes.txt"),
}


def _run_fake_checkout(tmp_path, test_body: str) -> subprocess.CompletedProcess:
    """pytest in a fake checkout whose data/ holds a history database, running one test."""
    (tmp_path / "data").mkdir()
    conn = sqlite3.connect(tmp_path / "data" / "prompt_history.db")
    conn.execute("CREATE TABLE runs (text TEXT)")
    conn.execute("INSERT INTO runs VALUES ('kept')")
    conn.commit()
    conn.close()
    (tmp_path / "conftest.py").write_text(CONFTEST)
    body = "\n".join(f"    {line}" for line in test_body.splitlines())
    (tmp_path / "test_writer.py").write_text(f"def test_writer():\n{body}\n")
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_writer.py"]
    return subprocess.run(
        [*command, f"--basetemp={tmp_path / 'pt'}"],
        cwd=tmp_path,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(("code", "touched"), WRITERS.values(), ids=WRITERS.keys())
def test_a_test_writing_into_data_fails_the_session(tmp_path, code, touched):
    done = _run_fake_checkout(tmp_path, code)
    assert "1 passed" in done.stdout  # the test itself passes; only the guard fails the run
    assert done.returncode == pytest.ExitCode.TESTS_FAILED, done.stdout + done.stderr
    [message] = [line for line in done.stdout.splitlines() if line.startswith("ERROR: tests wrote")]
    assert touched in message.split(" in ")[0].removeprefix("ERROR: tests wrote ").split(", ")
    assert message.endswith(
        f" in {tmp_path / 'data'}; every test must use its own tmp dir (set SQLITE_DB_PATH)"
    )


def test_a_test_only_reading_data_passes(tmp_path):
    reader = (
        "import sqlite3\n"
        "conn = sqlite3.connect('data/prompt_history.db')\n"
        "assert conn.execute('SELECT text FROM runs').fetchall() == [('kept',)]\n"
        "conn.close()\n"
    )
    done = _run_fake_checkout(tmp_path, reader)
    assert done.returncode == pytest.ExitCode.OK, done.stdout + done.stderr
    assert "tests wrote" not in done.stdout


def test_the_suite_guards_this_checkouts_data_folder(pytestconfig):
    guard = pytestconfig.pluginmanager.get_plugin("checkout-data-guard")
    assert guard.folder == REPO / "data"
    assert set(guard.before) >= {"devset.jsonl", "trainset.jsonl"}
