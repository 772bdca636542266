"""The model check: one tiny improvement through the service's LM, never stored."""

import dspy
from dspy.utils import DummyLM

from promptimp.diagnostics import check_model
from promptimp.service import ImproveService
from promptimp.settings import Settings

ANSWER = {
    "role": "Poet",
    "directive": "Write a short poem about the sea.",
    "framework": "chain-of-thought",
    "guardrails": ["Four lines", "No rhyme", "Plain words"],
    "reasoning": "A short creative task.",
    "confidence": 0.7,
    "improved_prompt": "You are a poet. Write a short poem about the sea.",
}


def make_service(db_path, answers) -> ImproveService:
    settings = Settings(LLM_PROVIDER="openai", LLM_MODEL="dummy", SQLITE_DB_PATH=str(db_path))
    return ImproveService(settings, lm=DummyLM(answers), adapter=dspy.ChatAdapter())


def test_a_working_model_passes_and_nothing_is_stored(db_path):
    service = make_service(db_path, [ANSWER])
    result = check_model(service)
    assert (result.ok, result.model_version) == (True, "openai/dummy")
    assert result.message == "The model answered with role 'Poet'."
    assert result.latency_ms >= 0
    assert service.store.total_count() == 0


def test_a_failing_model_is_one_line_naming_it(db_path):
    result = check_model(make_service(db_path, [{"unrelated": "text"}] * 5))
    assert not result.ok
    assert result.message.startswith("The language model openai/dummy failed:")
    assert "\n" not in result.message


def test_an_answer_without_role_or_directive_fails(db_path):
    result = check_model(make_service(db_path, [{**ANSWER, "role": "", "directive": ""}]))
    assert not result.ok
    assert result.message == "The model answered, but without a role or directive."
