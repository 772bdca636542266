"""The Health page's model check, told as facts a person can judge.

`promptimp.diagnostics.check_model` makes the round trip (a fixed tiny idea, zero-shot,
nothing stored), times it and words any failure; this keeps the answer it got, so the page
can say what came back: each part present, the guardrail count and the prompt's length.
"""

from __future__ import annotations

from dataclasses import dataclass

from promptimp.diagnostics import CHECK_IDEA, ModelCheck, check_model
from promptimp.models import FRAMEWORKS, BackendType, ImprovedPrompt
from promptimp.service import ImproveService

MIN_GUARDRAILS, MAX_GUARDRAILS = 3, 5


@dataclass(frozen=True)
class Fact:
    """One thing checked on the answer: what, whether it holds, what was found."""

    what: str
    holds: bool
    found: str


@dataclass(frozen=True)
class ModelCheckReport:
    check: ModelCheck
    idea: str
    facts: tuple[Fact, ...]  # empty when the round trip failed


class _KeepsAnswer:
    """The service as check_model sees it, keeping the answer of its one `generate`."""

    def __init__(self, service: ImproveService) -> None:
        self._service = service
        self.model_version = service.model_version
        self.answer: ImprovedPrompt | None = None

    def generate(self, backend: BackendType, idea: str, context: str = "") -> ImprovedPrompt:
        self.answer = self._service.generate(backend, idea, context)
        return self.answer


def run_model_check(service: ImproveService) -> ModelCheckReport:
    """The round trip with the configured model, and the facts of its answer."""
    keeper = _KeepsAnswer(service)
    check = check_model(keeper)  # duck-typed: check_model only calls generate
    answer = keeper.answer
    return ModelCheckReport(check, CHECK_IDEA, facts_of(answer) if answer else ())


def facts_of(answer: ImprovedPrompt) -> tuple[Fact, ...]:
    """Structural facts of an answer (the quality checks are not part of them yet)."""
    guardrails = len(answer.guardrails)
    words = len(answer.improved_prompt.split())
    return (
        Fact("Role", bool(answer.role.strip()), answer.role or "missing"),
        Fact("Directive", bool(answer.directive.strip()), answer.directive or "missing"),
        Fact("Framework", answer.framework in FRAMEWORKS, answer.framework or "missing"),
        Fact(
            f"Guardrails ({MIN_GUARDRAILS}-{MAX_GUARDRAILS})",
            MIN_GUARDRAILS <= guardrails <= MAX_GUARDRAILS,
            f"{guardrails}",
        ),
        Fact("Improved prompt", words > 0, f"{words} words"),
    )
