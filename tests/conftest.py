"""Shared fixtures: a database path in a tmp dir and a PromptRun factory."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from promptimp.models import BackendType, PromptRun


@pytest.fixture
def db_path(tmp_path):
    """Where a test's history database lives (the file does not exist yet)."""
    return tmp_path / "data" / "history.db"


@pytest.fixture
def make_run() -> Callable[..., PromptRun]:
    """`make_run(**overrides)` builds a valid PromptRun; overrides replace any field."""

    def make(**overrides: object) -> PromptRun:
        fields: dict[str, object] = {
            "original_idea": "Design a REST API for user management",
            "context": "Small team, Python backend",
            "improved_prompt": "You are a senior API architect. Design the endpoints.",
            "role": "Senior API architect",
            "directive": "Design the endpoints for user management",
            "framework": "decomposition",
            "guardrails": ("Use REST conventions", "Cover errors", "Version the API"),
            "backend": BackendType.ZERO_SHOT,
            "confidence": 0.8,
            "reasoning": "The idea names a concrete deliverable.",
            "latency_ms": 1200,
            "model_version": "test-model",
        }
        fields.update(overrides)
        return PromptRun(**fields)

    return make
