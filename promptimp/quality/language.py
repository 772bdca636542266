"""The language: the idea's, in real words, without loops."""

from __future__ import annotations

import re

from promptimp.quality.lexicon import correct_spelling, is_real_word, language_of, plain
from promptimp.quality.reading import Reading
from promptimp.quality.report import Check
from promptimp.quality.sentences import circles

NON_WORD_SHARE = 0.12
"""The largest share of non-words the prose may hold."""
FIELD_NON_WORDS = 3
"""A field with this many lower-case non-words fails the real-words check."""


def check_language(reading: Reading) -> list[Check]:
    """The fields speak the idea's language, in real words that do not loop."""
    text = " ".join(text for _, text in reading.prose)
    written = language_of(text)
    checks = [
        Check(
            "idea's language",
            written == reading.language,
            f"written in {written}, the idea is in {reading.language}"
            if written != reading.language
            else f"written in the idea's language ({written})",
        )
    ]
    candidates = [
        word
        for word in re.findall(r"[^\W\d_]{3,}", text)
        if plain(word) not in reading.given and not word.isupper()
    ]
    unknown = [word for word in candidates if not is_real_word(word)]
    share = len(unknown) / len(candidates) if candidates else 0.0
    crowded = any(
        sum(
            1
            for word in re.findall(r"\b[a-z]{3,}\b", field_text)
            if word not in reading.given and not is_real_word(word)
        )
        >= FIELD_NON_WORDS
        for _, field_text in reading.prose
    )
    checks.append(
        Check(
            "real words",
            share <= NON_WORD_SHARE and not crowded,
            f"{share:.0%} non-words" + (f" (e.g. {unknown[0]!r})" if unknown else ""),
            value=1.0 - min(1.0, share / (2 * NON_WORD_SHARE)),
        )
    )
    misspelt = copied_misspellings(reading)
    checks.append(
        Check(
            "no misspelt words",
            not misspelt,
            "no misspelt word of the idea is copied"
            if not misspelt
            else f"{misspelt[0]!r} is copied from the idea misspelt "
            f"({correct_spelling(misspelt[0])!r})",
        )
    )
    loops = [name for name, field_text in reading.prose if circles(field_text)]
    checks.append(
        Check(
            "no word loops",
            not loops,
            "no field circles on the same words"
            if not loops
            else f"the {loops[0]} circles on the same words",
        )
    )
    return checks


def copied_misspellings(reading: Reading) -> list[str]:
    """The idea's misspelt words ("reserch", "fucntion") that the prose repeats: the real-words
    check lets the idea's own words through, but a person would fix these before pasting."""
    idea_words = set(re.findall(r"[^\W\d_]+", reading.idea.lower()))
    prose = " ".join(text for _, text in reading.prose)
    found = (word.lower() for word in re.findall(r"[^\W\d_]+", prose))
    return list(dict.fromkeys(w for w in found if w in idea_words and correct_spelling(w)))
