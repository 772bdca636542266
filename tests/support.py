"""What many tests share: the fake model's answer and a service that uses it."""

from __future__ import annotations

import dspy
from dspy.utils import DummyLM

from promptimp.service import ImproveService
from promptimp.settings import Settings

ANSWER = {
    "role": "Senior backend engineer specialising in API design",
    "directive": "Design a versioned REST API for user management with CRUD endpoints.",
    "framework": "decomposition",
    "guardrails": ["Use plural nouns for resources", "Return RFC 7807 errors", "Never log tokens"],
    "reasoning": "An API design task benefits from splitting resources and operations.",
    "confidence": 0.82,
    "improved_prompt": "You are a senior backend engineer.\n\n## Task\nDesign a REST API.",
}
"""Every output field of the ImprovePrompt signature, as a strong provider would give them."""


def dummy_service(db_path, answers=None, **overrides) -> ImproveService:
    """A service on DummyLM (an API provider, so the full signature) storing in `db_path`."""
    settings = Settings(
        **{
            "LLM_PROVIDER": "openai",
            "LLM_MODEL": "test-model",
            "SQLITE_DB_PATH": str(db_path),
            **overrides,
        }
    )
    lm = DummyLM(answers if answers is not None else [ANSWER] * 20)
    return ImproveService(settings, lm=lm, adapter=dspy.ChatAdapter())
