"""Diagnostics: check a language model end to end without storing anything."""

from __future__ import annotations

import time

from pydantic import BaseModel, ConfigDict

from promptimp.models import BackendType, PromptImpError
from promptimp.service import ImproveService

CHECK_IDEA = "Write a short poem about the sea"


class ModelCheck(BaseModel):
    """The outcome of one model check; `message` says in one line why it failed ('' when ok)."""

    model_config = ConfigDict(frozen=True)

    ok: bool
    model_version: str
    latency_ms: int
    message: str = ""


def check_model(service: ImproveService, model: str | None = None) -> ModelCheck:
    """Improve a fixed tiny idea zero-shot through the LM and program of `model` (an id of
    service.available_models(); the configured one when empty), unstored.

    DSPy, the LM and the program are built before the clock starts, so a cold process
    times the model's answer only. A failure's message comes from the service, which masks
    API keys in it.
    """
    service.warm_up(model)  # a failure to build is logged here and met again by generate
    started = time.perf_counter()
    try:
        service.generate(BackendType.ZERO_SHOT, CHECK_IDEA, model=model)
    except PromptImpError as error:  # also an answer without role, directive or guardrails
        ok, message = False, str(error)
    else:
        ok, message = True, ""
    latency_ms = round((time.perf_counter() - started) * 1000)
    model_version = model or service.model_version  # a model's id is its model_version
    return ModelCheck(ok=ok, model_version=model_version, latency_ms=latency_ms, message=message)
