"""The Compare page: both backends side by side, a safe word diff, and stored verdicts."""

import json
import re
import time
from concurrent.futures import wait

from app_helpers import (
    ANSWER,
    GOOD_ANSWER,
    JUNK_ANSWER,
    TIMEOUT_S,
    check_items,
    click,
    press,
    unescape,
    verdicts,
)

from promptimp.history import SQLiteStore
from promptimp.history.records import VerdictShare
from promptimp.models import RepositoryConnectionError
from promptimp.quality import check_prompt
from ui.jobs import CANCELLED
from ui.views import CAVEAT

FEW_SHOT_PROMPT = (
    "You are a senior backend engineer.\n\n## Task\nDesign a <b>versioned</b> REST API."
)


def column_labels(table) -> dict[str, str]:
    """What each data column of a st.dataframe is headed with."""
    configs = json.loads(table.proto.columns)
    return {name: configs.get(name, {}).get("label", name) for name in table.value.columns}


def compare(at, idea="Design a REST API for user management"):
    at.text_area(key="compare_idea").input(idea)
    return click(at, "Run both")


def test_both_backends_run_side_by_side_and_both_runs_are_stored(store, answers, open_page):
    answers[:] = [ANSWER, {**ANSWER, "improved_prompt": FEW_SHOT_PROMPT, "confidence": 0.9}]
    at = compare(open_page("compare"))
    assert not at.exception and not at.error
    assert [header.value for header in at.subheader][:2] == ["Zero-shot", "Few-shot"]
    assert [code.value for code in at.code] == [ANSWER["improved_prompt"], FEW_SHOT_PROMPT]
    assert [m.value for m in at.metric if m.label == "Confidence"] == ["0.82", "0.90"]
    assert [run.backend.value for run in store.query(sort="timestamp asc")] == [
        "zero-shot",
        "few-shot",
    ]


def test_each_side_shows_its_quality_verdict_and_the_junk_one_says_why(
    workbench, answers, open_page
):
    answers[:] = [JUNK_ANSWER, GOOD_ANSWER]
    at = compare(open_page("compare"))
    junk, good = (
        check_prompt(
            "Design a REST API for user management",
            "",
            answer["role"],
            answer["directive"],
            answer["framework"],
            answer["guardrails"],
            answer["improved_prompt"],
        )
        for answer in (JUNK_ANSWER, GOOD_ANSWER)
    )
    assert verdicts(at) == [  # acceptable ones first, then warnings
        f"Quality: acceptable, score {good.score:.2f}; all {len(good.checks)} checks passed. "
        f"{CAVEAT}",
        f"Quality: not acceptable, score {junk.score:.2f}; "
        f"{len(junk.failures)} of {len(junk.checks)} checks failed.",
    ]
    left, right = (column for column in at.columns if column.subheader)
    assert [w.value.startswith("Quality: not acceptable") for w in left.warning] == [True]
    assert not right.warning and [
        s.value.startswith("Quality: acceptable") for s in right.success
    ] == [True]
    assert check_items(at, "Failed checks") == [
        f"- {check.name}: {check.reason}" for check in junk.failures
    ]


def test_the_diff_marks_words_and_escapes_the_text(workbench, answers, open_page):
    answers[:] = [ANSWER, {**ANSWER, "improved_prompt": FEW_SHOT_PROMPT}]
    at = compare(open_page("compare"))
    diff = next(m.value for m in at.markdown if "green-background" in m.value)
    assert ":green-background[\\<b\\>versioned\\<\\/b\\>]" in diff
    assert "<b>" not in diff
    assert any("+1 word (green), -0 words (red" in c.value for c in at.caption)


def test_a_verdict_is_stored_and_counted_in_the_win_rates(store, open_page):
    at = click(compare(open_page("compare")), "Few-shot is better")
    assert [unescape(s.value) for s in at.success] == ["Saved: few-shot is better."]
    assert store.comparison_win_rates().verdicts["few-shot"] == VerdictShare(wins=1, rate=1.0)
    (row,) = store.recent_comparisons()
    assert (row.zero_shot_run_id, row.few_shot_run_id, row.verdict) == (1, 2, "few-shot")
    figures = {m.label: m.value for m in at.metric if m.label.endswith(("wins", "Ties"))}
    assert figures == {"Zero-shot wins": "0%", "Few-shot wins": "100%", "Ties": "0%"}
    assert not [b for b in at.button if b.label.endswith("is better")]  # one verdict per pair


def test_no_verdicts_yet_is_said_plainly(workbench, open_page):
    at = open_page("compare")
    assert "No verdicts yet. Compare an idea above and pick the better prompt." in [
        c.value for c in at.caption
    ]


def test_a_too_short_idea_is_one_error(store, open_page):
    at = compare(open_page("compare"), "hey")
    assert [unescape(e.value) for e in at.error] == ["The idea must be at least 5 characters long."]
    assert store.total_count() == 0


def test_a_verdict_that_cannot_be_saved_is_one_error(store, monkeypatch, open_page):
    at = compare(open_page("compare"))

    def broken(*args: object) -> int:
        raise RepositoryConnectionError("Cannot open history database: disk I/O error")

    monkeypatch.setattr(SQLiteStore, "save_comparison", broken)
    at = click(at, "About the same")
    assert [unescape(e.value) for e in at.error] == ["Cannot open history database: disk I/O error"]
    assert [b.label for b in at.button if b.key and b.key.startswith("verdict_")] == [
        "Zero-shot is better",
        "About the same",
        "Few-shot is better",
    ]


def progress(at) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith(":material/progress_activity:")]


def test_progress_names_the_backend_running_and_cancel_discards_the_pair(gate, store, open_page):
    at = open_page("compare")
    at.text_area(key="compare_idea").input("Design a REST API for user management")
    at = press(at, "Run both")
    assert progress(at)[0].startswith(
        ":material/progress_activity: Improving with zero-shot (step 1 of 2)… "
    )
    job = at.session_state["compare_job"]
    gate.release()  # zero-shot answers; few-shot starts
    deadline = time.monotonic() + TIMEOUT_S
    while job.step != 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert progress(at.run())[0].startswith(
        ":material/progress_activity: Improving with few-shot (step 2 of 2)… "
    )
    at = press(at, "Cancel")
    assert [info.value for info in at.info] == [CANCELLED] and not at.code
    gate.release()
    wait([job.future], timeout=TIMEOUT_S)
    assert not at.run().code and store.total_count() == 2


def test_the_form_keeps_the_idea_of_the_pair_shown(workbench, open_page):
    at = compare(open_page("compare"), "Write a haiku about autumn rain")
    at.switch_page("pages/health.py").run()
    at.switch_page("pages/compare.py").run()
    assert at.text_area(key="compare_idea").value == "Write a haiku about autumn rain"
    assert len(at.code) == 2


def test_recent_verdicts_read_as_labelled_text(store, open_page):
    at = click(compare(open_page("compare")), "Few-shot is better")
    table = at.dataframe[0]
    assert table.value.to_dict("list") == {
        "when": table.value["when"].tolist(),
        "idea": ["Design a REST API for user management"],
        "verdict": ["Few-shot is better"],
        "confidence": ["0.82 → 0.82"],
        "latency": [table.value["latency"][0]],
    }
    assert table.value["when"][0].tzinfo is None  # no "+00:00" on screen
    assert re.fullmatch(r"\d+\.\d s → \d+\.\d s", table.value["latency"][0])
    assert column_labels(table) == {
        "when": "When (UTC)",
        "idea": "Idea",
        "verdict": "Verdict",
        "confidence": "Confidence (zero → few)",
        "latency": "Latency (zero → few)",
    }
