"""Word diffs: how one text, or one version of a run, differs from another (pure)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from promptimp.models import PromptRun

_TOKENS = re.compile(r"\n|[^\s]+")
PARTS: tuple[str, ...] = ("role", "directive", "framework", "guardrails", "improved_prompt")
"""The parts of a run a version can change, in the order a person reads them."""


@dataclass(frozen=True)
class WordDiff:
    """How the second text differs from the first, word by word."""

    chunks: tuple[tuple[str, tuple[str, ...]], ...]  # ("=" | "-" | "+", words); "\n" = break
    similarity: float

    @property
    def added(self) -> int:
        return self._count("+")

    @property
    def removed(self) -> int:
        return self._count("-")

    def _count(self, op: str) -> int:
        return sum(w != "\n" for kind, words in self.chunks if kind == op for w in words)


def word_diff(old: str, new: str) -> WordDiff:
    """The word-level diff turning `old` into `new` (line breaks are kept as tokens)."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    chunks: list[tuple[str, tuple[str, ...]]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            chunks.append(("=", tuple(a[i1:i2])))
        if tag in ("delete", "replace"):
            chunks.append(("-", tuple(a[i1:i2])))
        if tag in ("insert", "replace"):
            chunks.append(("+", tuple(b[j1:j2])))
    return WordDiff(tuple(chunks), round(matcher.ratio(), 3))


def changed_parts(old: PromptRun, new: PromptRun) -> list[str]:
    """The names of the parts (PARTS) that differ between two versions, in PARTS order."""
    return [part for part in PARTS if getattr(old, part) != getattr(new, part)]
