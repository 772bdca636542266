"""The Stability page: N runs of one idea, their spread, progress, and the runs themselves."""

import time

from app_helpers import ANSWER, GOOD_ANSWER, TIMEOUT_S, click, press, unescape

from promptimp.crafting.stability import summarise
from promptimp.quality import check_run
from ui.views import latency_text

IDEA = "Design a REST API for user management"
OTHER_ROLE = {**GOOD_ANSWER, "role": "Principal API designer", "confidence": 0.5}


def run_stability(at, repeats, idea=IDEA):
    at.text_area(key="stability_idea").input(idea)
    at.number_input(key="stability_repeats").set_value(repeats)
    return click(at, "Run")


def table(at, index) -> list[dict]:
    return at.dataframe[index].value.to_dict("records")


def test_three_runs_show_their_spread_and_are_stored(store, answers, open_page):
    answers[:] = [GOOD_ANSWER, OTHER_ROLE, {**ANSWER, "confidence": 0.9}]
    at = run_stability(open_page("stability"), 3)
    assert not at.exception and not at.error
    stored = store.query(sort="timestamp asc")
    assert [run.role for run in stored] == [
        GOOD_ANSWER["role"],
        OTHER_ROLE["role"],
        ANSWER["role"],
    ]
    acceptable = sum(check_run(run).acceptable for run in stored)
    assert 0 < acceptable < 3  # the fixture mixes prompts that pass and fail the checks
    assert {m.label: m.value for m in at.metric} == {"Acceptable": f"{acceptable / 3:.0%}"}
    latencies = sorted(run.latency_ms for run in stored)
    assert table(at, 0) == [
        {"": "Confidence", "min": "0.50", "median": "0.82", "max": "0.90"},
        {
            "": "Latency",
            "min": latency_text(latencies[0]),
            "median": latency_text(latencies[1]),
            "max": latency_text(latencies[2]),
        },
    ]
    role, framework = table(at, 1)
    assert (role["distinct"], role["changed"]) == (2, "33%")  # GOOD_ANSWER keeps the role
    assert (framework["distinct"], framework["changed"]) == (1, "0%")
    guardrails = {row["guardrail"]: row["runs"] for row in table(at, 2)}
    assert guardrails["use plural nouns for every user resource path"] == "2 of 3"
    assert guardrails["never log tokens"] == "1 of 3"
    assert len(guardrails) == len(summarise(stored).guardrails)
    assert table(at, 3) and [row["id"] for row in table(at, 3)] == [run.id for run in stored]


def test_selecting_a_run_shows_it_whole(store, answers, open_page):
    answers[:] = [GOOD_ANSWER, OTHER_ROLE]
    at = run_stability(open_page("stability"), 2)
    assert "Select a run to see it whole." in [c.value for c in at.caption]
    at.session_state["stability_runs_table"] = {
        "selection": {"rows": [1], "columns": [], "cells": []}
    }
    at = at.run()
    second = store.query(sort="timestamp asc")[1]
    assert f"#{second.id}" in [m.value for m in at.metric if m.label == "Run"]
    assert OTHER_ROLE["role"] in [t.value for t in at.text]


def test_progress_names_the_run_under_way(gate, store, open_page):
    at = open_page("stability")
    at.text_area(key="stability_idea").input(IDEA)
    at.number_input(key="stability_repeats").set_value(3)
    at = press(at, "Run")
    labels = [m.value for m in at.markdown if m.value.startswith(":material/progress_activity:")]
    assert labels[0].startswith(":material/progress_activity: Improving, run 1 of 3… ")
    job = at.session_state["stability_job"]
    gate.release()
    deadline = time.monotonic() + TIMEOUT_S
    while not job.stage.endswith("2 of 3") and time.monotonic() < deadline:
        time.sleep(0.05)
    at = at.run()
    labels = [m.value for m in at.markdown if m.value.startswith(":material/progress_activity:")]
    assert labels[0].startswith(":material/progress_activity: Improving, run 2 of 3… ")
    gate.release(2)
    job.future.result(timeout=TIMEOUT_S)
    assert store.total_count() == 3


def test_a_count_outside_one_to_ten_is_one_error_and_runs_nothing(store, open_page):
    at = open_page("stability")
    for repeats in (0, 11, -3):
        at = run_stability(at, repeats)
        assert not at.exception
        assert [unescape(e.value) for e in at.error] == [
            f"Repeat an idea 1 to 10 times, not {repeats:,}."
        ]
        assert not at.metric and not at.dataframe
    assert store.total_count() == 0


def test_a_too_short_idea_is_one_error_and_nothing_is_stored(store, open_page):
    at = run_stability(open_page("stability"), 2, idea="api")
    assert len(at.error) == 1 and not at.exception
    assert store.total_count() == 0


def test_a_new_series_replaces_the_spread_and_keeps_the_form(store, answers, open_page):
    at = run_stability(open_page("stability"), 2)
    at.switch_page("pages/health.py").run()
    at.switch_page("pages/stability.py").run()
    assert at.text_area(key="stability_idea").value == IDEA
    assert at.number_input(key="stability_repeats").value == 2
    assert [s.value for s in at.subheader][0] == "Spread over 2 runs"


def test_the_sidebar_model_is_the_one_repeated(store, monkeypatch, tmp_path, open_page):
    missing = tmp_path / "missing.gguf"
    monkeypatch.setenv("LOCAL_MODEL_PATH", str(missing))
    at = open_page("stability")
    at = at.sidebar.selectbox(key="model_choice").set_value("local/smollm2-135m-instruct").run()
    at = run_stability(at, 2)
    assert [unescape(e.value) for e in at.error] == [
        f"Local model file not found: {missing} (set LOCAL_MODEL_PATH to a readable .gguf file)"
    ]
    assert store.total_count() == 0


def test_without_history_the_spread_is_shown_and_the_runs_are_unsaved(
    workbench, monkeypatch, open_page
):
    monkeypatch.setenv("SQLITE_ENABLED", "false")
    at = run_stability(open_page("stability"), 2)
    assert not at.exception and not at.error
    assert [s.value for s in at.subheader][0] == "Spread over 2 runs"
    assert [row["id"] for row in table(at, 3)] == [None, None]  # improved, not stored
