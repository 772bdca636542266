"""Diagnostics: check the configured language model end to end without storing anything."""

from __future__ import annotations

import time

from pydantic import BaseModel, ConfigDict

from promptimp.models import BackendType, PromptImpError
from promptimp.service import ImproveService

CHECK_IDEA = "Write a short poem about the sea"


class ModelCheck(BaseModel):
    """The outcome of one model check; `message` is one line for a person."""

    model_config = ConfigDict(frozen=True)

    ok: bool
    model_version: str
    latency_ms: int
    message: str


def check_model(service: ImproveService) -> ModelCheck:
    """Improve a fixed tiny idea zero-shot through the service's LM and program, unstored.

    A failure's message comes from the service, which masks API keys in it.
    """
    started = time.perf_counter()
    try:
        improved = service.generate(BackendType.ZERO_SHOT, CHECK_IDEA)
    except PromptImpError as error:
        ok, message = False, str(error)
    else:  # the service refuses an answer without role, directive or guardrails
        ok, message = True, f"The model answered with role {improved.role!r}."
    latency_ms = round((time.perf_counter() - started) * 1000)
    return ModelCheck(
        ok=ok, model_version=service.model_version, latency_ms=latency_ms, message=message
    )
