"""One prompt's verdict: every check of every part, then the banded score."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from promptimp.models import EMBEDDED_MODEL_PREFIX, PromptRun
from promptimp.quality.directive import check_directive
from promptimp.quality.framing import request_of
from promptimp.quality.guardrails import check_guardrails
from promptimp.quality.language import check_language
from promptimp.quality.lexicon import key_terms, language_of, plain, prefixes
from promptimp.quality.noise import check_noise
from promptimp.quality.reading import Reading
from promptimp.quality.report import Demo, QualityReport, confidence_check, score_of
from promptimp.quality.role import check_role
from promptimp.quality.structure import check_structure


def check_prompt(
    idea: str,
    context: str,
    role: str,
    directive: str,
    framework: str,
    guardrails: Iterable[str],
    improved_prompt: str,
    *,
    demos: Sequence[Demo] = (),
    confidence: float | None = None,
) -> QualityReport:
    """Every check of one improved prompt, its verdict and its score.

    `demos` are (idea, guardrail) pairs of the examples the program was shown (few-shot), so
    a guardrail copied from an example about something else is caught. `confidence` is the
    embedded model's (`weighed_confidence`), checked against CONFIDENT; None checks none.
    """
    reading = Reading(
        idea=idea.strip(),
        context=context.strip(),
        role=role.strip(),
        directive=directive.strip(),
        framework=framework.strip().lower(),
        guardrails=tuple(rule.strip() for rule in guardrails if rule.strip()),
        prompt=improved_prompt.strip(),
        given=plain(f"{idea}\n{context}"),
        idea_terms=key_terms(request_of(idea)),
        source_prefixes=prefixes(f"{idea} {context}"),
        language=language_of(idea),
    )
    checks = (
        check_structure(reading)
        + check_role(reading)
        + check_directive(reading)
        + check_guardrails(reading, demos)
        + check_noise(reading)
        + check_language(reading)
        + ([confidence_check(confidence)] if confidence is not None else [])
    )
    acceptable, score = score_of(checks)
    failures = tuple(check for check in checks if not check.passed)
    return QualityReport(tuple(checks), acceptable, score, failures)


def weighed_confidence(model_version: str, confidence: float | None) -> float | None:
    """The confidence the verdict weighs: the embedded model's, which is evidence (the checks
    and the domain lead); None for a provider, whose stated confidence is its own claim."""
    return confidence if model_version.startswith(EMBEDDED_MODEL_PREFIX) else None


def check_run(run: PromptRun) -> QualityReport:
    """`check_prompt` of a stored run's parts and, from the embedded model, its confidence."""
    return check_prompt(
        run.original_idea,
        run.context,
        run.role,
        run.directive,
        run.framework,
        run.guardrails,
        run.improved_prompt,
        confidence=weighed_confidence(run.model_version, run.confidence),
    )
