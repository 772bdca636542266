"""The Evaluate page (AppTest): empty history, a run from the form, and stored runs compared."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from eval.datasets import load_dataset
from eval.runner import evaluate_backend
from promptimp.history import SQLiteStore
from ui import resources

APP = Path(__file__).resolve().parents[2] / "app.py"
SCRIPT_PROMPT = "You are <b>bold</b>. <script>alert(1)</script> Design a GraphQL schema."


@pytest.fixture
def open_page(db_path, make_service, monkeypatch) -> Iterator[Callable[[], AppTest]]:
    """Opens app.py on the Evaluate page with a DummyLM service on a tmp database."""
    monkeypatch.setattr(resources, "build_service", lambda: make_service(db_path))
    st.cache_resource.clear()
    st.cache_data.clear()

    def open_() -> AppTest:
        at = AppTest.from_file(str(APP), default_timeout=60).run()
        return at.switch_page("pages/evaluate.py").run()

    yield open_
    st.cache_resource.clear()
    st.cache_data.clear()


def infos(at: AppTest) -> list[str]:
    return [info.value for info in at.info]


def test_an_empty_history_says_there_are_no_runs_yet(open_page):
    at = open_page()
    assert not at.exception and not at.error
    assert at.title[0].value == "Evaluate"
    assert infos(at)[-1] == (
        "No evaluation runs yet. Run one above, or `promptimp eval run` in a terminal."
    )
    assert infos(at)[0].startswith("No user examples yet.")


def test_a_run_from_the_form_shows_scores_and_is_stored(open_page, db_path):
    at = open_page()
    at.number_input(key="eval_limit").set_value(2)
    at = next(b for b in at.button if b.label == "Run evaluation").click().run()
    assert not at.exception and not at.error
    assert [s.value for s in at.subheader] == [
        "Latest evaluation",
        "Your examples",
        "Past evaluation runs",
    ]
    metrics = {m.label: m.value for m in at.metric}
    assert {"#1 zero-shot", "#2 few-shot", "#1 zero-shot wins", "#2 few-shot wins"} <= set(metrics)
    assert metrics["ties"] == "2"
    assert [(r.id, r.backend, r.example_count) for r in SQLiteStore(db_path).eval_runs()] == [
        (2, "few-shot", 2),
        (1, "zero-shot", 2),
    ]
    assert SQLiteStore(db_path).total_count() == 4


def test_stored_runs_are_listed_and_compared_with_their_prompts_as_text(
    open_page, db_path, make_service, devset, answer
):
    examples = load_dataset(devset)[:3]
    good = make_service(db_path)
    junk = {**answer, "improved_prompt": SCRIPT_PROMPT, "role": "AI assistant"}
    worse = make_service(db_path, [junk] * 3)
    evaluate_backend(good, examples, "zero-shot", dataset="data/devset.jsonl")
    evaluate_backend(worse, examples, "few-shot", dataset="data/devset.jsonl")
    at = open_page()
    assert not at.exception and not at.error
    assert at.selectbox(key="eval_first").value == 1
    assert at.selectbox(key="eval_second").value == 2
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["#1 zero-shot wins"] == "3" and metrics["ties"] == "0"
    assert metrics["#2 few-shot − #1 zero-shot"].startswith("-")
    codes = [code.value for code in at.code]
    assert codes.count(SCRIPT_PROMPT) == 3  # shown verbatim as text, never as HTML
    assert codes.count(answer["improved_prompt"]) == 3
    assert "GraphQL schema for a blog platform with posts, comments and authors" in [
        text.value for text in at.text
    ]


def test_the_same_run_twice_asks_for_two_runs(open_page, db_path, make_service, devset):
    service = make_service(db_path)
    for backend in ("zero-shot", "few-shot"):
        evaluate_backend(service, load_dataset(devset)[:1], backend, dataset="devset")
    at = open_page()
    at = at.selectbox(key="eval_first").set_value(2).run()
    assert "Pick two different runs to compare." in infos(at)


def test_no_backend_chosen_is_one_error(open_page):
    at = open_page()
    at.multiselect(key="eval_backends").set_value([])
    at = next(b for b in at.button if b.label == "Run evaluation").click().run()
    assert [e.value for e in at.error] == ["Pick at least one backend."]
