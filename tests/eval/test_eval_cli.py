"""`promptimp eval run/list/show/compare` end to end on DummyLM and a real SQLite file."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from cli.app import app
from cli.context import CliState
from promptimp.models import InputError
from tests.support import cli_in_subprocess


def invoke(service, *args: object):
    """`promptimp eval ARGS` in process on `service`; it must succeed."""
    result = CliRunner().invoke(app, ["eval", *map(str, args)], obj=CliState(service))
    assert result.exit_code == 0, result.output
    return result


def invoke_json(service, *args: object):
    return json.loads(invoke(service, *args, "--json").stdout)


@pytest.fixture
def two_runs(service, devset):
    return invoke_json(
        service, "run", "--dataset", str(devset), "--backend", "both", "--limit", "3"
    )


def test_run_both_prints_both_runs_and_their_comparison(two_runs, service, devset):
    zero, few = two_runs["runs"]
    assert (zero["id"], zero["backend"], zero["example_count"]) == (1, "zero-shot", 3)
    assert (few["id"], few["backend"], few["dataset"]) == (2, "few-shot", str(devset))
    assert [r["prompt_run_id"] for r in few["results"]] == [4, 5, 6]
    assert set(zero["parts"]) == {
        "quality", "acceptable", "grounding", "reference", "structure", "consistency", "length",
        "no_repetition",
    }  # fmt: skip
    comparison = two_runs["comparison"]
    assert (comparison["first_id"], comparison["second_id"], comparison["ties"]) == (1, 2, 3)
    assert service.history.total_count() == 6


def test_run_one_backend_has_no_comparison(service, devset):
    data = invoke_json(
        service, "run", "--dataset", str(devset), "--backend", "zero-shot", "--limit", "2"
    )
    assert [r["backend"] for r in data["runs"]] == ["zero-shot"]
    assert data["comparison"] is None


def test_list_show_and_compare_read_the_stored_runs(two_runs, service):
    listed = invoke_json(service, "list")
    assert [(r["id"], r["backend"]) for r in listed] == [(2, "few-shot"), (1, "zero-shot")]
    assert "results" not in listed[0]
    assert listed[1] == {k: v for k, v in two_runs["runs"][0].items() if k != "results"}
    shown = invoke_json(service, "show", "1")
    assert shown == two_runs["runs"][0]
    compared = invoke_json(service, "compare", "1", "2")
    assert compared == two_runs["comparison"]
    assert compared["score_delta"] == 0.0
    assert set(compared["part_deltas"].values()) == {0.0}


def test_human_output_names_runs_parts_and_wins(two_runs, service):
    assert "few-shot" in invoke(service, "list").stdout
    shown = invoke(service, "show", "2").stdout
    assert "GraphQL schema for a blog platform" in shown and "grounding" in shown
    compared = invoke(service, "compare", "1", "2").stdout
    assert "#2 wins 0, #1 wins 0, ties 3." in compared


def test_a_missing_run_is_an_input_error(service):
    result = CliRunner().invoke(app, ["eval", "show", "9"], obj=CliState(service))
    assert isinstance(result.exception, InputError)
    assert str(result.exception) == "No evaluation run with id 9."


def test_a_bad_dataset_line_is_one_error_line_and_exit_2(tmp_path, db_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"idea": "fine idea"}\n{"idea": 3}\n', encoding="utf-8")
    env = {**os.environ, "SQLITE_DB_PATH": str(db_path)}
    done = subprocess.run(
        [sys.executable, "-m", "cli", "eval", "run", "--dataset", str(bad)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr == f"error: {bad}, line 2: 'idea' must be a non-empty string.\n"


def test_reading_commands_do_not_import_dspy(db_path):
    imported, stderr = cli_in_subprocess(
        db_path, ["eval", "list", "--json"], ["eval", "compare", "1", "2"]
    )
    assert imported == []
    assert "error: No evaluation run with id 1." in stderr
