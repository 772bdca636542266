"""The Compare page: both backends side by side, a safe word diff, and stored verdicts."""

from app_helpers import ANSWER, click, unescape

from promptimp.models import RepositoryConnectionError
from promptimp.store import RunStore

FEW_SHOT_PROMPT = (
    "You are a senior backend engineer.\n\n## Task\nDesign a <b>versioned</b> REST API."
)


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


def test_the_diff_marks_words_and_escapes_the_text(workbench, answers, open_page):
    answers[:] = [ANSWER, {**ANSWER, "improved_prompt": FEW_SHOT_PROMPT}]
    at = compare(open_page("compare"))
    diff = next(m.value for m in at.markdown if "green-background" in m.value)
    assert ":green-background[\\<b\\>versioned\\<\\/b\\>]" in diff
    assert "<b>" not in diff
    assert any("+1 words (green), -0 words (red" in c.value for c in at.caption)


def test_a_verdict_is_stored_and_counted_in_the_win_rates(store, open_page):
    at = click(compare(open_page("compare")), "Few-shot is better")
    assert [unescape(s.value) for s in at.success] == ["Saved: few-shot is better."]
    assert store.comparison_win_rates()["few-shot"] == {"wins": 1, "rate": 1.0}
    (row,) = store.recent_comparisons()
    assert (row["zero_shot_run_id"], row["few_shot_run_id"], row["verdict"]) == (1, 2, "few-shot")
    figures = {m.label: m.value for m in at.metric if m.label.endswith(("wins", "Ties"))}
    assert figures == {"zero-shot wins": "0%", "few-shot wins": "100%", "Ties": "0%"}
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

    monkeypatch.setattr(RunStore, "save_comparison", broken)
    at = click(at, "About the same")
    assert [unescape(e.value) for e in at.error] == ["Cannot open history database: disk I/O error"]
    assert [b.label for b in at.button if b.key and b.key.startswith("verdict_")] == [
        "Zero-shot is better",
        "About the same",
        "Few-shot is better",
    ]
