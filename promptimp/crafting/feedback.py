"""Feedback on a version: its checks and the quick choices (no DSPy, so pages load fast)."""

from __future__ import annotations

from promptimp.models import InputError
from promptimp.text import is_valid_unicode, strip_control, visible_length

MAX_FEEDBACK_CHARS = 2000
QUICK_FEEDBACK: tuple[str, ...] = (
    "Shorter",
    "More specific",
    "Add a guardrail about security",
    "More formal",
    "Simpler words",
)
"""Feedback a person can pick with one click."""


def validate_feedback(text: str) -> str:
    """The feedback without control characters and outer whitespace, or InputError."""
    if text and not is_valid_unicode(text):
        raise InputError.invalid_unicode("feedback")
    feedback = strip_control(text or "").strip()
    if visible_length(feedback) < 1:
        raise InputError("The feedback is empty; say what to change, e.g. 'Shorter'.")
    if len(feedback) > MAX_FEEDBACK_CHARS:
        raise InputError(
            f"The feedback is {len(feedback):,} characters; the limit is {MAX_FEEDBACK_CHARS:,}."
        )
    return feedback
