"""The Improve page: a run is stored and shown in sections; errors are one line."""

import re
import time
from concurrent.futures import wait

from app_helpers import (
    ANSWER,
    GOOD_ANSWER,
    JUNK_ANSWER,
    SCRIPT_IDEA,
    TIMEOUT_S,
    check_items,
    click,
    press,
    shown_text,
    unescape,
    verdicts,
)

from promptimp.quality import check_prompt
from ui.jobs import CANCELLED
from ui.views import CAVEAT

IDEA = "Design a REST API for user management"


def improve(at, idea, context="", backend="zero-shot"):
    at.text_area(key="improve_idea").input(idea)
    at.text_area(key="improve_context").input(context)
    at.radio(key="improve_backend").set_value(backend)
    return click(at, "Improve")


def guardrails_markdown(at) -> str:
    """The markdown list under the "Guardrails" heading."""
    markdown = [m.value for m in at.markdown]
    return markdown[markdown.index("**Guardrails**") + 1]


def quality_of(answer, idea=IDEA, context=""):
    return check_prompt(
        idea,
        context,
        answer["role"],
        answer["directive"],
        answer["framework"],
        answer["guardrails"],
        answer["improved_prompt"],
    )


def test_improving_stores_the_run_and_shows_every_section(store, answers, open_page):
    answers[:] = [GOOD_ANSWER]
    at = improve(open_page("improve"), IDEA, "Python")
    assert not at.exception and not at.error and not at.warning
    (run,) = store.query()
    assert (run.id, run.original_idea, run.context) == (
        1,
        "Design a REST API for user management",
        "Python",
    )
    figures = {metric.label: metric.value for metric in at.metric}
    assert figures == {
        "Confidence": "0.82",
        "Latency": f"{run.latency_ms:,} ms",
        "Backend": "zero-shot",
        "Run": "#1",
    }
    assert shown_text(at) == [
        GOOD_ANSWER["role"],
        GOOD_ANSWER["directive"],
        "decomposition",
        GOOD_ANSWER["reasoning"],
    ]
    assert unescape(guardrails_markdown(at)) == "\n".join(
        f"- {rule}" for rule in GOOD_ANSWER["guardrails"]
    )
    quality = quality_of(GOOD_ANSWER, context="Python")
    assert verdicts(at) == [
        f"Quality: acceptable, score {quality.score:.2f}; all {len(quality.checks)} checks passed. "
        f"{CAVEAT}"
    ]
    assert check_items(at, "Failed checks") == []
    assert check_items(at, "Passed checks") == [
        f"- {check.name}: {check.reason}" for check in quality.checks
    ]
    assert [code.value for code in at.code] == [GOOD_ANSWER["improved_prompt"]]
    (download,) = at.get("download_button")
    assert download.proto.label == "Download as .md"
    assert at.dataframe[-1].value["idea"].tolist() == ["Design a REST API for user management"]


def test_the_default_backend_comes_from_the_settings(workbench, monkeypatch, open_page):
    monkeypatch.setenv("DSPY_FEWSHOT_ENABLED", "true")
    assert open_page("improve").radio(key="improve_backend").value == "few-shot"


def test_a_too_short_idea_is_one_error_and_nothing_is_stored(store, open_page):
    at = improve(open_page("improve"), "abc")
    assert [unescape(error.value) for error in at.error] == [
        "The idea must be at least 5 characters long."
    ]
    assert not at.code and store.total_count() == 0


def test_a_model_failure_is_one_error_naming_the_model(store, answers, open_page):
    answers[:] = [{"unrelated": "text"}] * 5
    at = improve(open_page("improve"), "Design a REST API for user management")
    (error,) = at.error
    assert unescape(error.value).startswith("The language model openai/dummy failed:")
    assert "\n" not in error.value and store.total_count() == 0


def test_a_junk_answer_is_shown_as_not_acceptable_with_why(store, answers, open_page):
    answers[:] = [JUNK_ANSWER]
    at = improve(open_page("improve"), IDEA)
    quality = quality_of(JUNK_ANSWER)
    assert not quality.acceptable and quality.score <= 0.4
    (warning,) = at.warning
    assert unescape(warning.value) == (
        f"Quality: not acceptable, score {quality.score:.2f}; "
        f"{len(quality.failures)} of {len(quality.checks)} checks failed."
    )
    failed = check_items(at, "Failed checks")
    assert (
        "- role is specific: the role 'Developer of the idea' is generic: it says nothing "
        "about the field" in failed
    )
    assert failed == [f"- {check.name}: {check.reason}" for check in quality.failures]
    assert check_items(at, "Passed checks") == [
        f"- {check.name}: {check.reason}" for check in quality.checks if check.passed
    ]
    assert not at.success  # nothing on the page calls the junk good


def test_a_failed_save_warns_and_still_shows_the_result(workbench, answers, monkeypatch, open_page):
    answers[:] = [GOOD_ANSWER]
    blocker = workbench.parent / "not-a-directory"
    blocker.write_text("a file where a directory should be")
    monkeypatch.setenv("SQLITE_DB_PATH", str(blocker / "history.db"))
    at = improve(open_page("improve"), "Design a REST API for user management")
    (warning,) = at.warning
    assert unescape(warning.value).startswith("Not saved to history:")
    assert [code.value for code in at.code] == [GOOD_ANSWER["improved_prompt"]]
    assert {m.label: m.value for m in at.metric}["Run"] == "not saved"


def test_html_in_the_idea_and_the_answer_shows_literally(store, answers, open_page):
    hostile = "<img src=x onerror=alert(1)> **bold** :red[red]"
    answers[:] = [{**ANSWER, "role": hostile, "guardrails": [hostile, "b", "c"]}]
    at = improve(open_page("improve"), SCRIPT_IDEA)
    assert hostile in shown_text(at)
    assert at.dataframe[-1].value["idea"].tolist() == [SCRIPT_IDEA]
    guardrails = guardrails_markdown(at)
    assert unescape(guardrails).splitlines()[0] == f"- {hostile}"
    assert "<" not in guardrails.replace("\\<", "")  # every tag is escaped
    assert all("<" not in m.value.replace("\\<", "") for m in at.markdown)  # checks' reasons too
    assert not at.get("html")
    assert store.get(1).original_idea == SCRIPT_IDEA


def test_the_session_table_lists_every_run_newest_first(workbench, open_page):
    at = improve(open_page("improve"), "Write a haiku about autumn rain")
    at = improve(at, "Plan a marketing email campaign")
    assert at.dataframe[-1].value["idea"].tolist() == [
        "Plan a marketing email campaign",
        "Write a haiku about autumn rain",
    ]


def progress_lines(at) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith(":material/progress_activity:")]


def elapsed_s(line: str) -> int:
    return int(re.search(r"… (\d+) s$", line).group(1))


def test_the_form_keeps_the_input_of_the_result_beside_it(workbench, open_page):
    at = improve(open_page("improve"), "Write a haiku about autumn rain", "For kids", "few-shot")
    at.switch_page("pages/history.py").run()
    at.switch_page("pages/improve.py").run()
    assert at.text_area(key="improve_idea").value == "Write a haiku about autumn rain"
    assert at.text_area(key="improve_context").value == "For kids"
    assert at.radio(key="improve_backend").value == "few-shot"
    assert {m.label: m.value for m in at.metric}["Backend"] == "few-shot"


def test_a_slow_run_shows_elapsed_time_and_cancel_discards_its_result(gate, store, open_page):
    at = open_page("improve")
    at.text_area(key="improve_idea").input("Design a REST API for user management")
    at = press(at, "Improve")
    (line,) = progress_lines(at)
    assert line.startswith(":material/progress_activity: Improving with zero-shot… ")
    job = at.session_state["improve_job"]
    time.sleep(1.5)
    (later,) = progress_lines(at.run())  # what the page's poll redraws
    assert elapsed_s(later) >= elapsed_s(line) + 1
    at = press(at, "Cancel")
    assert not progress_lines(at) and not at.code
    assert [info.value for info in at.info] == [CANCELLED]
    gate.release()
    wait([job.future], timeout=TIMEOUT_S)
    at.run()
    assert not at.code and not at.info  # the late result is discarded...
    assert store.total_count() == 1  # ...and stored, as the service stores every run
