"""The Health page's model check, told as facts a person can judge.

`promptimp.diagnostics.check_model` makes the round trip (a fixed tiny idea, zero-shot,
nothing stored), times it and words any failure; this keeps the answer it got and reads it
with the core's quality checks (`promptimp.quality.check_prompt`), so the page can say whether
the model works, how fast, and whether its answer is a prompt a person would paste.
"""

from __future__ import annotations

from dataclasses import dataclass

from promptimp.diagnostics import CHECK_IDEA, ModelCheck, check_model
from promptimp.models import BackendType, ImprovedPrompt
from promptimp.quality import QualityReport, check_prompt, weighed_confidence
from promptimp.service import ImproveService


@dataclass(frozen=True)
class ModelCheckReport:
    check: ModelCheck
    quality: QualityReport | None  # None when the round trip failed


class _KeepsAnswer:
    """The service as check_model sees it, keeping the answer of its one `generate`."""

    def __init__(self, service: ImproveService) -> None:
        self._service = service
        self.model_version = service.model_version
        self.answer: ImprovedPrompt | None = None

    def warm_up(self, model: str | None = None) -> None:
        self._service.warm_up(model)

    def generate(
        self, backend: BackendType, idea: str, context: str = "", model: str | None = None
    ) -> ImprovedPrompt:
        self.answer = self._service.generate(backend, idea, context, model)
        return self.answer


def run_model_check(service: ImproveService, model: str | None = None) -> ModelCheckReport:
    """The round trip with `model` (the configured one when empty), and the quality checks
    of its answer."""
    keeper = _KeepsAnswer(service)
    check = check_model(keeper, model)  # duck-typed: check_model calls warm_up and generate
    answer = keeper.answer
    if not check.ok or answer is None:
        return ModelCheckReport(check, None)
    quality = check_prompt(
        CHECK_IDEA,
        "",
        answer.role,
        answer.directive,
        answer.framework,
        answer.guardrails,
        answer.improved_prompt,
        confidence=weighed_confidence(check.model_version, answer.confidence),
    )
    return ModelCheckReport(check, quality)
