"""Settings read from the environment and `.env` (pydantic-settings)."""

from __future__ import annotations

import getpass
from enum import StrEnum
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit, urlunsplit

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from promptimp.models import MAX_RETENTION_DAYS


class Provider(StrEnum):
    """Where the language model runs."""

    LOCAL = "local"
    OLLAMA = "ollama"
    OPENAI = "openai"
    ANTHROPIC = "anthropic"
    GEMINI = "gemini"
    DEEPSEEK = "deepseek"


DEFAULT_MODELS: dict[Provider, str] = {
    Provider.LOCAL: "smollm2-135m-instruct",
    Provider.OLLAMA: "llama3.2",
    Provider.OPENAI: "gpt-4o-mini",
    Provider.ANTHROPIC: "claude-3-5-haiku-latest",
    Provider.GEMINI: "gemini-2.0-flash",
    Provider.DEEPSEEK: "deepseek-chat",
}
"""The model used when LLM_MODEL is empty."""


MIN_KEY_LENGTH = 8
"""The shortest value redact() treats as a secret API key."""


class SettingsError(ValueError):
    """A setting has a value it cannot take; the message is one line naming it."""


class Settings(BaseSettings):
    """Every knob of the workbench, by the environment variable that sets it."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", case_sensitive=True, extra="ignore"
    )

    # Language model
    LLM_PROVIDER: Provider = Provider.LOCAL
    LLM_MODEL: str = ""
    LLM_BASE_URL: str = ""
    LLM_API_KEY: str = Field(default="", repr=False)
    GEMINI_API_KEY: str = Field(default="", repr=False)
    DEEPSEEK_API_KEY: str = Field(default="", repr=False)
    OPENAI_API_KEY: str = Field(default="", repr=False)
    ANTHROPIC_API_KEY: str = Field(default="", repr=False)
    LOCAL_MODEL_PATH: str = ""

    # DSPy programs
    DSPY_MAX_BOOTSTRAPPED_DEMOS: int = Field(default=5, ge=0)
    DSPY_MAX_LABELED_DEMOS: int = Field(default=3, ge=0)
    DSPY_COMPILED_PATH: str = ""
    DSPY_FEWSHOT_ENABLED: bool = False
    DSPY_FEWSHOT_TRAINSET_PATH: str = "data/trainset.jsonl"
    DSPY_FEWSHOT_USER_TRAINSET_PATH: str = "data/user_trainset.jsonl"
    DSPY_FEWSHOT_K: int = Field(default=3, ge=1, le=20)
    DSPY_FEWSHOT_COMPILED_PATH: str = "models/prompt_improver_fewshot.json"
    DOMAIN_LIBRARY_PATH: str = ""
    """The curated roles and guardrails the embedded model's program composes from; empty =
    the bundled library (data/domains/)."""

    # HTTP API and quality targets
    API_HOST: str = "127.0.0.1"
    API_PORT: int = Field(default=8000, ge=1, le=65535)
    API_ALLOWED_HOSTS: Annotated[tuple[str, ...], NoDecode] = ()
    API_READ_TIMEOUT_S: float = Field(default=10.0, gt=0, le=3600)
    API_MAX_CONNECTIONS: int = Field(default=1000, ge=1)
    MIN_CONFIDENCE_THRESHOLD: float = Field(default=0.7, ge=0.0, le=1.0)
    MAX_LATENCY_MS: int = Field(default=30000, gt=0)

    # Who the runs are recorded as when no one is signed in (empty = the OS user name)
    PROMPTIMP_USER: str = ""

    # Storage: PostgreSQL at HISTORY_DATABASE_URL when it is set, else SQLite at SQLITE_DB_PATH
    HISTORY_DATABASE_URL: str = Field(default="", repr=False)
    SQLITE_ENABLED: bool = True
    SQLITE_DB_PATH: str = "data/prompt_history.db"
    SQLITE_RETENTION_DAYS: int = Field(default=30, ge=1, le=MAX_RETENTION_DAYS)
    SQLITE_AUTO_CLEANUP: bool = True
    SQLITE_WAL_MODE: bool = True

    @field_validator("SQLITE_DB_PATH")
    @classmethod
    def _db_path_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must be a file path")
        return value

    @field_validator("HISTORY_DATABASE_URL")
    @classmethod
    def _postgresql_url(cls, value: str) -> str:
        value = value.strip()
        if value and not value.startswith(("postgresql://", "postgres://")):
            raise ValueError("must be empty (SQLite) or a postgresql:// URL")
        return value

    @field_validator("API_ALLOWED_HOSTS", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(host.strip() for host in value.split(",") if host.strip())
        return value

    @property
    def allowed_hosts(self) -> list[str]:
        """Host names the HTTP API answers to: API_ALLOWED_HOSTS, else the local names and
        API_HOST (so a DNS-rebinding page cannot reach it under another name)."""
        if self.API_ALLOWED_HOSTS:
            return list(self.API_ALLOWED_HOSTS)
        local = ["localhost", "127.0.0.1", "::1"]
        return local if self.API_HOST in (*local, "0.0.0.0", "::") else [*local, self.API_HOST]

    @property
    def db_path(self) -> Path:
        return Path(self.SQLITE_DB_PATH)

    @property
    def default_author(self) -> str | None:
        """PROMPTIMP_USER, else the OS user name; None when neither is known."""
        if self.PROMPTIMP_USER.strip():
            return self.PROMPTIMP_USER.strip()
        try:
            return getpass.getuser()
        except (KeyError, OSError):  # no such user in the password database, no $USER
            return None

    @property
    def history_enabled(self) -> bool:
        """Whether runs are kept: always on PostgreSQL, on SQLite unless SQLITE_ENABLED=false."""
        return bool(self.HISTORY_DATABASE_URL) or self.SQLITE_ENABLED

    @property
    def history_location(self) -> str:
        """Where the history lives, safe to show: the SQLite path or the URL without password."""
        return mask_url(self.HISTORY_DATABASE_URL) or str(self.db_path)

    @property
    def model_name(self) -> str:
        """LLM_MODEL, or the provider's default model when it is empty."""
        return self.LLM_MODEL or DEFAULT_MODELS[self.LLM_PROVIDER]

    @property
    def default_backend(self) -> str:
        return "few-shot" if self.DSPY_FEWSHOT_ENABLED else "zero-shot"

    def provider_api_key(self) -> str:
        """The key for the configured provider: its own variable, else LLM_API_KEY."""
        own = {
            Provider.OPENAI: self.OPENAI_API_KEY,
            Provider.ANTHROPIC: self.ANTHROPIC_API_KEY,
            Provider.GEMINI: self.GEMINI_API_KEY,
            Provider.DEEPSEEK: self.DEEPSEEK_API_KEY,
        }.get(self.LLM_PROVIDER, "")
        return own or self.LLM_API_KEY

    def redact(self, text: str) -> str:
        """`text` with every configured API key and the database password masked.

        Keys shorter than MIN_KEY_LENGTH are not real keys (LLM_API_KEY=ollama, say) and are
        left alone, so masking them cannot garble words that contain them.
        """
        for name, value in self:
            if name.endswith("_API_KEY") and len(value) >= MIN_KEY_LENGTH and value in text:
                text = text.replace(value, mask_secret(value))
        password = urlsplit(self.HISTORY_DATABASE_URL).password
        return text.replace(password, "****") if password else text

    def public_view(self) -> dict[str, object]:
        """Settings safe to show: every value, with API keys masked."""
        view: dict[str, object] = {}
        for name, value in self.model_dump(mode="json").items():
            if name.endswith("_API_KEY"):
                value = mask_secret(value)
            elif name == "HISTORY_DATABASE_URL":
                value = mask_url(value)
            view[name] = value
        return view


def mask_secret(value: str) -> str:
    """`sk-...abcd` style mask; empty stays empty (so 'not set' is visible)."""
    if not value:
        return ""
    return "****" if len(value) < 12 else f"{value[:3]}...{value[-4:]}"


def mask_url(url: str) -> str:
    """`url` with its password shown as ****; empty stays empty."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":****@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def describe_validation_error(error: ValidationError) -> str:
    """One line naming the first bad variable and what it accepts."""
    first = error.errors()[0]
    name = ".".join(str(part) for part in first["loc"]) or "settings"
    given = first.get("input")
    message = first["msg"]
    ctx = first.get("ctx") or {}
    if "expected" in ctx:
        message = f"expected {ctx['expected']}"
    return f"Invalid setting {name}={given!r}: {message}."


def load_settings(**overrides: object) -> Settings:
    """Read Settings, turning a validation error into a one-line SettingsError."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        raise SettingsError(describe_validation_error(error)) from None
