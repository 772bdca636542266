"""The directive: an instruction, whole, covering the idea."""

from __future__ import annotations

import re

from promptimp.quality.framing import request_of
from promptimp.quality.lexicon import coverage, key_terms, prefixes, words
from promptimp.quality.objects import foreign_objects
from promptimp.quality.reading import Reading
from promptimp.quality.report import Check
from promptimp.quality.sentences import ends_cut_off, starts_imperative

MIN_DIRECTIVE_WORDS = 5
DIRECTIVE_COVERAGE = 0.5
"""The least share of the idea's key terms the directive must cover..."""
CONTEXT_SPECIFICS = 2
"""...unless it names at least one of them and this many of the context's own key terms (a
directive that restates a vague idea through the specifics the context gives)."""
HELP_OPENER = re.compile(
    r"^\W*(?:please\s+)?(?:help\s+me\s+with|help\s+with|i\s+need\s+help\s+with|"
    r"ay[uú]dame\s+con|necesito\s+ayuda\s+con)\b",
    re.I,
)
"""'Help me with ...' / 'Ayúdame con ...': an opener that names no task of its own."""
PASTE_FILLER = 3
"""Words besides the idea an opener's sentence may hold and still be the idea pasted."""


def check_directive(reading: Reading) -> list[Check]:
    """The directive is an imperative, whole, and covers the idea's key terms."""
    directive = reading.directive
    imperative = starts_imperative(directive)
    checks = [
        Check(
            "directive is an instruction",
            imperative and len(directive.split()) >= MIN_DIRECTIVE_WORDS,
            "the directive starts with what to do"
            if imperative and len(directive.split()) >= MIN_DIRECTIVE_WORDS
            else f"the directive {directive[:60]!r} is not an instruction of "
            f"{MIN_DIRECTIVE_WORDS}+ words starting with a verb",
        )
    ]
    whole = not _repeats_idea(reading) and not ends_cut_off(directive)
    checks.append(
        Check(
            "directive is whole",
            whole,
            "the directive is a whole task, not the idea repeated"
            if whole
            else "the directive is the idea's own words or ends mid-sentence",
        )
    )
    share, specifics = directive_coverage(reading)
    covered = on_task(share, specifics)
    checks.append(
        Check(
            "directive covers the idea",
            covered,
            f"the directive covers {share:.0%} of the idea's key terms"
            + (f" and {specifics} of the context's" if specifics else ""),
            value=max(share, DIRECTIVE_COVERAGE) if covered else share,
        )
    )
    things = foreign_objects(directive, f"{reading.idea}\n{reading.context}")
    checks.append(
        Check(
            "directive asks for the idea's objects",
            not things,
            "the directive asks only for what the idea mentions or implies"
            if not things
            else f"the directive asks for {things[0]}, which the idea never mentions",
        )
    )
    return checks


def _repeats_idea(reading: Reading) -> bool:
    """The directive is the idea cut short, or the idea pasted after an opener that names no
    task ('Help me with this situation: <the idea>. ...'): the opener's sentence holds the
    idea's words in a row and at most PASTE_FILLER others."""
    idea_words, directive_words = words(reading.idea), words(reading.directive)
    if directive_words and idea_words[: len(directive_words)] == directive_words:
        return True
    opened = HELP_OPENER.match(reading.directive)
    if not opened:
        return False
    sentence = words(re.split(r"[.!?]\s", reading.directive[opened.end() :] + " ")[0])
    idea = request_of(reading.idea)
    for asked in (idea_words, words(idea), words(HELP_OPENER.sub("", idea))):
        size = len(asked)
        if size and len(sentence) - size <= PASTE_FILLER:
            runs = (sentence[at : at + size] for at in range(len(sentence) - size + 1))
            if asked in runs:
                return True
    return False


def directive_coverage(reading: Reading) -> tuple[float, int]:
    """The share of the idea's key terms the directive covers, and how many key terms of the
    context alone it names."""
    found = prefixes(reading.directive)
    share = coverage(reading.idea_terms, found)
    specifics = len((key_terms(reading.context) - reading.idea_terms) & found)
    return (1.0 if share is None else share), specifics


def on_task(share: float, specifics: int) -> bool:
    """Whether a directive with this coverage is about the idea."""
    return share >= DIRECTIVE_COVERAGE or (share > 0 and specifics >= CONTEXT_SPECIFICS)
