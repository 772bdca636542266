"""Evaluate the improver's backends over a dataset and store each evaluation run.

Every example goes through ImproveService.improve (wrapped in ServiceProgram, a small
dspy.Module), so each prediction is a normal stored prompt run with its latency, backend and
model; dspy.Evaluate runs the examples (num_threads of them at a time) and applies the metric.
Examples are handed to dspy.Evaluate in chunks of `threads`, so `progress(done, total)` is
called from the caller's thread after each chunk: Streamlit can draw it, and a terminal can
drive a tqdm bar with it.

The embedded model serialises its calls, so with LLM_PROVIDER=local examples run one at a
time whatever `threads` says: queued examples would gain nothing, and dspy's executor would
resubmit any still waiting after 120 s as stragglers, improving (and storing) them twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import dspy

from eval.agreement import example_guardrails
from eval.metrics import PromptJudge, score_prediction
from eval.reports import average_parts, mean
from promptimp.history.records import EvalReport, ExampleResult
from promptimp.models import BackendType, InputError, PromptImpError
from promptimp.quality import Demo
from promptimp.service import ImproveService, parse_backend
from promptimp.settings import Provider, Settings

Progress = Callable[[int, int], None]
"""progress(done, total): examples evaluated so far, out of all examples of all backends."""

UNEXPECTED_ERROR = "failed unexpectedly (see the log)"
PREDICTED_FIELDS = {
    "improved_prompt",
    "role",
    "directive",
    "framework",
    "reasoning",
    "confidence",
    "model_version",
}


# -- running ---------------------------------------------------------------------------------


class ServiceProgram(dspy.Module):
    """Improves one example through the service with a fixed backend.

    A failure the service reports (bad input, model error) becomes a prediction with `error`
    set and no prompt, which the metric scores 0, so one bad example never stops the run.
    """

    def __init__(self, service: ImproveService, backend: BackendType) -> None:
        super().__init__()
        self.service = service
        self.backend = backend

    def forward(self, original_idea: str, context: str = "") -> dspy.Prediction:
        try:
            run = self.service.improve(original_idea, context, self.backend).run
        except PromptImpError as error:
            return dspy.Prediction(error=str(error), prompt_run_id=None)
        fields = run.model_dump(include=PREDICTED_FIELDS)
        return dspy.Prediction(
            **fields, guardrails=list(run.guardrails), prompt_run_id=run.id, error=""
        )


def _scoring_metric(
    judge: PromptJudge | None, demos: Sequence[Demo] = ()
) -> Callable[..., dspy.Prediction]:
    """A metric for dspy.Evaluate returning Prediction(score, parts); it adds up as a float."""

    def metric(example: Any, prediction: Any, trace: Any = None) -> dspy.Prediction:
        result = score_prediction(example, prediction, judge, demos)
        return dspy.Prediction(score=result.score, parts=result.parts)

    return metric


@contextmanager
def _quiet_evaluate_log() -> Iterator[None]:
    """Silence dspy.Evaluate's per-call 'Average Metric' line (one per chunk here)."""
    logger = logging.getLogger("dspy.evaluate.evaluate")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def _example_result(
    index: int, example: dspy.Example, prediction: Any, scored: Any
) -> ExampleResult:
    """One row of the report; a prediction dspy.Evaluate gave up on has no fields at all."""
    return ExampleResult(
        example_index=index,
        score=float(scored),
        parts=scored.get("parts", {}) if isinstance(scored, dspy.Prediction) else {},
        prompt_run_id=prediction.get("prompt_run_id"),
        original_idea=example.original_idea,
        improved_prompt=prediction.get("improved_prompt") or "",
        error=prediction.get("error", UNEXPECTED_ERROR),
    )


def _evaluate_in_chunks(
    program: dspy.Module,
    examples: Sequence[dspy.Example],
    metric: Callable[..., Any],
    threads: int,
    done: Callable[[int], None],
) -> list[ExampleResult]:
    """dspy.Evaluate over `threads` examples at a time; `done(n)` after each chunk."""
    evaluate = dspy.Evaluate(
        devset=list(examples), metric=metric, num_threads=threads, display_progress=False
    )
    results: list[ExampleResult] = []
    with _quiet_evaluate_log():
        for start in range(0, len(examples), threads):
            outcome = evaluate(program, devset=list(examples[start : start + threads]))
            for index, (example, prediction, scored) in enumerate(outcome.results, start):
                results.append(_example_result(index, example, prediction, scored))
            done(len(results))
    return results


def evaluate_backend(
    service: ImproveService,
    examples: Sequence[dspy.Example],
    backend: str | BackendType,
    *,
    dataset: str,
    threads: int = 1,
    judge: PromptJudge | None = None,
    progress: Progress | None = None,
    offset: int = 0,
    total: int | None = None,
) -> EvalReport:
    """Run one backend over `examples`, score each, store the evaluation run, return it.

    `offset`/`total` place this backend's examples in an overall progress count.
    """
    if not examples:
        raise InputError("The dataset has no examples to evaluate.")
    chosen = parse_backend(backend, service.settings.default_backend)

    def report_done(done: int) -> None:
        if progress:
            progress(offset + done, total or len(examples))

    if service.settings.LLM_PROVIDER is Provider.LOCAL:
        threads = 1
    started = datetime.now(UTC)
    program = ServiceProgram(service, chosen)
    demos = (
        example_guardrails(service.settings.DSPY_FEWSHOT_TRAINSET_PATH)
        if chosen is BackendType.FEW_SHOT
        else []
    )  # a few-shot run is checked for guardrails copied from unrelated examples
    metric = _scoring_metric(judge, demos)
    results = _evaluate_in_chunks(program, examples, metric, max(1, threads), report_done)
    report = EvalReport(
        dataset=dataset,
        backend=chosen.value,
        model=service.model_version,
        started=started,
        finished=datetime.now(UTC),
        score=mean([r.score for r in results]),
        parts=average_parts(results),
        example_count=len(results),
        results=tuple(results),
    )
    return service.save_eval_report(report)


def evaluate_backends(
    service: ImproveService,
    examples: Sequence[dspy.Example],
    backends: Iterable[str | BackendType],
    *,
    dataset: str,
    threads: int = 1,
    judge: PromptJudge | None = None,
    progress: Progress | None = None,
) -> list[EvalReport]:
    """`evaluate_backend` for each backend in turn, with one progress count over all."""
    chosen = list(backends)
    total = len(examples) * len(chosen)
    return [
        evaluate_backend(
            service,
            examples,
            backend,
            dataset=dataset,
            threads=threads,
            judge=judge,
            progress=progress,
            offset=number * len(examples),
            total=total,
        )
        for number, backend in enumerate(chosen)
    ]


def judge_for(settings: Settings, adapter: Any = None) -> PromptJudge:
    """A judge on the configured provider; InputError for the embedded model (too weak)."""
    if settings.LLM_PROVIDER is Provider.LOCAL:
        raise InputError(
            "The LLM judge needs a hosted model: set LLM_PROVIDER to openai, anthropic, "
            "gemini, deepseek or ollama."
        )
    from promptimp.lm import build_adapter, build_lm

    return PromptJudge(build_lm(settings), adapter or build_adapter(settings))
