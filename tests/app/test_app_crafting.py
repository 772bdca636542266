"""The crafting loop in the workbench: the sidebar's model choice, Try it, versions with a
word diff and the keeper, Refine, tags, the user trainset, and History's tag filter."""

import json
from concurrent.futures import wait

import dspy
import pytest
from app_helpers import GOOD_ANSWER, TIMEOUT_S, click, open_app, press, shown_text, unescape
from dspy.utils import DummyLM

import promptimp.service
from promptimp.runtime import ModelRuntime
from promptimp.settings import DEFAULT_MODELS, Provider
from ui.jobs import CANCELLED
from ui.run_page import NOT_STORED

IDEA = "Design a REST API for user management"
REFINED = {
    **GOOD_ANSWER,
    "directive": "Design a small versioned REST API for users with four endpoints.",
    "improved_prompt": GOOD_ANSWER["improved_prompt"].replace(
        "CRUD endpoints", "four short endpoints"
    ),
}
ANTHROPIC = f"anthropic/{DEFAULT_MODELS[Provider.ANTHROPIC]}"


def improved(at, idea=IDEA):
    at.text_area(key="improve_idea").input(idea)
    return click(at, "Improve")


def errors(at) -> list[str]:
    return [unescape(error.value) for error in at.error]


def successes(at) -> list[str]:
    return [unescape(success.value) for success in at.success]


def captions(at) -> list[str]:
    return [unescape(caption.value) for caption in at.caption]


def versions_table(at):
    """The run's versions, as its table holds them."""
    (table,) = [df.value for df in at.dataframe if "feedback" in df.value.columns]
    return table


def shown_run(at) -> str:
    return {metric.label: metric.value for metric in at.metric}["Run"]


@pytest.fixture
def answers(answers):
    """Improve answers GOOD_ANSWER, every later call REFINED."""
    answers[:] = [GOOD_ANSWER] + [REFINED] * 40
    return answers


@pytest.fixture
def every_model_answers(monkeypatch):
    """Any model chosen in the sidebar is a DummyLM too (a provider key is set for Anthropic),
    so a run records the chosen model without a network call."""
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-key-0123456789")

    class DummyRuntime(ModelRuntime):
        def __init__(self, settings, *, lm=None, adapter=None, program_factory=None):
            super().__init__(
                settings,
                lm=lm or DummyLM([GOOD_ANSWER] * 40),
                adapter=adapter or dspy.ChatAdapter(),
                program_factory=program_factory,
            )

    monkeypatch.setattr(promptimp.service, "ModelRuntime", DummyRuntime)


# -- the model selector --------------------------------------------------------------------


def test_the_sidebar_offers_the_configured_model_first(workbench, every_model_answers):
    at = open_app().run()
    choice = at.sidebar.selectbox(key="model_choice")
    assert choice.options == [
        "dummy (openai)",
        f"{DEFAULT_MODELS[Provider.LOCAL]} (embedded, no network)",
        f"{DEFAULT_MODELS[Provider.ANTHROPIC]} (anthropic)",
    ]
    assert choice.value == "openai/dummy"


def test_the_chosen_model_improves_tries_and_refines_across_pages(
    store, every_model_answers, open_page
):
    at = open_page("history")
    at.sidebar.selectbox(key="model_choice").set_value(ANTHROPIC).run()
    at.switch_page("pages/improve.py").run()
    assert at.sidebar.selectbox(key="model_choice").value == ANTHROPIC  # kept across pages
    at = improved(at)
    assert not at.exception and not errors(at)
    assert f"Made with {ANTHROPIC}" in captions(at)
    at = click(at, "Try it")
    at = click(at, "Shorter")
    assert not errors(at)
    first, second = store.versions(1)
    assert (first.model_version, second.model_version) == (ANTHROPIC, ANTHROPIC)
    assert [trial.target_model for trial in store.trials(1)] == [ANTHROPIC]


def test_the_configured_model_is_recorded_when_nothing_is_chosen(store, answers, open_page):
    improved(open_page("improve"))
    assert store.get(1).model_version == "openai/dummy"


# -- try it --------------------------------------------------------------------------------


def test_try_it_shows_both_answers_side_by_side_newest_first(store, answers, open_page):
    at = click(click(improved(open_page("improve")), "Try it"), "Try it")
    assert not at.exception and not errors(at)
    newest, oldest = store.trials(1)
    assert newest.id > oldest.id
    texts = shown_text(at)
    answers_shown = [newest.original.answer, newest.improved.answer]
    answers_shown += [oldest.original.answer, oldest.improved.answer]
    assert [text for text in texts if text in answers_shown] == answers_shown
    headings = [unescape(m.value) for m in at.markdown if m.value.startswith("**Original idea**")]
    assert headings == [
        f"**Original idea** · {newest.original.latency_ms:,} ms",
        f"**Original idea** · {oldest.original.latency_ms:,} ms",
    ]
    assert newest.original.prompt == IDEA
    assert newest.improved.prompt == GOOD_ANSWER["improved_prompt"]
    assert sum(caption.startswith("Tokens: ") for caption in captions(at)) == 4


def test_try_it_is_disabled_with_the_reason_when_the_run_was_not_stored(
    workbench, answers, monkeypatch, open_page
):
    blocker = workbench.parent / "not-a-directory"
    blocker.write_text("a file where a directory should be")
    monkeypatch.setenv("SQLITE_DB_PATH", str(blocker / "history.db"))
    at = improved(open_page("improve"))
    (button,) = [button for button in at.button if button.label == "Try it"]
    assert button.disabled
    assert NOT_STORED in captions(at)
    assert not [b for b in at.button if b.label in ("Shorter", "Keep this version")]


def test_a_slow_try_shows_progress_and_cancel_forgets_it(gate, store, open_page):
    gate.release()  # the improve's call
    at = press(improved(open_page("improve")), "Try it")
    progress = [m.value for m in at.markdown if "progress_activity" in m.value]
    assert len(progress) == 1 and "Trying both" in progress[0]
    assert [b for b in at.button if b.label == "Try it"][0].disabled
    job = at.session_state["improve-1_try_job"]
    at = press(at, "Cancel")
    assert [info.value for info in at.info] == [CANCELLED]
    gate.release(2)
    wait([job.future], timeout=TIMEOUT_S)
    at.run()
    assert not at.info and len(store.trials(1)) == 1  # stored, though not waited for


# -- refine, versions, diff and the keeper ------------------------------------------------


def test_quick_feedback_refines_into_the_next_version_which_is_shown_with_its_diff(
    store, answers, open_page
):
    at = click(improved(open_page("improve")), "Shorter")
    assert not at.exception and not errors(at)
    first, second = store.versions(1)
    assert (second.id, second.parent_id, second.feedback) == (2, 1, "Shorter")
    assert shown_run(at) == "#2"
    assert "Refined into run #2, shown above." in successes(at)
    versions = versions_table(at)
    assert list(versions["feedback"]) == ["(first version)", "Shorter"]
    assert list(versions["shown"]) == ["", "shown"]
    assert at.selectbox(key="improve-2-diff-from").value == 1
    assert at.selectbox(key="improve-2-diff-to").value == 2
    assert (
        "Changed: directive, improved prompt. In the prompt: +2 words (green), -1 word "
        "(red, struck out); 98% similar." in captions(at)
    )
    assert "Asked for: Shorter" in captions(at)
    diff = [m.value for m in at.markdown if ":green-background[" in m.value]
    assert diff and ":green-background[four short]" in diff[0]
    assert ":red-background[~~CRUD~~]" in diff[0]


def test_free_text_feedback_refines_and_bad_feedback_is_one_error(store, answers, open_page):
    at = improved(open_page("improve"))
    at.text_area(key="improve-1-feedback").input("x" * 2001)
    at = click(at, "Refine")
    assert errors(at) == ["The feedback is 2,001 characters; the limit is 2,000."]
    assert store.total_count() == 1
    at.text_area(key="improve-1-feedback").input("  Name the four endpoints  ")
    at = click(at, "Refine")
    assert not errors(at)
    assert store.get(2).feedback == "Name the four endpoints"


def test_a_failed_refine_is_one_error_and_stores_nothing(store, answers, open_page):
    answers[1:] = [{**REFINED, "role": "", "guardrails": []}] * 5
    at = click(improved(open_page("improve")), "Shorter")
    (error,) = errors(at)
    assert "answered without a prompt (no role and no guardrails)" in error
    assert "\n" not in error and not at.exception
    assert store.total_count() == 1 and shown_run(at) == "#1"


def test_any_two_versions_can_be_diffed(store, answers, open_page):
    at = click(click(improved(open_page("improve")), "Shorter"), "More formal")
    assert shown_run(at) == "#3"
    at.selectbox(key="improve-3-diff-from").set_value(1).run()
    at.selectbox(key="improve-3-diff-to").set_value(2).run()
    assert any(
        caption.startswith("Changed: directive, improved prompt.") for caption in captions(at)
    )
    at.selectbox(key="improve-3-diff-to").set_value(1).run()
    assert (
        "Changed: nothing. In the prompt: +0 words (green), -0 words (red, struck out); "
        "100% similar." in captions(at)
    )
    assert not [m for m in at.markdown if ":green-background[" in m.value]


def test_keep_this_version_marks_the_keeper(store, answers, open_page):
    at = click(improved(open_page("improve")), "Shorter")
    at = press(at, "Keep this version")
    assert [run.keeper for run in store.versions(1)] == [False, True]
    assert "Version 2 (run #2) is the keeper." in successes(at)
    assert not [b for b in at.button if b.label == "Keep this version"]
    assert list(versions_table(at)["keeper"]) == ["", "keeper"]


# -- tags and the trainset ----------------------------------------------------------------


def test_tags_quick_free_bad_and_removed(store, answers, open_page):
    at = press(improved(open_page("improve")), "Tag production")
    assert store.get(1).tags == ("production",)
    assert ":blue-badge[production]" in [m.value for m in at.markdown]
    assert "Tag production" not in [b.label for b in at.button]
    at.text_input(key="improve-1-new-tag").input("Reviewed Today")
    at = press(at, "Add tag")
    assert store.get(1).tags == ("production", "reviewed-today")
    assert at.text_input(key="improve-1-new-tag").value == ""
    at.text_input(key="improve-1-new-tag").input("bad\x07tag")
    at = press(at, "Add tag")
    assert errors(at) == ["The tag contains control characters or invalid text; remove them."]
    assert store.get(1).tags == ("production", "reviewed-today")
    at.selectbox(key="improve-1-remove-tag").set_value("production")
    at = press(at, "Remove tag")
    assert store.get(1).tags == ("reviewed-today",)
    assert "Removed the tag 'production' from run #1." in successes(at)


def test_add_to_trainset_once_then_a_one_line_message(
    store, answers, workbench, monkeypatch, open_page
):
    path = workbench.parent / "user_trainset.jsonl"
    monkeypatch.setenv("DSPY_FEWSHOT_USER_TRAINSET_PATH", str(path))
    at = press(improved(open_page("improve")), "Add to trainset")
    assert f"Run #1 was added to the user trainset ({path})." in successes(at)
    (row,) = [json.loads(line) for line in path.read_text().splitlines()]
    assert (row["idea"], row["source_run_id"]) == (IDEA, 1)
    at = press(at, "Add to trainset")
    assert errors(at) == [f"Run 1 is already example 1 of {path}."]
    assert len(path.read_text().splitlines()) == 1


# -- History ------------------------------------------------------------------------------


def select_row(at, row: int):
    at.session_state["history_table"] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    return at.run()


def test_history_filters_by_tag_and_shows_the_tags_column(seeded, store, open_page):
    store.add_tag(2, "production")
    store.add_tag(2, "tested")
    store.add_tag(3, "tested")
    at = open_page("history")
    assert at.selectbox(key="history_tag").options == ["All", "production", "tested"]
    assert list(at.dataframe[0].value["tags"]) == ["", "tested", "production, tested", ""]
    at.selectbox(key="history_tag").set_value("tested").run()
    assert list(at.dataframe[0].value["id"]) == [3, 2]


def test_a_run_refined_in_history_becomes_the_run_shown(seeded, store, answers, open_page):
    at = select_row(open_page("history"), 0)
    assert at.subheader[0].value == "Run #4"
    at = click(at, "Simpler words")
    assert not errors(at)
    assert at.subheader[0].value == "Run #5"
    assert "Refined into run #5, shown above." in successes(at)
    assert store.get(5).parent_id == 4
    assert list(at.dataframe[0].value["id"])[0] == 5  # the table shows the new run too
    assert at.session_state["history_table"]["selection"]["rows"] == []  # rows moved
    at = click(at, "Try it")
    assert [trial.run_id for trial in store.trials(5)] == [5]


def test_the_run_view_reads_its_tags_and_keeper_fresh(seeded, store, open_page):
    at = select_row(open_page("history"), 0)
    store.add_tag(4, "good")  # written elsewhere (the command line, say)
    at = press(at, "Keep this version")
    assert ":blue-badge[good]" in [m.value for m in at.markdown]
    assert store.get(4).keeper
