"""Text hygiene: what counts as visible, what may be stored, and what may reach a terminal.

Stored text keeps tabs and newlines but no other control characters (NUL, ESC, BEL, DEL and
the C1 range); format characters such as zero-width spaces or direction marks are kept,
since emoji sequences and right-to-left text need them, but they do not count as visible.
"""

from __future__ import annotations

import re
import unicodedata

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_VISIBLE_CATEGORIES = frozenset("LNPS")


def strip_control(text: str) -> str:
    """`text` without control characters other than tab and newline (CRLF becomes LF)."""
    return _CONTROL.sub("", text.replace("\r\n", "\n"))


def visible_length(text: str) -> int:
    """How many characters a person sees: letters, digits, punctuation and symbols."""
    return sum(unicodedata.category(char)[0] in _VISIBLE_CATEGORIES for char in text)


def is_valid_unicode(text: str) -> bool:
    """False when `text` holds lone surrogates, which no file or database can store.

    Python represents the undecodable bytes of a command-line argument as lone surrogates,
    so this is also how invalid UTF-8 input shows.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def for_terminal(text: str) -> str:
    """`text` safe to print: control characters (but newlines and tabs) shown as escapes."""
    return _UNPRINTABLE.sub(lambda match: match.group().encode("unicode_escape").decode(), text)


def one_line_for_terminal(text: str) -> str:
    """`for_terminal` with newlines and tabs shown as escapes too (for table cells)."""
    return for_terminal(text).replace("\t", "\\t").replace("\n", "\\n")


def first_line(error: BaseException) -> str:
    """The first line of an error's message, or its type's name when it has none."""
    return (str(error).strip().splitlines() or [type(error).__name__])[0].strip()


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """`count` and the noun in the right number: "1 run", "2 runs", "1,204 runs"."""
    return f"{count:,} {noun if count == 1 else nouns or noun + 's'}"


_YOU_SOUND = re.compile(r"^(?:[uU][^aeiouAEIOU\W][aeiou]|[eE]u|[oO]ne\b|U[A-Z])")
"""Words that start with a "you" or "w" sound: a user, a unit, a euro, a one-page, a UX writer."""


def indefinite_article(phrase: str) -> str:
    """'a' or 'an' for `phrase` by how its first word sounds: an editor, a usability test,
    an umbrella, a UX researcher (spelling only; 'an hour' is not caught)."""
    if not phrase or phrase[0].lower() not in "aeiou":
        return "a"
    return "a" if _YOU_SOUND.match(phrase) else "an"
