"""Which models a person can choose, and the settings each choice runs with."""

import pytest

from promptimp.model_choice import available_models, parse_model, settings_for
from promptimp.models import InputError
from promptimp.settings import Provider, Settings
from tests.support import ANSWER, dummy_service


def ids(settings: Settings) -> list[str]:
    return [choice.id for choice in available_models(settings)]


def test_the_embedded_model_alone_when_no_provider_is_configured():
    assert ids(Settings()) == ["local/smollm2-135m-instruct"]


def test_the_configured_provider_comes_first_then_the_embedded_one_then_each_keyed_one():
    settings = Settings(
        LLM_PROVIDER="ollama", LLM_MODEL="qwen2.5", GEMINI_API_KEY="g" * 20, OPENAI_API_KEY=""
    )
    assert ids(settings) == [
        "ollama/qwen2.5",
        "local/smollm2-135m-instruct",
        "gemini/gemini-2.0-flash",
    ]


def test_a_provider_keyed_only_through_llm_api_key_is_the_configured_one_alone():
    settings = Settings(LLM_PROVIDER="openai", LLM_MODEL="gpt-4.1", LLM_API_KEY="k" * 20)
    assert ids(settings) == ["openai/gpt-4.1", "local/smollm2-135m-instruct"]


def test_another_provider_gets_neither_the_configured_base_url_nor_its_key():
    settings = Settings(
        LLM_PROVIDER="openai",
        LLM_BASE_URL="http://proxy.example/v1",
        LLM_API_KEY="k" * 20,
        ANTHROPIC_API_KEY="a" * 20,
    )
    chosen = settings_for(settings, parse_model(settings, "anthropic/claude-3-5-haiku-latest"))
    assert (chosen.LLM_PROVIDER, chosen.LLM_BASE_URL, chosen.LLM_API_KEY) == (
        Provider.ANTHROPIC,
        "",
        "",
    )
    assert chosen.provider_api_key() == "a" * 20
    assert settings_for(settings, parse_model(settings, "")) is settings


def test_an_unknown_model_is_one_line_naming_the_choices():
    with pytest.raises(InputError) as error:
        parse_model(Settings(), "openai/gpt-4o-mini")
    assert str(error.value) == (
        "Unknown model 'openai/gpt-4o-mini'; choose one of: local/smollm2-135m-instruct."
    )


def test_the_service_records_the_chosen_model_and_keeps_one_runtime_per_model(tmp_path):
    service = dummy_service(tmp_path / "h.db", [ANSWER], GEMINI_API_KEY="g" * 20)
    assert [choice.id for choice in service.available_models()] == [
        "openai/test-model",
        "local/smollm2-135m-instruct",
        "gemini/gemini-2.0-flash",
    ]
    gemini = service.runtime("gemini/gemini-2.0-flash")
    assert gemini is service.runtime("gemini/gemini-2.0-flash")
    assert gemini.model_version == "gemini/gemini-2.0-flash"
    assert service.runtime() is service.runtime("openai/test-model")
    run = service.improve("Design a REST API for user management", model="openai/test-model").run
    assert run.model_version == "openai/test-model"
    with pytest.raises(InputError, match="Unknown model 'deepseek/deepseek-chat'"):
        service.improve("Design a REST API for user management", model="deepseek/deepseek-chat")
    assert service.history.total_count() == 1
