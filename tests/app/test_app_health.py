"""The Health page: storage status, masked settings and the model check (never stored)."""

import re

from app_helpers import ANSWER, check_items, click, finish_jobs, unescape, verdicts

from promptimp.diagnostics import CHECK_IDEA
from promptimp.quality import check_prompt


def check_row(at, model_id):
    """Press the Test button of one model's row."""
    return finish_jobs(at.button(key=f"health_check_{model_id}").click().run())


def status_lines(at) -> list[str]:
    """Each model row's outcome: its success or error line, or "Not tested yet."."""
    lines = []
    for row in at.main.get("flex_container"):
        if row.proto.flex_container.border:
            lines += [unescape(e.value) for e in (*row.success, *row.error)]
            lines += [c.value for c in row.caption if c.value == "Not tested yet."]
    return lines


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
    at = check_row(open_page("health"), "openai/dummy")
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
    at = check_row(open_page("health"), "openai/dummy")
    (error,) = at.error
    assert unescape(error.value).startswith("The language model openai/dummy failed:")


def test_each_configured_model_has_its_own_check(workbench, monkeypatch, tmp_path, open_page):
    missing = tmp_path / "missing.gguf"
    monkeypatch.setenv("LOCAL_MODEL_PATH", str(missing))
    at = open_page("health")
    assert [unescape(m.value) for m in at.main.markdown if m.value.startswith("**")][-2:] == [
        "**dummy (openai)**",
        "**smollm2-135m-instruct (embedded, no network)**",
    ]
    assert status_lines(at) == ["Not tested yet.", "Not tested yet."]
    at = check_row(at, "openai/dummy")
    (worked, untested) = status_lines(at)
    assert re.fullmatch(r"Round trip worked: openai/dummy answered in [\d,]+ ms\.", worked)
    assert untested == "Not tested yet."
    at = click(at, "Test every model")
    assert not at.exception
    assert status_lines(at)[1] == (
        f"Local model file not found: {missing} (set LOCAL_MODEL_PATH to a readable .gguf file)"
    )
    assert status_lines(at)[0].startswith("Round trip worked: openai/dummy answered in ")
