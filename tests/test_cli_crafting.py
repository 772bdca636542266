"""The crafting loop's commands end to end: in process on DummyLM services over SQLite and
PostgreSQL, and the whole chain once as a real `python -m cli` process on the embedded model.
Bad input is one line, exit 2, and changes nothing stored."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app, main
from cli.context import CliState
from promptimp.quality import check_run
from tests.support import (
    ANSWER,
    child_env,
    cli_in_subprocess,
    crafting_service,
    crafting_state,
    dummy_service,
)

IDEA = "Design a REST API for user management"


@pytest.fixture
def service(history_store, tmp_path):
    """A DummyLM service over each backend's store, with its own user trainset file."""
    return crafting_service(history_store, tmp_path)


@pytest.fixture
def first(service):
    """The id of a stored run of IDEA."""
    return service.improve(IDEA, "FastAPI").run.id


def invoke(service, *args: str):
    """`promptimp ARGS` in process on `service`; fails the test unless it exits 0."""
    result = CliRunner().invoke(app, list(args), obj=CliState(service))
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def as_json(service, *args: str):
    return json.loads(invoke(service, *args, "--json").stdout)


def test_try_prints_both_answers_with_timing_and_stores_them(service, first):
    printed = invoke(service, "try", str(first)).stdout
    assert printed.startswith(f"Run #{first} on openai/test-model: trial #1\n")
    assert "\n== Original idea: " in printed and "\n== Improved prompt: " in printed
    assert " ms, tokens " in printed
    trial = as_json(service, "try", str(first), "--model", "openai/test-model")
    assert (trial["id"], trial["run_id"], trial["warnings"]) == (2, first, [])
    assert trial["original"]["prompt"] == f"{IDEA}\n\nFastAPI"
    assert [t.id for t in service.history.trials(first)] == [2, 1]


def test_refine_versions_and_keep(service, first):
    second = as_json(service, "refine", str(first), "--feedback", "  Shorter ")
    assert (second["parent_id"], second["feedback"]) == (first, "Shorter")
    assert second["warnings"] == [  # DummyLM answers as it did for the first version
        "The model openai/test-model gave the previous version back unchanged; try other"
        " feedback or another model."
    ]
    shown = invoke(service, "refine", str(second["id"]), "-f", "More formal").stdout
    assert f"Refines:   #{second['id']}, feedback: More formal\n" in shown

    kept = invoke(service, "keep", str(second["id"])).stdout
    assert kept == f"Run #{second['id']} is now the keeper of its version chain.\n"
    chain = as_json(service, "versions", str(first))
    assert [run["id"] for run in chain] == [first, second["id"], second["id"] + 1]
    assert [run["keeper"] for run in chain] == [False, True, False]

    printed = invoke(service, "versions", str(second["id"])).stdout.splitlines()
    assert printed[0] == f"#{first:<5}   first version"
    assert printed[3] == f"#{second['id']:<5} * refines #{first}: Shorter"
    assert printed[1] == f"         Role:   {ANSWER['role']}"
    assert (
        printed[2]
        == "         Prompt: You are a senior backend engineer. ## Task Design a REST API."
    )
    assert len(printed) == 10 and printed[-1] == "* the keeper"


def test_versions_diff_names_the_changed_parts_and_marks_the_words(tmp_path):
    shorter = {
        **ANSWER,
        "role": "Staff engineer",
        "improved_prompt": "You are a staff engineer.\n\nDesign a small REST API.",
    }
    service = dummy_service(tmp_path / "history.db", [ANSWER, shorter])
    first = service.improve(IDEA).run.id
    second = service.crafting.refine(first, "Shorter").run.id
    printed = invoke(service, "versions", str(second), "--diff", str(first), str(second)).stdout
    assert printed.splitlines() == [
        f"#{first} -> #{second}: changed role, improved_prompt; 4 words removed, 2 added",
        "You are a [-senior backend-] {+staff+} engineer.",
        "",
        "[-## Task-] Design a {+small+} REST API.",
    ]
    diff = as_json(service, "versions", str(first), "--diff", str(first), str(second))
    assert (diff["from"], diff["to"], diff["changed_parts"]) == (
        first,
        second,
        ["role", "improved_prompt"],
    )
    assert {"op": "+", "words": ["small"]} in diff["chunks"] and 0 < diff["similarity"] < 1


def test_tags_make_the_library_exported_as_markdown_and_json(service, first, tmp_path):
    assert invoke(service, "tag", str(first), "In Production").stdout == (
        f"Run #{first} tags: in-production\n"
    )
    assert as_json(service, "tag", str(first), "tested")["tags"] == ["in-production", "tested"]
    invoke(service, "keep", str(first))
    markdown = invoke(service, "library", "export").stdout
    assert markdown.startswith("# Prompt library\n") and f"\n## {IDEA}\n" in markdown

    out = tmp_path / "library.json"
    done = invoke(service, "library", "export", "--format", "json", "--output", str(out))
    assert done.stdout == ""
    assert [entry["run_id"] for entry in json.loads(out.read_text())] == [first]

    assert invoke(service, "untag", str(first), "tested").stdout == (
        f"Run #{first} tags: in-production\n"
    )
    only_tested = invoke(service, "library", "export", "--format", "json", "--tag", "tested")
    assert json.loads(only_tested.stdout) == []


def test_stability_summarises_the_runs_it_stores(service):
    summary = as_json(service, "stability", IDEA, "--runs", "3", "--backend", "zero-shot")
    assert summary["runs"] == 3 and len(set(summary["run_ids"])) == 3
    acceptable = check_run(service.history.get(summary["run_ids"][0])).acceptable
    assert summary["acceptable_share"] == (1.0 if acceptable else 0.0)  # equal answers agree
    assert summary["framework"]["changed_share"] == 0.0
    assert service.history.total_count() == 3
    printed = invoke(service, "stability", IDEA, "-n", "2").stdout
    assert printed.startswith("2 runs (#4, #5)\n")
    assert "Confidence:  min 0.82 / median 0.82 / max 0.82\n" in printed
    assert "Role:        1 distinct, changed in 0% of runs" in printed
    assert f"  2/2  {ANSWER['guardrails'][0].lower()}\n" in printed


def test_the_user_trainset_is_added_to_listed_and_removed_from(service, first):
    second = service.improve("Write a haiku about rain").run.id
    assert as_json(service, "trainset", "add", str(first))["source_run_id"] == first
    invoke(service, "trainset", "add", str(second))
    listed = invoke(service, "trainset", "list").stdout.splitlines()
    assert listed == [
        f"  1  run #{first:<5} {IDEA}",
        f"  2  run #{second:<5} Write a haiku about rain",
    ]
    removed = as_json(service, "trainset", "remove", "--number", "2")
    assert removed["source_run_id"] == second
    assert invoke(service, "trainset", "remove", str(first)).stdout == (
        f"Removed the example of '{IDEA}'.\n"
    )
    assert as_json(service, "trainset", "list") == []
    assert Path(service.crafting.trainset_path).read_text() == ""


def test_models_lists_the_ids_that_model_options_take(service, first):
    listed = as_json(service, "models")
    assert [model["id"] for model in listed] == ["openai/test-model", "local/smollm2-135m-instruct"]
    assert invoke(service, "models").stdout.splitlines()[0].endswith("(openai)  (default)")
    improved = as_json(service, "improve", "Plan a database migration", "--model", listed[0]["id"])
    assert improved["model_version"] == "openai/test-model"


def promptimp(service, monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    """`promptimp ARGS` through main() in process: its exit code, stdout and stderr."""
    monkeypatch.setattr(sys, "argv", ["promptimp", *args])
    with pytest.raises(SystemExit) as exited:
        main(CliState(service))
    out, err = capsys.readouterr()
    return exited.value.code, out, err


BAD_COMMANDS = [
    (["try", "999"], "No run with id 999."),
    (["try", "{id}", "--model", "nope/none"], "Unknown model 'nope/none'"),
    (["improve", IDEA, "--model", "nope/none"], "Unknown model 'nope/none'"),
    (["refine", "999", "--feedback", "Shorter"], "No run with id 999."),
    (["refine", "{id}", "--feedback", "x" * 2001], "the limit is 2,000"),
    (["refine", "{id}", "--feedback", " \t "], "The feedback is empty"),
    (["versions", "999"], "No run with id 999."),
    (["versions", "{id}", "--diff", "{id}", "999"], "Run 999 is not a version of this chain"),
    (["keep", "999"], "No run with id 999."),
    (["stability", IDEA, "--runs", "0"], "1 to 10 times, not 0"),
    (["stability", IDEA, "--runs", "11"], "1 to 10 times, not 11"),
    (["tag", "{id}", "bad\x07tag"], "control characters"),
    (["tag", "999", "tested"], "No run with id 999."),
    (["untag", "{id}", "never-added"], "has no tag 'never-added'"),
    (["library", "export", "--tag", "a/b"], "remove '/'"),
    (["library", "export", "--output", "{tmp}/missing/library.md"], "Cannot write"),
    (["trainset", "add", "999"], "No run with id 999."),
    (["trainset", "add", "{id}"], "already example 1"),
    (["trainset", "remove"], "by its run id or by its number"),
    (["trainset", "remove", "{id}", "--number", "1"], "by its run id or by its number"),
    (["trainset", "remove", "--number", "5"], "no example number 5"),
    (["trainset", "remove", "999"], "comes from run 999"),
    (["refine", "{id}"], "Missing option '--feedback'"),
    (["stability", IDEA, "--runs", "many"], "Invalid value for '--runs'"),
    (["library", "export", "--format", "xml"], "'xml' is not one of 'md', 'json'"),
]


@pytest.mark.parametrize(("args", "message"), BAD_COMMANDS, ids=lambda v: repr(v)[:50])
def test_bad_input_is_one_line_exit_2_and_changes_nothing(
    service, first, tmp_path, monkeypatch, capsys, args, message
):
    service.crafting.add_to_trainset(first)
    service.crafting.tag(first, "tested")
    before = crafting_state(service)
    argv = [arg.replace("{id}", str(first)).replace("{tmp}", str(tmp_path)) for arg in args]
    code, out, err = promptimp(service, monkeypatch, capsys, *argv)
    assert (code, out) == (2, "")
    assert err.startswith("error: ") and err.count("\n") == 1 and message in err
    assert crafting_state(service) == before
    assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize("group", ["library", "trainset"])
def test_a_bare_group_prints_its_commands_and_exits_2(service, monkeypatch, capsys, group):
    code, out, err = promptimp(service, monkeypatch, capsys, group)
    assert (code, err) == (2, "")
    assert out.startswith(f"Usage: promptimp {group} [OPTIONS] COMMAND") and "Commands:" in out


@pytest.mark.slow
def test_the_whole_chain_as_a_real_process_on_the_embedded_model(tmp_path):
    """improve -> try -> refine -> versions -> tag -> keep -> library export, each a fresh
    `python -m cli` process over one SQLite file."""
    env = child_env(
        LLM_PROVIDER="local",
        SQLITE_DB_PATH=str(tmp_path / "history.db"),
        DSPY_FEWSHOT_USER_TRAINSET_PATH=str(tmp_path / "user_trainset.jsonl"),
    )

    def promptimp_process(*args: str) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [sys.executable, "-m", "cli", *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
        return done

    idea = "Write a welcome email for new users"
    first = json.loads(
        promptimp_process("improve", idea, "--backend", "zero-shot", "--json").stdout
    )
    assert first["model_version"] == "local/smollm2-135m-instruct"
    trial = json.loads(promptimp_process("try", str(first["id"]), "--json").stdout)
    assert trial["run_id"] == first["id"] and trial["id"] == 1
    assert trial["original"]["prompt"] == idea and trial["improved"]["answer"].strip()
    assert trial["improved"]["completion_tokens"] > 0
    second = json.loads(
        promptimp_process("refine", str(first["id"]), "--feedback", "Shorter", "--json").stdout
    )
    assert (second["parent_id"], second["feedback"]) == (first["id"], "Shorter")
    chain = json.loads(promptimp_process("versions", str(second["id"]), "--json").stdout)
    assert [run["id"] for run in chain] == [first["id"], second["id"]]
    tagged = promptimp_process("tag", str(second["id"]), "production").stdout
    assert tagged == f"Run #{second['id']} tags: production\n"
    promptimp_process("keep", str(second["id"]))
    out = tmp_path / "library.md"
    promptimp_process("library", "export", "--format", "md", "--output", str(out))
    library = out.read_text()
    assert library.startswith("# Prompt library\n")
    assert library.count(f"\n## {idea}\n") == 1 and f"- **Run:** {second['id']}," in library


def test_versions_tags_the_library_and_models_start_without_dspy(tmp_path):
    commands = (["versions", "1"], ["tag", "1", "tested"], ["library", "export"], ["models"])
    imported, stderr = cli_in_subprocess(tmp_path / "history.db", *commands)
    assert imported == []
    assert stderr.count("error: No run with id 1.\n") == 2
