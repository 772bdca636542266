"""Which models a person can choose: the embedded one and every provider the settings
configure (its key, or for Ollama its base URL, is present). A choice is named by its id,
'provider/model', which is also what a run records as its model_version."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from promptimp.models import InputError
from promptimp.settings import DEFAULT_MODELS, Provider, Settings

KEY_SETTINGS: dict[Provider, str] = {
    Provider.OPENAI: "OPENAI_API_KEY",
    Provider.ANTHROPIC: "ANTHROPIC_API_KEY",
    Provider.GEMINI: "GEMINI_API_KEY",
    Provider.DEEPSEEK: "DEEPSEEK_API_KEY",
}


class ModelChoice(BaseModel):
    """One provider and model."""

    model_config = ConfigDict(frozen=True)

    provider: Provider
    model: str

    @property
    def id(self) -> str:
        return f"{self.provider.value}/{self.model}"

    @property
    def label(self) -> str:
        if self.provider is Provider.LOCAL:
            return f"{self.model} (embedded, no network)"
        return f"{self.model} ({self.provider.value})"


def default_choice(settings: Settings) -> ModelChoice:
    """LLM_PROVIDER with LLM_MODEL (or its default model)."""
    return ModelChoice(provider=settings.LLM_PROVIDER, model=settings.model_name)


def available_models(settings: Settings) -> list[ModelChoice]:
    """The configured model first, then the embedded one, then each other provider whose
    key is set (its default model); Ollama only when it is the configured provider."""
    choices = [
        default_choice(settings),
        ModelChoice(provider=Provider.LOCAL, model=_model_of(settings, Provider.LOCAL)),
    ]
    for provider, key in KEY_SETTINGS.items():
        if getattr(settings, key):
            choices.append(ModelChoice(provider=provider, model=_model_of(settings, provider)))
    return list(dict.fromkeys(choices))


def parse_model(settings: Settings, model_id: str | None) -> ModelChoice:
    """The available choice named `model_id` (the default when empty), or InputError naming
    the ones there are."""
    choices = available_models(settings)
    if not model_id:
        return choices[0]
    for choice in choices:
        if choice.id == model_id.strip():
            return choice
    names = ", ".join(choice.id for choice in choices)
    raise InputError(f"Unknown model {model_id[:80]!r}; choose one of: {names}.")


def settings_for(settings: Settings, choice: ModelChoice) -> Settings:
    """`settings` pointed at `choice`. LLM_BASE_URL and LLM_API_KEY belong to LLM_PROVIDER,
    so another provider gets neither (it uses its own key variable)."""
    if choice == default_choice(settings):
        return settings
    return settings.model_copy(
        update={
            "LLM_PROVIDER": choice.provider,
            "LLM_MODEL": choice.model,
            "LLM_BASE_URL": "",
            "LLM_API_KEY": "",
        }
    )


def _model_of(settings: Settings, provider: Provider) -> str:
    return settings.model_name if provider is settings.LLM_PROVIDER else DEFAULT_MODELS[provider]
