"""Settings: defaults, environment parsing and one-line errors for invalid values."""

import pytest

from promptimp.settings import Provider, Settings, SettingsError, load_settings, mask_secret


@pytest.fixture(autouse=True)
def _no_dotenv(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no stray .env from the developer's checkout
    monkeypatch.delenv("SQLITE_DB_PATH", raising=False)  # the session's tmp default


def test_defaults_match_the_documented_values():
    settings = Settings()
    assert settings.LLM_PROVIDER is Provider.LOCAL
    assert settings.DSPY_MAX_BOOTSTRAPPED_DEMOS == 5
    assert settings.DSPY_MAX_LABELED_DEMOS == 3
    assert settings.DSPY_FEWSHOT_ENABLED is False
    assert settings.DSPY_FEWSHOT_TRAINSET_PATH == "data/trainset.jsonl"
    assert settings.DSPY_FEWSHOT_K == 3
    assert settings.DSPY_FEWSHOT_COMPILED_PATH == "models/prompt_improver_fewshot.json"
    assert (settings.API_HOST, settings.API_PORT) == ("127.0.0.1", 8000)
    assert settings.MIN_CONFIDENCE_THRESHOLD == 0.7
    assert settings.MAX_LATENCY_MS == 30000
    assert settings.SQLITE_ENABLED is True
    assert settings.SQLITE_DB_PATH == "data/prompt_history.db"
    assert settings.SQLITE_RETENTION_DAYS == 30
    assert settings.SQLITE_AUTO_CLEANUP is True
    assert settings.SQLITE_WAL_MODE is True
    assert settings.default_backend == "zero-shot"


def test_environment_and_dotenv_are_read(monkeypatch, tmp_path):
    (tmp_path / ".env").write_text("LLM_PROVIDER=ollama\nLLM_MODEL=qwen2.5\n")
    monkeypatch.setenv("DSPY_FEWSHOT_ENABLED", "true")
    settings = Settings()
    assert settings.LLM_PROVIDER is Provider.OLLAMA
    assert settings.model_name == "qwen2.5"
    assert settings.default_backend == "few-shot"


def test_names_are_case_sensitive(monkeypatch):
    monkeypatch.setenv("llm_provider", "openai")
    assert Settings().LLM_PROVIDER is Provider.LOCAL


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("LLM_PROVIDER", "foo", "Invalid setting LLM_PROVIDER='foo': expected 'local', 'ollama'"),
        ("SQLITE_RETENTION_DAYS", "-3", "Invalid setting SQLITE_RETENTION_DAYS='-3': Input should"),
        ("MIN_CONFIDENCE_THRESHOLD", "2", "Invalid setting MIN_CONFIDENCE_THRESHOLD='2': Input"),
        ("API_PORT", "http", "Invalid setting API_PORT='http': Input should be a valid integer"),
        ("SQLITE_ENABLED", "maybe", "Invalid setting SQLITE_ENABLED='maybe': Input should be"),
    ],
)
def test_invalid_value_gives_one_line_naming_the_variable(monkeypatch, name, value, expected):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith(expected)
    assert "\n" not in message


def test_provider_key_prefers_its_own_variable():
    settings = Settings(LLM_PROVIDER="openai", OPENAI_API_KEY="sk-own", LLM_API_KEY="sk-generic")
    assert settings.provider_api_key() == "sk-own"
    assert Settings(LLM_PROVIDER="gemini", LLM_API_KEY="g-key").provider_api_key() == "g-key"


def test_public_view_masks_every_key():
    settings = Settings(OPENAI_API_KEY="sk-abcdefghijklmnop", ANTHROPIC_API_KEY="short")
    view = settings.public_view()
    assert view["OPENAI_API_KEY"] == "sk-...mnop"
    assert view["ANTHROPIC_API_KEY"] == "****"
    assert view["GEMINI_API_KEY"] == ""
    assert "sk-abcdefghijklmnop" not in repr(settings)
    assert "abcdefghijklmnop" not in str(view)


def test_mask_secret():
    assert mask_secret("") == ""
    assert mask_secret("1234567890abcdef") == "123...cdef"


def test_api_limits_and_allowed_hosts():
    settings = Settings()
    assert (settings.API_READ_TIMEOUT_S, settings.API_MAX_CONNECTIONS) == (10.0, 1000)
    assert settings.allowed_hosts == ["localhost", "127.0.0.1", "::1"]
    assert Settings(API_HOST="box.lan").allowed_hosts == [
        "localhost",
        "127.0.0.1",
        "::1",
        "box.lan",
    ]
    listed = Settings(API_ALLOWED_HOSTS=" a.example , b.example,")
    assert listed.allowed_hosts == ["a.example", "b.example"]


def test_retention_days_are_bounded_to_a_century(monkeypatch):
    monkeypatch.setenv("SQLITE_RETENTION_DAYS", "36501")
    with pytest.raises(SettingsError, match="SQLITE_RETENTION_DAYS='36501'.*less than or equal"):
        load_settings()


def test_redact_masks_every_configured_key():
    settings = Settings(OPENAI_API_KEY="sk-abcdefghijklmnop", LLM_API_KEY="generic-key-123456")
    text = "401: sk-abcdefghijklmnop is wrong; generic-key-123456 too"
    assert settings.redact(text) == "401: sk-...mnop is wrong; gen...3456 too"
    assert Settings().redact("no key here") == "no key here"


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ({"OPENAI_API_KEY": "x"}, "litellm.AuthenticationError: OpenAIException - bad key x"),
        ({"LLM_API_KEY": "ollama"}, "ollama/llama3 failed: ollama is not running"),
        ({"ANTHROPIC_API_KEY": "key1234"}, "401 key1234 rejected by the key1234-service"),
    ],
)
def test_redact_leaves_messages_whole_for_keys_too_short_to_be_real(keys, message):
    assert Settings(**keys).redact(message) == message


def test_redact_masks_a_key_of_eight_characters():
    settings = Settings(OPENAI_API_KEY="abcd1234")
    assert settings.redact("401: abcd1234 is wrong") == "401: **** is wrong"
