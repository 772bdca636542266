"""The user trainset file (real tmp files) and few-shot drawing demos from it."""

import json
from pathlib import Path

import pytest

from promptimp.crafting.user_trainset import (
    add_example,
    example_of,
    list_examples,
    remove_example,
)
from promptimp.fewshot import FewShotError, load_demo_selector, load_trainset
from promptimp.models import InputError, OutputError
from promptimp.settings import Settings

SHIPPED = Path(__file__).resolve().parents[2] / "data" / "trainset.jsonl"
SHIPPED_KEYS = set(json.loads(SHIPPED.read_text(encoding="utf-8").splitlines()[0]))


@pytest.fixture
def path(tmp_path):
    return tmp_path / "data" / "user_trainset.jsonl"


def good_run(make_run, run_id, idea="Design a REST API for user management"):
    return make_run(id=run_id, original_idea=idea)


def test_a_missing_file_is_an_empty_trainset(path):
    assert list_examples(path) == []


def test_added_runs_are_rows_in_the_shipped_format_with_their_source(path, make_run):
    run = good_run(make_run, 5)
    added = add_example(path, run)
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 1 and set(rows[0]) == SHIPPED_KEYS | {"source_run_id"}
    assert rows[0]["source_run_id"] == 5 and rows[0]["idea"] == run.original_idea
    assert rows[0]["guardrails"] == list(run.guardrails) and rows[0]["language"] == "en"
    assert list_examples(path) == [added]
    demos = load_trainset(path)  # the shipped trainset's loader reads it as it is
    assert demos[0].role == run.role and demos[0].context == run.context


def test_a_duplicate_run_or_idea_is_refused_and_the_file_kept(path, make_run):
    add_example(path, good_run(make_run, 5))
    before = path.read_bytes()
    with pytest.raises(InputError, match="Run 5 is already example 1"):
        add_example(path, good_run(make_run, 5))
    with pytest.raises(InputError, match="Example 1 of .* already has this idea"):
        add_example(path, good_run(make_run, 6, idea="  design a REST api  for USER management "))
    assert path.read_bytes() == before


def test_runs_that_cannot_teach_are_refused(path, make_run):
    with pytest.raises(InputError, match="Only a stored run"):
        add_example(path, make_run())
    with pytest.raises(InputError, match="Run 3 cannot be a trainset example: 'guardrails'"):
        add_example(path, make_run(id=3, guardrails=("Only one",)))
    with pytest.raises(InputError, match="Run 4 is damaged"):
        example_of(make_run(id=4, damaged="guardrails were not JSON"))
    assert not path.exists()


def test_examples_are_removed_by_run_id_or_number(path, make_run):
    for run_id, idea in ((1, "Plan a sprint review"), (2, "Write a haiku"), (3, "Sort a list")):
        add_example(path, good_run(make_run, run_id, idea))
    assert remove_example(path, run_id=2).idea == "Write a haiku"
    assert remove_example(path, index=1).source_run_id == 1
    assert [example.source_run_id for example in list_examples(path)] == [3]


@pytest.mark.parametrize(
    ("which", "message"),
    [
        ({"run_id": 9}, "No example of .* comes from run 9"),
        ({"index": 0}, "no example number 0; .* holds 1"),
        ({"index": 2}, "no example number 2; .* holds 1"),
        ({}, "by its run id or by its number"),
        ({"run_id": 1, "index": 1}, "by its run id or by its number"),
    ],
)
def test_removing_what_is_not_there_is_refused_and_the_file_kept(path, make_run, which, message):
    add_example(path, good_run(make_run, 1))
    before = path.read_bytes()
    with pytest.raises(InputError, match=message):
        remove_example(path, **which)
    assert path.read_bytes() == before


def test_a_malformed_line_is_named_by_file_and_line(path, make_run):
    add_example(path, good_run(make_run, 1))
    path.write_text(path.read_text(encoding="utf-8") + "{not json\n", encoding="utf-8")
    with pytest.raises(FewShotError, match=f"{path} line 2: invalid JSON") as caught:
        list_examples(path)
    assert "\n" not in str(caught.value)
    with pytest.raises(FewShotError, match="line 2"):
        add_example(path, good_run(make_run, 2, "Another idea entirely"))


def test_writes_leave_no_temporary_files_and_name_a_file_they_cannot_write(tmp_path, make_run):
    path = tmp_path / "user.jsonl"
    add_example(path, good_run(make_run, 1))
    remove_example(path, run_id=1)
    assert [entry.name for entry in tmp_path.iterdir()] == ["user.jsonl"]
    assert path.read_text(encoding="utf-8") == "" and list_examples(path) == []
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    with pytest.raises(OutputError, match=f"Cannot write the user trainset {blocked}/user.jsonl"):
        add_example(blocked / "user.jsonl", good_run(make_run, 1))


def trainset_with(tmp_path, ideas):
    rows = [
        {
            "idea": idea,
            "role": "Senior engineer",
            "directive": f"Do this: {idea}.",
            "framework": "decomposition",
            "guardrails": ["Be concrete", "Cite sources", "Stay short"],
            "improved_prompt": f"You are a senior engineer. Do this: {idea}.",
        }
        for idea in ideas
    ]
    path = tmp_path / "shipped.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def test_few_shot_draws_demos_from_the_shipped_and_the_user_trainset(tmp_path, path, make_run):
    shipped = trainset_with(tmp_path, ["Plan a garden", "Write a cover letter", "Tune a guitar"])
    settings = Settings(
        DSPY_FEWSHOT_TRAINSET_PATH=str(shipped),
        DSPY_FEWSHOT_COMPILED_PATH="",
        DSPY_FEWSHOT_USER_TRAINSET_PATH=str(path),
        DSPY_FEWSHOT_K=1,
    )
    assert len(load_demo_selector(settings)) == 3  # no user file yet
    add_example(path, good_run(make_run, 8, "Design a REST API for user management"))
    selector = load_demo_selector(settings)
    assert len(selector) == 4
    [demo] = selector("Design a REST API for orders")
    assert demo.original_idea == "Design a REST API for user management"
    assert [d.original_idea for d in selector.pool[:3]] == [
        "Plan a garden",
        "Write a cover letter",
        "Tune a guitar",
    ]


def test_an_emptied_user_trainset_adds_no_demos(tmp_path, path, make_run):
    shipped = trainset_with(tmp_path, ["Plan a garden"])
    add_example(path, good_run(make_run, 8))
    remove_example(path, run_id=8)
    settings = Settings(
        DSPY_FEWSHOT_TRAINSET_PATH=str(shipped),
        DSPY_FEWSHOT_COMPILED_PATH="",
        DSPY_FEWSHOT_USER_TRAINSET_PATH=str(path),
    )
    assert len(load_demo_selector(settings)) == 1
