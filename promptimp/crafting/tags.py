"""Tags: one normal form for what a person types ('In Production ' -> 'in-production')."""

from __future__ import annotations

import re
import unicodedata

from promptimp.models import InputError

MAX_TAG_CHARS = 40
QUICK_TAGS: tuple[str, ...] = ("tested", "production", "good")
"""Tags a person can pick with one click."""
_ALLOWED = re.compile(r"[\w.-]+")
_WHITESPACE = re.compile(r"\s+")


def normalise_tag(text: str) -> str:
    """`text` stripped, lowercased, inner whitespace as '-'; InputError saying what to fix.

    A tag is 1 to MAX_TAG_CHARS letters, digits, '-', '_' or '.'.
    """
    tag = unicodedata.normalize("NFC", text or "").strip()
    if not tag:
        raise InputError("The tag is blank; type a word such as 'tested'.")
    if any(unicodedata.category(char) in ("Cc", "Cs") for char in tag):
        raise InputError("The tag contains control characters or invalid text; remove them.")
    tag = _WHITESPACE.sub("-", tag.lower())
    if len(tag) > MAX_TAG_CHARS:
        raise InputError(f"The tag is {len(tag)} characters; the limit is {MAX_TAG_CHARS}.")
    if not _ALLOWED.fullmatch(tag):
        bad = "".join(sorted(set(_ALLOWED.sub("", tag))))
        raise InputError(
            f"The tag may hold only letters, digits, '-', '_' and '.'; remove {bad!r}."
        )
    return tag
