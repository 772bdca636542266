"""ImproveService end to end on DummyLM and real SQLite files."""

import logging
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dspy
import pytest
from dspy.utils import DummyLM

from promptimp.breaker import BreakerState, CircuitBreaker
from promptimp.history import SQLiteStore
from promptimp.models import BackendType, InputError, ModelError
from promptimp.service import MAX_TEXT_CHARS, ImproveService
from promptimp.settings import Settings
from tests.support import ANSWER, dummy_service, key_echoing_provider

PARTS = {key: value for key, value in ANSWER.items() if key != "improved_prompt"}


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def make_service(tmp_path, answers=None, *, provider="openai", **overrides) -> ImproveService:
    db_path = overrides.pop("db_path", tmp_path / "history.db")
    return dummy_service(db_path, answers, LLM_PROVIDER=provider, **overrides)


def test_improve_returns_every_field_and_stores_the_run(tmp_path):
    service = make_service(tmp_path)
    result = service.improve("  Design a REST API for user management  ", "Python, FastAPI")
    run = result.run
    assert result.warnings == ()
    assert result.stored and run.id == 1
    assert run.original_idea == "Design a REST API for user management"
    assert run.context == "Python, FastAPI"
    assert run.role == ANSWER["role"]
    assert run.directive == ANSWER["directive"]
    assert run.framework == "decomposition"
    assert run.guardrails == tuple(ANSWER["guardrails"])
    assert run.improved_prompt == ANSWER["improved_prompt"]
    assert run.confidence == 0.82
    assert run.backend is BackendType.ZERO_SHOT
    assert run.model_version == "openai/test-model"
    assert run.latency_ms is not None and run.latency_ms >= 0
    assert service.history.get(1) == run


def test_local_provider_composes_the_prompt_from_the_domain_library(tmp_path):
    service = make_service(tmp_path, [{"framework": "step-back"}], provider="local")
    run = service.improve("Design a REST API for user management").run
    assert run.improved_prompt.startswith("You are a senior backend engineer specialising in REST")
    assert run.directive.startswith("Design a REST API for user management. ")
    assert run.framework == "step-back" and len(run.guardrails) == 3
    assert all(rule in run.improved_prompt for rule in run.guardrails)


def test_out_of_range_confidence_is_clamped(tmp_path):
    service = make_service(tmp_path, [{**ANSWER, "confidence": 7.5}])
    assert service.improve("Write a haiku about rain").run.confidence == 0.075


@pytest.mark.parametrize(
    ("idea", "context", "message"),
    [
        ("", "", "The idea must be at least 5 characters long."),
        ("  abc   ", "", "The idea must be at least 5 characters long."),
        ("x" * (MAX_TEXT_CHARS + 1), "", "The idea is 20,001 characters; the limit is 20,000."),
        ("valid idea", "y" * (MAX_TEXT_CHARS + 1), "The context is 20,001 characters"),
    ],
)
def test_bad_input_is_refused_with_one_line_and_nothing_stored(tmp_path, idea, context, message):
    service = make_service(tmp_path)
    with pytest.raises(InputError) as caught:
        service.improve(idea, context)
    assert str(caught.value).startswith(message)
    assert service.history.total_count() == 0


def test_unknown_backend_lists_the_choices(tmp_path):
    with pytest.raises(InputError, match="choose one of: zero-shot, few-shot"):
        make_service(tmp_path).improve("Design a REST API", backend="three-shot")


def test_unreachable_provider_is_one_error_naming_provider_and_model(tmp_path):
    settings = Settings(
        LLM_PROVIDER="ollama",
        LLM_MODEL="llama3.2",
        LLM_BASE_URL="http://127.0.0.1:9",
        SQLITE_DB_PATH=str(tmp_path / "h.db"),
    )
    service = ImproveService(settings)
    with pytest.raises(ModelError) as caught:
        service.improve("Design a REST API for user management")
    assert str(caught.value).startswith("The language model ollama/llama3.2 failed:")
    assert "\n" not in str(caught.value)
    assert service.history.total_count() == 0


def test_unparseable_answer_is_a_model_error_and_nothing_is_stored(tmp_path):
    service = make_service(tmp_path, [{"unrelated": "text"}] * 5)
    with pytest.raises(ModelError, match="openai/test-model"):
        service.improve("Design a REST API for user management")
    assert service.history.total_count() == 0


def test_unwritable_database_still_returns_the_result_with_a_warning(tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where a directory should be")
    service = make_service(tmp_path, db_path=blocker / "history.db")
    result = service.improve("Design a REST API for user management")
    assert result.run.role == ANSWER["role"]
    assert not result.stored
    assert len(result.warnings) == 1 and result.warnings[0].startswith("Not saved to history:")


def test_breaker_skips_storage_after_five_failures_and_retries_after_cooldown(tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    settings = Settings(LLM_PROVIDER="openai", SQLITE_DB_PATH=str(blocker / "h.db"))
    clock = FakeClock()
    store = SQLiteStore(blocker / "h.db")
    service = ImproveService(
        settings,
        lm=DummyLM([ANSWER] * 20),
        adapter=dspy.ChatAdapter(),
        store=store,
        breaker=CircuitBreaker(5, 300, clock=clock),
    )
    for _ in range(5):
        assert service.improve("Design a REST API").warnings[0].startswith("Not saved to history")
    assert service.breaker.state is BreakerState.OPEN
    skipped = service.improve("Design a REST API")
    reason = f"Cannot open history database {blocker / 'h.db'}: cannot create directory"
    assert skipped.warnings[0].startswith(
        "Not saved: history storage failed 5 times in a row and is paused for 300 s more;"
        f" last error: {reason}"
    )
    health = service.health()
    assert health.status == "unhealthy" and not service.storage_answers()
    assert health.reason.startswith(reason)  # the real fault, not just "paused"
    blocker.unlink()  # the disk problem is fixed
    clock.now += 300
    stored = service.improve("Design a REST API")
    assert stored.stored and stored.warnings == ()
    assert service.breaker.state is BreakerState.CLOSED and service.storage_answers()


def test_disabled_storage_never_touches_the_database(tmp_path):
    service = make_service(tmp_path, SQLITE_ENABLED=False)
    result = service.improve("Design a REST API for user management")
    assert result.run.id is None and result.warnings == ()
    assert service.health().status == "disabled"
    assert service.startup_cleanup() is None
    assert list(tmp_path.iterdir()) == []


def test_corrupt_database_is_reported_and_left_untouched(tmp_path):
    path = tmp_path / "history.db"
    garbage = b"this is not a sqlite database" * 100
    path.write_bytes(garbage)
    service = make_service(tmp_path, db_path=path)
    health = service.health()
    assert health.status == "unhealthy"
    assert "not a database" in health.reason
    result = service.improve("Design a REST API for user management")
    assert result.run.role == ANSWER["role"] and not result.stored
    assert "not a database" in result.warnings[0]
    assert path.read_bytes() == garbage


def test_health_reports_counts_and_never_a_key(tmp_path):
    service = make_service(tmp_path, OPENAI_API_KEY="sk-secret-value-123456")
    service.improve("Design a REST API for user management")
    health = service.health()
    assert health.status == "healthy"
    assert health.total_records == 1
    assert health.average_confidence == pytest.approx(0.82)
    assert (health.provider, health.model, health.breaker_state) == (
        "openai",
        "test-model",
        "closed",
    )
    assert "sk-secret" not in health.model_dump_json()


REAL_TRAINSET = Path(__file__).resolve().parent.parent / "data" / "trainset.jsonl"


def test_few_shot_backend_shows_similar_demos_to_the_model(tmp_path):
    service = make_service(tmp_path, DSPY_FEWSHOT_TRAINSET_PATH=str(REAL_TRAINSET))
    run = service.improve("Build a React component for a sortable table", backend="few-shot").run
    assert run.backend is BackendType.FEW_SHOT
    prompt_text = str(service.runtime().lm().history[-1]["messages"])
    assert "React" in prompt_text.split("Build a React component for a sortable table")[0]


def test_fewshot_enabled_makes_few_shot_the_default(tmp_path):
    service = make_service(
        tmp_path, DSPY_FEWSHOT_ENABLED=True, DSPY_FEWSHOT_TRAINSET_PATH=str(REAL_TRAINSET)
    )
    assert service.improve("Write a launch announcement").run.backend is BackendType.FEW_SHOT
    zero = service.improve("Write a launch announcement", backend="zero-shot").run
    assert zero.backend is BackendType.ZERO_SHOT


def test_compiled_zero_shot_program_is_loaded(tmp_path):
    from promptimp.improver import ZeroShotImprover

    compiled = ZeroShotImprover()
    compiled.predict.signature = compiled.predict.signature.with_instructions("Be brief.")
    path = tmp_path / "compiled.json"
    compiled.save(str(path))
    service = make_service(tmp_path, DSPY_COMPILED_PATH=str(path))
    service.improve("Write a launch announcement")
    assert "Be brief." in str(service.runtime().lm().history[-1]["messages"])


def test_missing_compiled_program_is_one_line(tmp_path):
    service = make_service(tmp_path, DSPY_COMPILED_PATH=str(tmp_path / "nope.json"))
    with pytest.raises(InputError, match="nope.json is not a file"):
        service.improve("Write a launch announcement")


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", ""])
def test_a_corrupt_compiled_program_is_one_line_naming_the_file_and_setting(tmp_path, content):
    path = tmp_path / "compiled.json"
    path.write_text(content)
    service = make_service(tmp_path, DSPY_COMPILED_PATH=str(path))
    with pytest.raises(InputError) as caught:
        service.improve("Write a launch announcement")
    message = str(caught.value)
    assert message.startswith(f"DSPY_COMPILED_PATH={path} cannot be loaded (")
    assert message.endswith("); fix or unset it.") and "\n" not in message
    assert service.history.total_count() == 0


def test_startup_cleanup_applies_retention(tmp_path, make_run):
    service = make_service(tmp_path, SQLITE_RETENTION_DAYS=7)
    old = datetime.now(UTC) - timedelta(days=8)
    store = SQLiteStore(service.history.location)
    store.save(make_run(timestamp=old))
    store.save(make_run())
    assert service.startup_cleanup() == 1
    assert service.history.total_count() == 1
    assert make_service(tmp_path, SQLITE_AUTO_CLEANUP=False).startup_cleanup() is None


# -- hardening: honest latency, warm-up, answers without a prompt, hostile ideas, secrets ----


def _slow_to_build(seconds: float, built: list[BackendType]):
    """A program factory that takes `seconds` to build each program (like DSPy's import)."""
    from promptimp.improver import build_program

    def factory(backend: BackendType):
        time.sleep(seconds)
        built.append(backend)
        return build_program(backend)

    return factory


def test_recorded_latency_is_the_programs_run_without_building_it(tmp_path):
    built: list[BackendType] = []
    service = make_service(tmp_path, program_factory=_slow_to_build(0.8, built))
    first = service.improve("Design a REST API for user management").run
    assert built == [BackendType.ZERO_SHOT]
    assert first.latency_ms < 500  # the 800 ms of building are not the run's


def test_warm_up_builds_both_programs_once_even_from_several_threads(tmp_path):
    built: list[BackendType] = []
    service = make_service(
        tmp_path,
        DSPY_FEWSHOT_TRAINSET_PATH=str(REAL_TRAINSET),
        program_factory=_slow_to_build(0.2, built),
    )
    threads = [threading.Thread(target=service.warm_up) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    service.warm_up()
    assert sorted(built) == sorted([BackendType.ZERO_SHOT, BackendType.FEW_SHOT])
    service.improve("Design a REST API for user management", backend="few-shot")
    assert len(built) == 2  # improving reuses what warm_up built
    assert service.history.total_count() == 1


def test_warm_up_logs_a_failure_and_the_first_improve_reports_it(tmp_path, caplog):
    service = make_service(tmp_path, DSPY_COMPILED_PATH=str(tmp_path / "missing.json"))
    with caplog.at_level(logging.WARNING, logger="promptimp.service"):
        service.warm_up()
    assert "missing.json is not a file" in caplog.text
    with pytest.raises(InputError, match="missing.json is not a file"):
        service.improve("Write a launch announcement")


def test_warm_up_logs_any_failure_as_one_line_and_its_thread_ends_cleanly(tmp_path, caplog):
    def broken_factory(backend: BackendType):
        raise RuntimeError("engine exploded\nsecond line")

    service = make_service(tmp_path, program_factory=broken_factory)
    uncaught: list[threading.ExceptHookArgs] = []
    original_hook = threading.excepthook
    threading.excepthook = uncaught.append
    try:
        with caplog.at_level(logging.WARNING, logger="promptimp.service"):
            thread = threading.Thread(target=service.warm_up)
            thread.start()
            thread.join(timeout=30)
    finally:
        threading.excepthook = original_hook
    assert uncaught == []
    [record] = caplog.records
    assert record.getMessage() == "warming up the model failed: RuntimeError: engine exploded"
    assert record.exc_info is None


@pytest.mark.parametrize(
    ("answer", "missing"),
    [
        ({**ANSWER, "guardrails": []}, "no guardrails"),
        ({**ANSWER, "role": "", "directive": " "}, "no role and no directive"),
    ],
)
def test_an_answer_without_a_prompt_is_a_model_error_and_nothing_is_stored(
    tmp_path, answer, missing
):
    service = make_service(tmp_path, [answer])
    with pytest.raises(ModelError) as caught:
        service.improve("Design a REST API for user management")
    assert str(caught.value).startswith(
        f"The language model openai/test-model answered without a prompt ({missing})"
    )
    assert service.history.total_count() == 0


def test_a_framework_outside_the_known_set_is_mapped_and_the_result_says_so(tmp_path):
    service = make_service(tmp_path, [{**ANSWER, "framework": "banana thinking"}])
    result = service.improve("Design a REST API for user management")
    assert result.run.framework == "chain-of-thought"
    assert service.history.get(result.run.id).framework == "chain-of-thought"
    assert result.warnings == (
        "The model chose the framework 'banana-thinking', which is not one of the known ones;"
        " it was stored as chain-of-thought.",
    )


@pytest.mark.parametrize(
    "idea",
    ["\x00" * 5, "\u200b" * 6, "\u200b ab \u200d c\u200b", "\x1b\x07\x7f\x1b\x07\x7f", "\t\n\r\n "],
    ids=["nul", "zero-width", "mostly-invisible", "escapes", "whitespace"],
)
def test_an_idea_without_five_visible_characters_is_refused(tmp_path, idea):
    service = make_service(tmp_path)
    with pytest.raises(InputError, match="at least 5 characters"):
        service.improve(idea)
    assert service.history.total_count() == 0


@pytest.mark.parametrize(("idea", "context"), [("Design \udcff an API", ""), ("Design", "\ud800")])
def test_text_with_lone_surrogates_is_bad_input(tmp_path, idea, context):
    service = make_service(tmp_path)
    with pytest.raises(InputError, match="not valid UTF-8"):
        service.improve(idea, context)
    assert service.history.total_count() == 0


def test_control_characters_are_stripped_before_anything_is_stored(tmp_path):
    service = make_service(tmp_path, [{**ANSWER, "role": "Senior\x1b[31m engineer\x07"}])
    run = service.improve("Design\x1b[2J a REST\x00 API\x7f", "for\x9b ops").run
    assert (run.original_idea, run.context, run.role) == (
        "Design[2J a REST API",
        "for ops",
        "Senior[31m engineer",
    )
    assert service.history.get(run.id) == run


def test_a_run_over_the_latency_budget_is_kept_and_flagged_naming_the_budget(tmp_path):
    def slow_program(**_: object) -> dspy.Prediction:
        time.sleep(0.05)
        return dspy.Prediction(**ANSWER)

    service = make_service(tmp_path, MAX_LATENCY_MS=1, program_factory=lambda b: slow_program)

    result = service.improve("Design a REST API for user management")
    assert result.stored
    assert len(result.warnings) == 1
    assert result.warnings[0].startswith(f"This run took {result.run.latency_ms:,} ms")
    assert result.warnings[0].endswith("over the latency budget of 1 ms (MAX_LATENCY_MS).")
    assert make_service(tmp_path).improve("Design a REST API").warnings == ()


SECRET = "sk-hardening-secret-0123456789abcdef"


def test_a_provider_error_that_echoes_the_key_is_masked_where_it_is_built(tmp_path):
    settings = Settings(
        LLM_PROVIDER="openai",
        LLM_MODEL="gpt-4o-mini",
        OPENAI_API_KEY=SECRET,
        SQLITE_DB_PATH=str(tmp_path / "h.db"),
    )
    with key_echoing_provider() as base_url:
        service = ImproveService(settings.model_copy(update={"LLM_BASE_URL": base_url}))
        with pytest.raises(ModelError) as caught:
            service.improve("Design a REST API for user management")
    message = str(caught.value)
    assert message.startswith("The language model openai/gpt-4o-mini failed:")
    assert "sk-...cdef" in message
    assert SECRET not in message
    assert service.history.total_count() == 0


def test_embedded_model_calls_queue_before_the_clock_so_latency_excludes_waiting(tmp_path):
    model_lock = threading.Lock()  # like the llama.cpp model's own lock

    def one_at_a_time(**_: object) -> dspy.Prediction:
        with model_lock:
            time.sleep(0.4)
        return dspy.Prediction(**ANSWER)

    service = make_service(
        tmp_path, provider="local", program_factory=lambda backend: one_at_a_time
    )
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(service.improve("Write a haiku")))
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    latencies = sorted(result.run.latency_ms for result in results)
    assert len(latencies) == 3 and latencies[-1] < 700, latencies  # 400 ms each, not 1.2 s
