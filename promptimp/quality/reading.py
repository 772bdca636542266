"""What the checks read: one prompt's parts, the idea's terms and its language."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reading:
    """What the checks read: the parts, the idea's terms, and its language."""

    idea: str
    context: str
    role: str
    directive: str
    framework: str
    guardrails: tuple[str, ...]
    prompt: str
    given: str
    """The idea and context in plain lower case (what the prompt may quote)."""
    idea_terms: frozenset[str]
    source_prefixes: set[str]
    language: str

    @property
    def prose(self) -> list[tuple[str, str]]:
        """(name, text) of each field a model writes."""
        fields = [("role", self.role), ("directive", self.directive)]
        return fields + [(f"guardrail {n}", g) for n, g in enumerate(self.guardrails, 1)]
