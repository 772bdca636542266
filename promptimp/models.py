"""Domain types: the stored run, backends, results and the errors callers can catch."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from promptimp.text import strip_control

FRAMEWORKS: tuple[str, ...] = (
    "chain-of-thought",
    "tree-of-thoughts",
    "decomposition",
    "role-playing",
    "react",
    "step-back",
    "few-shot",
    "self-critique",
)
"""Reasoning frameworks an improved prompt may ask for."""

EMBEDDED_MODEL_PREFIX = "local/"
"""How the embedded model's name starts in a run's model_version ("local/smollm2-...")."""
MIN_GUARDRAILS = 3
MAX_GUARDRAILS = 5
MAX_RETENTION_DAYS = 36_500
"""Retention and age limits are whole days in 1..MAX_RETENTION_DAYS (about a century)."""
MAX_ROW_ID = 2**63 - 1
"""The largest id (or offset) a database row can have; larger ones match nothing."""


class BackendType(StrEnum):
    """Which improver program produced a run."""

    ZERO_SHOT = "zero-shot"
    FEW_SHOT = "few-shot"


def utc_now() -> datetime:
    return datetime.now(UTC)


class PromptRun(BaseModel):
    """One improvement, as stored. `id` is None until the store assigns one."""

    model_config = ConfigDict(frozen=True)

    id: int | None = None
    timestamp: datetime = Field(default_factory=utc_now)
    original_idea: str
    context: str = ""
    improved_prompt: str
    role: str
    directive: str
    framework: str
    guardrails: tuple[str, ...]
    backend: BackendType
    confidence: float | None = Field(default=None, ge=0.0, le=1.0)
    reasoning: str = ""
    latency_ms: int | None = Field(default=None, ge=0)
    model_version: str = ""
    author: str | None = None
    """Who made the run (signed-in user, PROMPTIMP_USER or the OS user); None when unknown."""
    parent_id: int | None = None
    """The run this one refines (a previous version), None for a first version."""
    feedback: str = ""
    """The feedback that turned the parent into this version; empty for a first version."""
    keeper: bool = False
    """Whether a person picked this version as the one to keep (at most one per chain)."""
    tags: tuple[str, ...] = ()
    """Tags, sorted; read with the run, changed only through the store's tag operations."""
    damaged: str = ""
    """Empty for a sound run; for a stored row that could not be read as written, what was
    wrong with it (the run shows what was there). Never stored."""

    @model_validator(mode="before")
    @classmethod
    def _no_control_characters(cls, data: object) -> object:
        """Control characters (but tab and newline) never reach a stored text field."""
        if not isinstance(data, dict):
            return data
        return {key: strip_control(v) if isinstance(v, str) else v for key, v in data.items()}

    @field_validator("guardrails")
    @classmethod
    def _guardrails_clean(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        cleaned = tuple(strip_control(rule) for rule in value)
        if not any(rule.strip() for rule in cleaned):
            raise ValueError("a run needs at least one guardrail")
        return cleaned

    @field_validator("original_idea", "improved_prompt")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value

    @field_validator("timestamp")
    @classmethod
    def _timestamp_utc(cls, value: datetime) -> datetime:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    @property
    def quality_score(self) -> float:
        """Confidence (0.5 when unknown) minus a latency penalty of up to 0.3, in [0, 1]."""
        confidence = 0.5 if self.confidence is None else self.confidence
        penalty = min((self.latency_ms or 0) / 10_000, 0.3)
        return max(0.0, min(1.0, confidence - penalty))


class ImprovedPrompt(BaseModel):
    """What a program produced, normalised, before it is timed and stored."""

    model_config = ConfigDict(frozen=True)

    improved_prompt: str
    role: str
    directive: str
    framework: str
    guardrails: tuple[str, ...]
    reasoning: str = ""
    confidence: float | None = None


class WrittenPrompt(BaseModel):
    """An idea with a whole prompt written for it: a labeled output or a trainset row."""

    model_config = ConfigDict(frozen=True)

    idea: str
    context: str = ""
    role: str
    directive: str
    framework: str
    guardrails: tuple[str, ...]
    improved_prompt: str


class ImproveResult(BaseModel):
    """The answer to one improve call: the run (with id when stored) plus warnings."""

    model_config = ConfigDict(frozen=True)

    run: PromptRun
    warnings: tuple[str, ...] = ()

    @property
    def stored(self) -> bool:
        return self.run.id is not None


class PromptImpError(Exception):
    """Base of every error this package raises on purpose; str() is one line for a person."""


class InputError(PromptImpError):
    """The caller's input cannot be used as given (too short, too long, out of range, ...)."""

    @classmethod
    def invalid_unicode(cls, what: str) -> InputError:
        """The error for text holding lone surrogates (how invalid UTF-8 input arrives)."""
        return cls(
            f"The {what} is not valid UTF-8 text (invalid bytes or lone surrogates);"
            " re-type it or fix its encoding."
        )


class OutputError(InputError):
    """A file the caller named cannot be written (a directory, missing, read-only, full)."""


def check_days(days: int, what: str = "days") -> int:
    """`days` if it is in 1..MAX_RETENTION_DAYS, else InputError naming `what` and the range."""
    if not 1 <= days <= MAX_RETENTION_DAYS:
        raise InputError(f"{what} must be between 1 and {MAX_RETENTION_DAYS:,}, got {days:,}.")
    return days


class ModelError(PromptImpError):
    """The language model failed: unreachable, timed out or answered unparseably."""


class HistoryDisabledError(InputError):
    """History is off (SQLITE_ENABLED=false and no HISTORY_DATABASE_URL), so it cannot be read."""


class RepositoryError(PromptImpError):
    """Storage failed."""


class RepositoryConnectionError(RepositoryError):
    """The database cannot be opened or read (missing directory, corrupt file, locked)."""


class StoragePausedError(RepositoryConnectionError):
    """The circuit breaker holds writes back after repeated storage failures."""


class RepositoryConstraintError(RepositoryError):
    """A row broke a constraint of the schema."""
