"""The model check: one tiny improvement through the service's LM, never stored."""

import time

from promptimp.diagnostics import check_model
from promptimp.models import BackendType
from tests.support import ANSWER, dummy_service, key_echoing_service


def test_a_working_model_passes_and_nothing_is_stored(db_path):
    service = dummy_service(db_path, [ANSWER])
    result = check_model(service)
    assert (result.ok, result.model_version, result.message) == (True, "openai/test-model", "")
    assert result.latency_ms >= 0
    assert service.history.total_count() == 0


def test_the_checks_latency_leaves_out_building_the_program_on_a_cold_process(db_path):
    from promptimp.improver import build_program

    def slow_to_build(backend: BackendType):
        time.sleep(0.8)  # like importing DSPy and building the LM on first use
        return build_program(backend)

    service = dummy_service(db_path, [ANSWER], program_factory=slow_to_build)
    result = check_model(service)
    assert result.ok, result.message
    assert result.latency_ms < 500  # the 800 ms of building are not the model's


def test_a_failing_model_is_one_line_naming_it(db_path):
    result = check_model(dummy_service(db_path, [{"unrelated": "text"}] * 5))
    assert not result.ok
    assert result.message.startswith("The language model openai/test-model failed:")
    assert "\n" not in result.message


def test_an_answer_without_role_or_directive_fails(db_path):
    result = check_model(dummy_service(db_path, [{**ANSWER, "role": "", "directive": ""}]))
    assert not result.ok
    assert result.message == (
        "The language model openai/test-model answered without a prompt (no role and no"
        " directive); nothing was stored. Try again or choose another model."
    )


def test_a_provider_error_echoing_the_key_is_masked_in_the_model_check(tmp_path):
    secret = "sk-health-check-secret-0123456789"
    with key_echoing_service(secret, tmp_path / "h.db") as service:
        result = check_model(service)
    assert not result.ok
    assert result.message.startswith("The language model openai/gpt-4o-mini failed:")
    assert "sk-...6789" in result.message and secret not in result.message


def test_a_named_model_is_the_one_checked(db_path):
    service = dummy_service(db_path, [ANSWER])
    result = check_model(service, "openai/test-model")
    assert (result.ok, result.model_version) == (True, "openai/test-model")


def test_a_model_that_is_not_configured_fails_in_one_line_naming_the_choices(db_path):
    result = check_model(dummy_service(db_path, [ANSWER]), "anthropic/claude")
    assert (result.ok, result.model_version) == (False, "anthropic/claude")
    assert result.message == (
        "Unknown model 'anthropic/claude'; choose one of: openai/test-model,"
        " local/smollm2-135m-instruct."
    )
