"""The Health page: storage status, masked settings and the model check (never stored)."""

import re

from app_helpers import ANSWER, check_items, click, unescape, verdicts

from promptimp.diagnostics import CHECK_IDEA
from promptimp.quality import check_prompt


def settings_table(at) -> dict[str, str]:
    frame = at.dataframe[-1].value
    return dict(zip(frame["setting"], frame["value"], strict=True))


def test_status_counts_and_model_are_shown(seeded, workbench, open_page):
    at = open_page("health")
    assert [s.value for s in at.success] == ["Healthy: the history database is reachable."]
    assert {m.label: m.value for m in at.metric} == {
        "Records": "4",
        "Average confidence": "0.75",
        "Average latency": "2,500 ms",
        "Storage breaker": "closed",
    }
    assert [code.value for code in at.code] == [str(workbench), "openai / dummy"]


def test_settings_are_listed_with_keys_masked(workbench, monkeypatch, open_page):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-value-123456")
    at = open_page("health")
    table = settings_table(at)
    assert table["OPENAI_API_KEY"] == "sk-...3456"
    assert table["SQLITE_DB_PATH"] == str(workbench)
    assert "secret" not in repr(at)


def test_an_unreadable_database_is_reported_unhealthy(workbench, open_page):
    workbench.write_bytes(b"this is not a sqlite database" * 100)
    at = open_page("health")
    (error,) = at.error
    assert unescape(error.value).startswith(f"Unhealthy: Cannot open history database {workbench}")


def test_the_model_check_reports_round_trip_time_and_quality_without_storing(store, open_page):
    at = click(open_page("health"), "Test the model connection")
    (success,) = at.success[1:]
    assert re.fullmatch(
        r"Round trip worked: openai/dummy answered in [\d,]+ ms\.", unescape(success.value)
    )
    quality = check_prompt(
        CHECK_IDEA,
        "",
        ANSWER["role"],
        ANSWER["directive"],
        ANSWER["framework"],
        ANSWER["guardrails"],
        ANSWER["improved_prompt"],
    )
    failed = len(quality.failures)
    assert failed and verdicts(at) == [
        f"Quality: not acceptable, score {quality.score:.2f}; {failed} of "
        f"{len(quality.checks)} checks failed."
    ]  # the fake answer is about an API, not the check's poem
    assert check_items(at, "Failed checks") == [
        f"- {check.name}: {check.reason}" for check in quality.checks if not check.passed
    ]
    assert check_items(at, "Passed checks") == [
        f"- {check.name}: {check.reason}" for check in quality.checks if check.passed
    ]
    assert store.total_count() == 0


def test_a_failing_model_check_is_one_error(workbench, answers, open_page):
    answers[:] = [{"unrelated": "text"}] * 5
    at = click(open_page("health"), "Test the model connection")
    (error,) = at.error
    assert unescape(error.value).startswith("The language model openai/dummy failed:")
