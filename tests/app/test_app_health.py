"""The Health page: storage status, masked settings and the model check (never stored)."""

import re

from app_helpers import ANSWER, click, unescape


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


def model_check_table(at) -> list[tuple[str, str, str]]:
    frame = at.dataframe[0].value
    return list(zip(frame["check"], frame["result"], frame["found"], strict=True))


def test_the_model_check_reports_round_trip_time_and_checks_without_storing(store, open_page):
    at = click(open_page("health"), "Test the model connection")
    (success,) = at.success[1:]
    assert re.fullmatch(
        r"Round trip worked: openai/dummy answered in [\d,]+ ms\.", unescape(success.value)
    )
    assert "All 5 checks passed." in [c.value for c in at.caption]
    assert model_check_table(at) == [
        ("Role", "passed", ANSWER["role"]),
        ("Directive", "passed", ANSWER["directive"]),
        ("Framework", "passed", "decomposition"),
        ("Guardrails (3-5)", "passed", "3"),
        ("Improved prompt", "passed", f"{len(ANSWER['improved_prompt'].split())} words"),
    ]
    assert store.total_count() == 0


def test_a_model_check_answer_with_missing_parts_says_which(workbench, answers, open_page):
    answers[:] = [{**ANSWER, "role": "", "directive": "", "guardrails": ["only one"]}]
    at = click(open_page("health"), "Test the model connection")
    assert unescape(at.success[1].value).startswith("Round trip worked:")
    assert [w.value for w in at.warning] == ["3 of 5 checks failed."]
    assert [row[:2] for row in model_check_table(at)][:4] == [
        ("Role", "failed"),
        ("Directive", "failed"),
        ("Framework", "passed"),
        ("Guardrails (3-5)", "failed"),
    ]


def test_a_failing_model_check_is_one_error(workbench, answers, open_page):
    answers[:] = [{"unrelated": "text"}] * 5
    at = click(open_page("health"), "Test the model connection")
    (error,) = at.error
    assert unescape(error.value).startswith("The language model openai/dummy failed:")
