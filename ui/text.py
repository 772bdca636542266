"""Text helpers for pages, free of Streamlit: Markdown escaping, word diffs shown."""

from __future__ import annotations

import re
import string

from promptimp.crafting.diff import WordDiff

_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")


def escape_markdown(text: str) -> str:
    """`text` with every ASCII punctuation mark backslash-escaped.

    CommonMark treats an escaped mark as a literal character, so Markdown, HTML tags,
    entities and Streamlit's `:color[...]` directives in `text` all show as typed.
    """
    return _PUNCTUATION.sub(r"\\\1", text)


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
