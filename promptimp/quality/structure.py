"""The structure the template assembly guarantees: reported, never weighted."""

from __future__ import annotations

from promptimp.models import FRAMEWORKS
from promptimp.quality.lexicon import coverage, key_terms, prefixes
from promptimp.quality.reading import Reading
from promptimp.quality.report import Check


def check_structure(reading: Reading) -> list[Check]:
    """The parts are there and the prompt holds them (guaranteed by the template)."""
    known = reading.framework in FRAMEWORKS
    holds = bool(reading.prompt) and all(
        (coverage(key_terms(text), prefixes(reading.prompt)) or 1.0) >= 0.8
        for _, text in reading.prose
    )
    return [
        Check(
            "known framework",
            known,
            f"framework {reading.framework!r}",
            structural=True,
        ),
        Check(
            "prompt holds every part",
            holds,
            "the prompt states the role, task and every guardrail"
            if holds
            else "the prompt leaves out a part",
            structural=True,
        ),
    ]
