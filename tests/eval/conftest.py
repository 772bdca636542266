"""Fixtures for the evaluation tests: the devset, a canned answer and a DummyLM service."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import dspy
import pytest
from dspy.utils import DummyLM

from promptimp.service import ImproveService
from promptimp.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # `ui` and `pages` sit next to app.py
    sys.path.insert(0, str(ROOT))
DEVSET = ROOT / "data" / "devset.jsonl"
TRAINSET = ROOT / "data" / "trainset.jsonl"

ANSWER = {
    "role": "Backend engineer specialising in GraphQL schema design",
    "directive": "Design a GraphQL schema for a blog platform with posts, comments and authors.",
    "framework": "decomposition",
    "guardrails": [
        "Use cursor connections for posts and comments",
        "Batch author lookups with DataLoader",
        "Limit query depth",
    ],
    "reasoning": "A schema splits naturally into types, queries and mutations.",
    "confidence": 0.8,
    "improved_prompt": "You are a backend engineer specialising in GraphQL schema design. "
    "Design a GraphQL schema for a blog platform with posts, comments and authors.",
}


def build_service(db_path: Path, answers: list[dict] | None = None, **overrides) -> ImproveService:
    """An ImproveService on DummyLM (chat format) and a SQLite file at `db_path`."""
    defaults = {
        "LLM_PROVIDER": "openai",
        "LLM_MODEL": "test-model",
        "SQLITE_DB_PATH": str(db_path),
        "DSPY_FEWSHOT_TRAINSET_PATH": str(TRAINSET),
        "DSPY_FEWSHOT_COMPILED_PATH": str(db_path.parent / "no-compiled-program.json"),
    }
    settings = Settings(**{**defaults, **overrides})
    lm = DummyLM(answers if answers is not None else [ANSWER] * 50)
    return ImproveService(settings, lm=lm, adapter=dspy.ChatAdapter())


@pytest.fixture
def make_service() -> Callable[..., ImproveService]:
    """`make_service(db_path, answers=None, **settings)` builds a DummyLM service."""
    return build_service


@pytest.fixture
def service(db_path) -> ImproveService:
    return build_service(db_path)


@pytest.fixture
def devset() -> Path:
    return DEVSET


@pytest.fixture
def answer() -> dict:
    """What the fake model answers by default."""
    return ANSWER
