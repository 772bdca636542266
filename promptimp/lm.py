"""Build the dspy.LM for the configured provider (litellm) or the embedded local model."""

from __future__ import annotations

import dspy

from promptimp.settings import Provider, Settings

LITELLM_PREFIX: dict[Provider, str] = {
    Provider.OLLAMA: "ollama_chat",
    Provider.OPENAI: "openai",
    Provider.ANTHROPIC: "anthropic",
    Provider.GEMINI: "gemini",
    Provider.DEEPSEEK: "deepseek",
}
OLLAMA_DEFAULT_URL = "http://localhost:11434"
REQUEST_TIMEOUT_S = 120


def litellm_model_id(settings: Settings) -> str:
    """`provider/model` as litellm expects it."""
    return f"{LITELLM_PREFIX[settings.LLM_PROVIDER]}/{settings.model_name}"


def build_lm(settings: Settings) -> dspy.LM:
    """The LM for `settings`, with DSPy's response cache off so recorded latency is real."""
    if settings.LLM_PROVIDER is Provider.LOCAL:
        from promptimp.local.engine import build_local_lm

        return build_local_lm(settings)
    client: dict[str, object] = {"timeout": REQUEST_TIMEOUT_S}
    base_url = settings.LLM_BASE_URL
    if settings.LLM_PROVIDER is Provider.OLLAMA:
        base_url = base_url or OLLAMA_DEFAULT_URL
    if base_url:
        client["api_base"] = base_url
    api_key = settings.provider_api_key()
    if api_key:
        client["api_key"] = api_key
    return dspy.LM(
        litellm_model_id(settings),
        engine="litellm",
        cache=False,
        num_retries=1,
        temperature=0.2,
        max_tokens=2000,
        **client,
    )


def build_adapter(settings: Settings) -> dspy.Adapter:
    """JSON for the local model (its decoding is constrained to JSON), chat format otherwise."""
    if settings.LLM_PROVIDER is Provider.LOCAL:
        from promptimp.local.adapter import LocalJSONAdapter

        return LocalJSONAdapter()
    return dspy.ChatAdapter()
