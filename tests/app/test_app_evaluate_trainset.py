"""Evaluate's user-trainset section: the examples listed and removed, and few-shot scored
without and with them, side by side."""

import pytest
from app_helpers import click, unescape

from eval.reports import compare_reports
from promptimp.crafting.user_trainset import add_example, list_examples

TRAINSET = "data/user_trainset.jsonl"  # in the test's tmp dir (see env in conftest.py)
IDEAS = ["Write a lullaby about a sleepy lighthouse keeper", "Plan a picnic for a rainy day"]


@pytest.fixture
def examples(workbench, store, make_run):
    """Two user examples made from stored runs."""
    path = workbench.parent / TRAINSET
    for idea in IDEAS:
        add_example(path, store.save(make_run(original_idea=idea)))
    return path


def test_no_examples_says_how_to_add_them(workbench, open_page):
    at = open_page("evaluate")
    assert not at.exception and not at.error
    assert any("Add the winner to the trainset" in info.value for info in at.info)
    assert "Score before and after" not in [button.label for button in at.button]


def test_the_examples_are_counted_listed_and_removed_one_at_a_time(examples, open_page):
    at = open_page("evaluate")
    assert (
        f"2 user examples in {TRAINSET}; few-shot draws demos from them alongside the "
        "shipped trainset."
    ) in [unescape(caption.value) for caption in at.caption]
    listed = next(table for table in at.dataframe if "role" in table.value.columns)
    assert listed.value["idea"].tolist() == IDEAS
    at.selectbox(key="eval_remove_choice").set_value(1)
    at = click(at, "Remove example")
    assert not at.error
    assert [unescape(s.value) for s in at.success] == [f"Removed example 1: {IDEAS[0]}"]
    assert [example.idea for example in list_examples(examples)] == IDEAS[1:]
    assert "1 user example in" in " ".join(c.value for c in at.caption)


def test_few_shot_is_scored_without_and_with_the_examples(examples, store, open_page):
    at = open_page("evaluate")
    at.number_input(key="eval_ba_limit").set_value(2)
    at = click(at, "Score before and after")
    assert not at.exception and not at.error
    before, after = sorted(store.eval_runs(), key=lambda report: report.id)
    assert (before.backend, after.backend) == ("few-shot", "few-shot")
    assert (before.dataset, after.dataset) == (
        "data/devset.jsonl · shipped only",
        "data/devset.jsonl · with 2 user examples",
    )
    before, after = store.get_eval_run(before.id), store.get_eval_run(after.id)
    assert (before.example_count, after.example_count) == (2, 2)
    figures = {m.label: m.value for m in at.metric}
    assert figures["Without your examples"] == f"{before.score:.3f}"
    assert figures["With your examples"] == f"{after.score:.3f}"
    assert figures["Acceptable, without your examples"] == f"{before.acceptable_share:.0%}"
    assert figures["Acceptable, with your examples"] == f"{after.acceptable_share:.0%}"
    parts = next(table.value for table in at.dataframe if "without" in table.value.columns)
    deltas = compare_reports(before, after).part_deltas
    assert parts["delta"].tolist() == [deltas[name] for name in sorted(deltas)]
    assert parts["without"].tolist() == [before.parts[name] for name in sorted(before.parts)]


def test_an_empty_uploaded_dataset_is_one_error_and_scores_nothing(examples, store, open_page):
    at = open_page("evaluate")
    at = at.radio(key="eval_source").set_value("Upload a JSONL file").run()
    at = click(at, "Score before and after")
    assert [unescape(e.value) for e in at.error] == [
        "Choose a JSONL file to upload, or use the bundled devset."
    ]
    assert store.eval_runs() == []
