"""The command line end to end: --json output, exit codes, and no DSPy for read-only commands."""

import csv
import io
import json
import subprocess
import sys

import dspy
import pytest
from dspy.utils import DummyLM
from typer.testing import CliRunner

from cli.app import app
from cli.context import CliState
from promptimp.service import ImproveService
from promptimp.settings import Settings
from tests.support import ANSWER, child_env, cli_in_subprocess, dummy_service


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "history.db"


@pytest.fixture
def service(db_path):
    """A DummyLM-backed service for in-process runs (see invoke)."""
    return dummy_service(db_path)


def invoke(service, args):
    """`promptimp ARGS` in process, on `service`."""
    return CliRunner().invoke(app, args, obj=CliState(service))


def run_cli(db_path, *args, extra_env=None):
    """Run `python -m cli ARGS` (the promptimp command) as a real process on `db_path`."""
    env = child_env(SQLITE_DB_PATH=str(db_path), **(extra_env or {}))
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=db_path.parent,
        timeout=120,
    )


def test_improve_json_prints_the_run_with_id_and_warnings(service):
    result = invoke(service, ["improve", "Write a CLI quick-start", "--json"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert printed["id"] == 1
    assert printed["warnings"] == []
    assert printed["role"] == ANSWER["role"]
    assert printed["guardrails"] == ANSWER["guardrails"]
    assert printed["backend"] == "zero-shot"
    assert printed["confidence"] == 0.82


def test_improve_json_has_null_id_when_not_stored(tmp_path):
    settings = Settings(LLM_PROVIDER="openai", SQLITE_ENABLED=False)
    service = ImproveService(settings, lm=DummyLM([ANSWER]), adapter=dspy.ChatAdapter())
    result = invoke(service, ["improve", "Write a CLI quick-start", "--json"])
    assert json.loads(result.output)["id"] is None


def test_bad_input_exits_2_with_one_line(db_path):
    done = run_cli(db_path, "improve", "abc")
    assert done.returncode == 2
    assert done.stderr == "error: The idea must be at least 5 characters long.\n"


def test_invalid_setting_exits_2_with_one_line(db_path):
    done = run_cli(db_path, "stats", extra_env={"SQLITE_RETENTION_DAYS": "-3"})
    assert done.returncode == 2
    assert done.stderr.startswith("error: Invalid setting SQLITE_RETENTION_DAYS='-3'")
    assert done.stderr.count("\n") == 1


def test_read_commands_end_to_end_with_json(service, db_path):
    service.improve("Write a CLI quick-start", "for new contributors")
    service.improve("Plan a database migration")

    listed = json.loads(run_cli(db_path, "history", "--json").stdout)
    assert [run["id"] for run in listed] == [2, 1]
    found = json.loads(run_cli(db_path, "history", "--search", "contributors", "--json").stdout)
    assert [run["id"] for run in found] == [1]
    paged = json.loads(
        run_cli(db_path, "history", "--limit", "1", "--offset", "1", "--json").stdout
    )
    assert [run["id"] for run in paged] == [1]

    shown = json.loads(run_cli(db_path, "show", "2", "--json").stdout)
    assert shown["original_idea"] == "Plan a database migration"
    missing = run_cli(db_path, "show", "99")
    assert (missing.returncode, missing.stderr) == (2, "error: No run with id 99.\n")

    stats = json.loads(run_cli(db_path, "stats", "--json").stdout)
    assert stats["total_count"] == 2
    assert stats["average_confidence"] == pytest.approx(0.82)
    assert stats["by_backend"]["zero-shot"]["count"] == 2

    health = json.loads(run_cli(db_path, "health", "--json").stdout)
    assert (health["status"], health["total_records"], health["provider"]) == (
        "healthy",
        2,
        "local",
    )


def test_export_csv_and_json(service, db_path, tmp_path):
    service.improve("Write a CLI quick-start")
    out = tmp_path / "runs.json"
    done = run_cli(db_path, "export", "--format", "json", "--output", str(out))
    assert done.returncode == 0, done.stderr
    exported = json.loads(out.read_text())
    assert [row["guardrails"] for row in exported] == [ANSWER["guardrails"]]
    as_csv = run_cli(db_path, "export", "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(as_csv)))
    assert [row["original_idea"] for row in rows] == ["Write a CLI quick-start"]


def test_cleanup_reports_the_count(service, db_path):
    service.improve("Write a CLI quick-start")
    done = run_cli(db_path, "cleanup", "--days", "1")
    assert done.stdout == "Deleted 0 runs older than 1 days.\n"
    assert service.history.total_count() == 1


def test_read_only_commands_do_not_import_dspy_or_litellm(db_path):
    imported, _ = cli_in_subprocess(db_path, ["history", "--search", "api", "--json"])
    assert imported == []
