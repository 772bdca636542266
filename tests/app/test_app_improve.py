"""The Improve page: a run is stored and shown in sections; errors are one line."""

import re
import time
from concurrent.futures import wait

from app_helpers import ANSWER, SCRIPT_IDEA, TIMEOUT_S, click, press, shown_text, unescape

from ui.jobs import CANCELLED


def improve(at, idea, context="", backend="zero-shot"):
    at.text_area(key="improve_idea").input(idea)
    at.text_area(key="improve_context").input(context)
    at.radio(key="improve_backend").set_value(backend)
    return click(at, "Improve")


def test_improving_stores_the_run_and_shows_every_section(store, open_page):
    at = improve(open_page("improve"), "Design a REST API for user management", "Python")
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
        ANSWER["role"],
        ANSWER["directive"],
        "decomposition",
        ANSWER["reasoning"],
    ]
    guardrails = [unescape(m.value) for m in at.markdown if m.value.startswith("- ")]
    assert guardrails == ["\n".join(f"- {rule}" for rule in ANSWER["guardrails"])]
    assert [code.value for code in at.code] == [ANSWER["improved_prompt"]]
    (download,) = at.get("download_button")
    assert download.proto.label == "Download as .md"
    assert at.dataframe[0].value["idea"].tolist() == ["Design a REST API for user management"]


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


def test_a_failed_save_warns_and_still_shows_the_result(workbench, monkeypatch, open_page):
    blocker = workbench.parent / "not-a-directory"
    blocker.write_text("a file where a directory should be")
    monkeypatch.setenv("SQLITE_DB_PATH", str(blocker / "history.db"))
    at = improve(open_page("improve"), "Design a REST API for user management")
    (warning,) = at.warning
    assert unescape(warning.value).startswith("Not saved to history:")
    assert [code.value for code in at.code] == [ANSWER["improved_prompt"]]
    assert {m.label: m.value for m in at.metric}["Run"] == "not saved"


def test_html_in_the_idea_and_the_answer_shows_literally(store, answers, open_page):
    hostile = "<img src=x onerror=alert(1)> **bold** :red[red]"
    answers[:] = [{**ANSWER, "role": hostile, "guardrails": [hostile, "b", "c"]}]
    at = improve(open_page("improve"), SCRIPT_IDEA)
    assert hostile in shown_text(at)
    assert at.dataframe[0].value["idea"].tolist() == [SCRIPT_IDEA]
    guardrails = next(m.value for m in at.markdown if m.value.startswith("- "))
    assert unescape(guardrails).splitlines()[0] == f"- {hostile}"
    assert "<" not in guardrails.replace("\\<", "")  # every tag is escaped
    assert not at.get("html")
    assert store.get(1).original_idea == SCRIPT_IDEA


def test_the_session_table_lists_every_run_newest_first(workbench, open_page):
    at = improve(open_page("improve"), "Write a haiku about autumn rain")
    at = improve(at, "Plan a marketing email campaign")
    assert at.dataframe[0].value["idea"].tolist() == [
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
