"""Text helpers for pages, free of Streamlit: plurals, Markdown escaping, a word-level diff."""

from __future__ import annotations

import difflib
import re
import string
from dataclasses import dataclass

_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
_TOKENS = re.compile(r"\n|[^\s]+")


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """`count` and the noun in the right number: "1 run", "2 runs", "1,204 runs"."""
    return f"{count:,} {noun if count == 1 else nouns or noun + 's'}"


def escape_markdown(text: str) -> str:
    """`text` with every ASCII punctuation mark backslash-escaped.

    CommonMark treats an escaped mark as a literal character, so Markdown, HTML tags,
    entities and Streamlit's `:color[...]` directives in `text` all show as typed.
    """
    return _PUNCTUATION.sub(r"\\\1", text)


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


_STYLE = {"=": "{}", "-": ":red-background[~~{}~~]", "+": ":green-background[{}]"}


def diff_markdown(diff: WordDiff) -> str:
    """Markdown showing removed words struck out in red and added words in green.

    Every word is escaped, so the result renders both texts literally whatever they contain.
    Line breaks of the new text are kept; those only in the old text are dropped.
    """
    text = ""
    for op, words in diff.chunks:
        segment: list[str] = []
        for word in (*words, None):  # None flushes the last segment
            if word is not None and word != "\n":
                segment.append(escape_markdown(word))
                continue
            if segment:
                text += _STYLE[op].format(" ".join(segment)) + " "
                segment = []
            if word == "\n" and op != "-":
                text = text.rstrip(" ") + "  \n"
    return text.strip()
