"""The command line under hostile input: every bad input ends in exit 2 with exactly one line
on stderr, no traceback, and the database as it was; hostile but valid input works.

Most cases run `cli.app.main()` in process (a fresh CLI state per case, the same code
path as the console script); the cases that depend on real argv bytes, the terminal or a
provider run as real processes.
"""

from __future__ import annotations

import io
import sqlite3
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout

import pytest

from cli.app import main
from cli.context import CliState
from promptimp.history import SQLiteStore
from tests.support import (
    FTS_SYNTAX,
    HOSTILE_TEXTS,
    SHORT_IDEAS,
    child_env,
    dummy_service,
    key_echoing_provider,
    query,
)

HUGE = "9223372036854775808"  # one past SQLite's largest integer
BAD_NUMBERS = ["0", "-1", "abc", "", "1.5", "1e3", HUGE, "-" + HUGE, "1" * 40]
BAD_DATES = [
    "notadate",
    "2026-13-01",
    "2026-02-30",
    "",
    "9999-99-99",
    "yesterday",
    "24:00",
    "0000-01-01",
]

BAD_INPUTS: list[tuple[list[str], dict[str, str]]] = [
    # improve: too short, too long, invisible, invalid UTF-8, unknown choices
    *(
        (["improve", idea], {})
        for idea in (
            *SHORT_IDEAS,
            "x" * 20_001,
            "\udcff\udcfe abc def",
            "\ud800 lone surrogate",
        )
    ),
    (["improve", "Design an API", "--context", "y" * 20_001], {}),
    (["improve", "Design an API", "--context", "\udcff"], {}),
    (["improve", "Design an API", "--backend", "three-shot"], {}),
    (["improve", "Design an API", "--backend", ""], {}),
    (["improve"], {}),
    (["improve", "Design an API", "--temperature", "2"], {}),
    # history: numbers, dates, search text, choices
    *((["history", "--limit", value], {}) for value in [*BAD_NUMBERS, "10001"]),
    *((["history", "--offset", value], {}) for value in ["-1", "abc", "", "1.5", "-" + HUGE]),
    *((["history", "--since", value], {}) for value in BAD_DATES),
    *((["history", "--until", value], {}) for value in BAD_DATES),
    (["history", "--search", "\udcff"], {}),
    (["history", "--search", "api \ud800"], {}),
    (["history", "--backend", "three-shot"], {}),
    (["history", "--limit"], {}),
    # show, cleanup, export
    *((["show", value], {}) for value in [*BAD_NUMBERS, "99"]),
    (["show"], {}),
    *(
        (["cleanup", "--days", value], {})
        for value in [*BAD_NUMBERS, "36501", "400000", "1000000", "10000000"]
    ),
    (["cleanup"], {}),
    *(
        (["export", "--output", target], {})
        for target in ("{tmp}", "{tmp}/missing/runs.csv", "", "/proc/x.csv", "/dev/full")
    ),
    (["export", "--format", "xml"], {}),
    (["export", "--format", "json", "--output", "{tmp}"], {}),
    # commands and options that do not exist
    (["nosuch"], {}),
    (["stats", "--bad"], {}),
    (["history", "--json", "extra"], {}),
    (["eval", "show", "abc"], {}),
    (["eval", "compare", "1"], {}),
    # settings that cannot be used (any command)
    *(
        (["stats"], {"SQLITE_RETENTION_DAYS": value})
        for value in ["0", "-3", "400000", "10000000", "abc", ""]
    ),
    *(
        (["history"], {name: value})
        for name, value in (
            ("SQLITE_ENABLED", "maybe"),
            ("SQLITE_WAL_MODE", "2"),
            ("API_PORT", "http"),
            ("API_PORT", "70000"),
            ("LLM_PROVIDER", "foo"),
            ("MAX_LATENCY_MS", "0"),
            ("MIN_CONFIDENCE_THRESHOLD", "2"),
            ("SQLITE_DB_PATH", " "),
            ("API_READ_TIMEOUT_S", "-1"),
        )
    ),
]


class Outcome:
    def __init__(self, code: int, stdout: str, stderr: str) -> None:
        self.code, self.stdout, self.stderr = code, stdout, stderr


def run_main(argv: list[str], env: dict[str, str], monkeypatch, service=None) -> Outcome:
    """`promptimp ARGV` through main() in this process, with a fresh CLI state."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(sys, "argv", ["promptimp", *argv])
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err), pytest.raises(SystemExit) as exited:
        main(CliState(service))
    return Outcome(exited.value.code, out.getvalue(), err.getvalue())


def snapshot(db_path) -> list[tuple]:
    return query(db_path, "SELECT * FROM prompt_history ORDER BY id") if db_path.exists() else []


def user_files(folder) -> list:
    """Every file under `folder` but SQLite's WAL companions (-wal, -shm come and go)."""
    return sorted(p for p in folder.rglob("*") if not p.name.endswith(("-wal", "-shm")))


@pytest.fixture
def cli_env(tmp_path, monkeypatch):
    """A checkout-free working directory and a history database with two runs."""
    monkeypatch.chdir(tmp_path)
    db_path = tmp_path / "history.db"
    monkeypatch.setenv("SQLITE_DB_PATH", str(db_path))
    monkeypatch.setenv("LLM_PROVIDER", "openai")
    service = dummy_service(db_path)
    service.improve("Design a REST API for user management")
    service.improve("Write a haiku about rain")
    service.close()
    return db_path


@pytest.mark.parametrize(("argv", "env"), BAD_INPUTS, ids=lambda value: repr(value)[:60])
def test_bad_input_is_one_line_exit_2_and_leaves_the_database_as_it_was(
    cli_env, tmp_path, monkeypatch, argv, env
):
    argv = [arg.replace("{tmp}", str(tmp_path)) for arg in argv]
    before = snapshot(cli_env)
    files = user_files(tmp_path)
    done = run_main(argv, env, monkeypatch)
    assert done.code == 2, (done.code, done.stderr)
    assert done.stderr.startswith("error: ")
    assert done.stderr.count("\n") == 1, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert snapshot(cli_env) == before
    assert user_files(tmp_path) == files  # no export or database file half-written


HOSTILE_BUT_VALID: list[list[str]] = [
    *(["history", "--search", text] for text in [*FTS_SYNTAX, *HOSTILE_TEXTS.values()]),
    ["history", "--offset", HUGE],
    ["history", "--offset", "1" * 30],
    ["history", "--since", "0500-01-01"],
    ["history", "--until", "0500-01-01"],
    ["history", "--since", "9999-12-31"],
    ["history", "--limit", "10000"],
    ["show", "1"],
    ["stats"],
    ["cleanup", "--days", "36500"],
    ["export", "--format", "json"],
    ["--version"],
    ["--help"],
    ["history", "--help"],
]


@pytest.mark.parametrize("argv", HOSTILE_BUT_VALID, ids=lambda value: repr(value)[:60])
def test_hostile_but_valid_input_works(cli_env, monkeypatch, argv):
    before = snapshot(cli_env)
    done = run_main(argv, {}, monkeypatch)
    assert done.code == 0, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert snapshot(cli_env) == before


@pytest.mark.parametrize("idea", list(HOSTILE_TEXTS.values()), ids=list(HOSTILE_TEXTS))
def test_hostile_ideas_are_improved_and_stored_once_as_given(cli_env, monkeypatch, idea):
    done = run_main(["improve", idea, "--json"], {}, monkeypatch, service=dummy_service(cli_env))
    assert done.code == 0, done.stderr
    assert query(cli_env, "SELECT id, original_idea FROM prompt_history WHERE id > 2") == [
        (3, idea)
    ]


def test_since_before_year_1000_lists_everything_and_until_lists_nothing(cli_env, monkeypatch):
    since = run_main(["history", "--since", "0500-01-01", "--json"], {}, monkeypatch)
    until = run_main(["history", "--until", "0500-01-01", "--json"], {}, monkeypatch)
    assert since.stdout.count('"original_idea"') == 2
    assert until.stdout.strip() == "[]"


def test_cleanup_with_the_largest_retention_keeps_recent_runs(cli_env, monkeypatch):
    done = run_main(["cleanup", "--days", "36500"], {}, monkeypatch)
    assert done.stdout == "Deleted 0 runs older than 36,500 days.\n"
    assert len(snapshot(cli_env)) == 2


def test_stats_are_formatted_for_people(cli_env, monkeypatch):
    done = run_main(["stats"], {}, monkeypatch)
    lines = done.stdout.splitlines()
    assert lines[:2] == ["Runs stored:         2", "Average confidence:  0.82"]
    assert lines[2].startswith("Average latency:") and lines[2].endswith(" ms")
    assert lines[-1].startswith("zero-shot:           2 runs, confidence 0.82, latency ")
    assert "{" not in done.stdout and "0000000" not in done.stdout


def test_history_pages_and_says_how_to_see_more(cli_env, monkeypatch):
    store = SQLiteStore(cli_env)
    for _ in range(25):
        store.save(store.get(1).model_copy(update={"id": None}))
    store.close()
    done = run_main(["history"], {}, monkeypatch)
    assert done.stdout.count("Design a REST API") + done.stdout.count("haiku") == 20
    assert done.stderr == ("Runs 1-20 of 27; see more with --offset 20 or a larger --limit.\n")
    last = run_main(["history", "--offset", "20"], {}, monkeypatch)
    assert last.stderr == ""


def test_help_names_arguments_plainly_and_version_prints(cli_env, monkeypatch):
    improve = run_main(["improve", "--help"], {}, monkeypatch).stdout
    assert "improve [OPTIONS] IDEA\n" in improve
    assert "<bool>" not in improve and "{idea}" not in improve.lower()
    compare = run_main(["eval", "compare", "--help"], {}, monkeypatch).stdout
    assert "compare [OPTIONS] FIRST_ID SECOND_ID\n" in compare
    assert run_main(["--version"], {}, monkeypatch).stdout.startswith("promptimp ")


# -- real processes ----------------------------------------------------------------------------


def run_process(db_path, *args: str | bytes, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        capture_output=True,
        env=child_env(SQLITE_DB_PATH=str(db_path), **env),
        cwd=next(folder for folder in db_path.parents if folder.is_dir()),
        timeout=120,
    )


def test_invalid_utf8_bytes_in_argv_are_bad_input(cli_env):
    for args in ((b"improve", b"\xff\xfe Design an API"), (b"history", b"--search", b"\xff")):
        done = run_process(cli_env, *args)
        assert done.returncode == 2, done.stderr
        assert done.stderr.decode().startswith("error: The ")
        assert b"not valid UTF-8" in done.stderr and done.stderr.count(b"\n") == 1


def test_history_escapes_control_bytes_stored_by_older_versions(cli_env):
    conn = sqlite3.connect(cli_env)
    conn.execute(
        "UPDATE prompt_history SET original_idea = ? WHERE id = 1", ["Bell\x07 \x1b[2J\x7f"]
    )
    conn.commit()
    conn.close()
    for args in (("history",), ("show", "1")):
        done = run_process(cli_env, *args)
        assert done.returncode == 0, done.stderr
        assert not {0x07, 0x1B, 0x7F} & set(done.stdout), args


def test_a_storage_error_is_reported_once(tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    done = run_process(blocker / "history.db", "history")
    assert done.returncode == 1
    assert done.stderr.decode().startswith("error: Cannot open history database")
    assert done.stderr.count(b"\n") == 1


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_an_export_to_a_full_disk_is_one_line_naming_the_output_file(tmp_path, make_run, fmt):
    store = SQLiteStore(tmp_path / "history.db")
    store.import_runs(make_run(id=number) for number in range(1, 201))  # > 64 KiB of output
    store.close()
    done = run_process(tmp_path / "history.db", "export", "--format", fmt, "--output", "/dev/full")
    assert done.returncode == 2, done.stderr
    assert done.stderr.decode() == "error: Cannot write /dev/full: the disk holding it is full.\n"


@pytest.mark.parametrize("argv", [["stats"], ["export"], ["history", "--json"]])
def test_standard_output_on_a_full_disk_is_one_line_exit_1(cli_env, argv):
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "cli", *argv],
            stdout=full,
            stderr=subprocess.PIPE,
            env=child_env(SQLITE_DB_PATH=str(cli_env)),
            cwd=cli_env.parent,
            timeout=120,
        )
    assert done.returncode == 1, done.stderr
    assert done.stderr.decode() == "error: Cannot write the output: No space left on device\n"


def test_a_provider_error_echoing_the_key_is_masked_on_stderr(tmp_path):
    secret = "sk-cli-secret-0123456789abcdef"
    with key_echoing_provider() as base_url:
        done = run_process(
            tmp_path / "history.db",
            "improve",
            "Design a REST API for user management",
            LLM_PROVIDER="openai",
            LLM_BASE_URL=base_url,
            OPENAI_API_KEY=secret,
        )
    assert done.returncode == 1
    stderr = done.stderr.decode()
    assert stderr.startswith("error: The language model openai/gpt-4o-mini failed:")
    assert "sk-...cdef" in stderr and secret not in stderr
    assert stderr.count("\n") == 1
    assert query(tmp_path / "history.db", "SELECT COUNT(*) FROM prompt_history") == [(0,)]
