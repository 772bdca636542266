"""What a history store returns besides runs: typed figures, comparisons and evaluation runs."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True)


class BackendFigures(_Record):
    """One backend's share of the statistics; averages skip unknown values."""

    count: int
    average_confidence: float | None
    average_latency_ms: float | None


class Statistics(_Record):
    """Totals, averages and nearest-rank latency percentiles; None when nothing is known.

    p50/p95 are nearest-rank: the smallest known latency with at least 50% (95%) of the
    known latencies at or below it (PostgreSQL's percentile_disc).
    """

    total_count: int
    average_confidence: float | None
    average_latency_ms: float | None
    p50_latency_ms: int | None
    p95_latency_ms: int | None
    by_backend: dict[str, BackendFigures]


class DailyFigures(_Record):
    """One UTC day of one backend."""

    day: date
    backend: str
    runs: int
    average_confidence: float | None
    average_latency_ms: float | None


class ModelFigures(_Record):
    """One model version ('' or None when unknown)."""

    model_version: str | None
    runs: int
    average_confidence: float | None
    average_latency_ms: float | None


class HistogramBin(_Record):
    """Known values in [lower, upper); the last bin of a histogram includes its upper edge."""

    lower: float
    upper: float
    count: int


class ComparisonRecord(_Record):
    """A verdict on one idea improved by both backends, with each run's figures (None once
    that run is deleted)."""

    id: int
    timestamp: datetime
    idea: str
    verdict: str
    zero_shot_run_id: int | None
    zero_shot_confidence: float | None
    zero_shot_latency_ms: int | None
    few_shot_run_id: int | None
    few_shot_confidence: float | None
    few_shot_latency_ms: int | None


class VerdictShare(_Record):
    wins: int
    rate: float | None
    """wins / all comparisons; None when there are none."""


class WinRates(_Record):
    """How often each verdict was given, over every stored comparison."""

    total: int
    verdicts: dict[str, VerdictShare]


class ExampleResult(_Record):
    """One scored example of an evaluation run."""

    example_index: int
    score: float
    parts: dict[str, float]
    prompt_run_id: int | None = None
    original_idea: str = ""
    improved_prompt: str = ""
    error: str = ""


class EvalReport(_Record):
    """An evaluation run: one backend over one dataset, with its averages and examples."""

    id: int | None = None
    dataset: str
    backend: str
    model: str
    started: datetime
    finished: datetime
    score: float
    parts: dict[str, float]
    example_count: int
    results: tuple[ExampleResult, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def seconds(self) -> float:
        return (self.finished - self.started).total_seconds()

    @property
    def acceptable_share(self) -> float | None:
        """The share of examples whose prompt passed every quality check (None before them)."""
        return self.parts.get("acceptable")


class TrialAnswer(_Record):
    """One prompt sent to a target model and what came back."""

    prompt: str
    answer: str
    latency_ms: int
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


class Trial(_Record):
    """A run's improved prompt and its original idea, each tried on one target model."""

    id: int | None = None
    run_id: int
    timestamp: datetime
    target_model: str
    original: TrialAnswer
    improved: TrialAnswer
