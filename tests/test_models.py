"""PromptRun invariants and the quality score."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from promptimp.models import BackendType, PromptRun


def run(**overrides) -> PromptRun:
    fields = {
        "original_idea": "Design a REST API",
        "improved_prompt": "You are an API designer.",
        "role": "API designer",
        "directive": "Design it.",
        "framework": "decomposition",
        "guardrails": ("a", "b", "c"),
        "backend": BackendType.ZERO_SHOT,
    }
    return PromptRun(**{**fields, **overrides})


@pytest.mark.parametrize(
    "bad",
    [{"confidence": 1.01}, {"confidence": -0.1}, {"latency_ms": -1}, {"original_idea": "   "}],
)
def test_invariants_reject_bad_values(bad):
    with pytest.raises(ValidationError):
        run(**bad)


def test_run_is_frozen():
    with pytest.raises(ValidationError):
        run().role = "other"  # type: ignore[misc]


def test_timestamp_is_utc():
    local = datetime(2026, 1, 1, 12, tzinfo=timezone(timedelta(hours=2)))
    assert run(timestamp=local).timestamp == datetime(2026, 1, 1, 10, tzinfo=UTC)
    assert run(timestamp=datetime(2026, 1, 1)).timestamp.tzinfo == UTC


@pytest.mark.parametrize(
    ("confidence", "latency_ms", "expected"),
    [
        (0.9, 1000, 0.8),
        (None, 0, 0.5),
        (0.9, 60_000, 0.6),
        (0.1, 5000, 0.0),
        (1.0, None, 1.0),
    ],
)
def test_quality_score(confidence, latency_ms, expected):
    assert run(confidence=confidence, latency_ms=latency_ms).quality_score == pytest.approx(
        expected
    )


def test_a_run_without_guardrails_is_rejected():
    fields = run().model_dump(exclude={"guardrails"})
    with pytest.raises(ValidationError, match="guardrails"):
        PromptRun(**fields)
    with pytest.raises(ValidationError, match="at least one guardrail"):
        run(guardrails=())
