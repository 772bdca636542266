"""The role: a profession, specific, from the idea's trade."""

from __future__ import annotations

from collections.abc import Iterable

from promptimp.quality.lexicon import STEM_CHARS, key_terms, words
from promptimp.quality.objects import foreign_objects
from promptimp.quality.patterns import PROGRAM_WORDS
from promptimp.quality.reading import Reading
from promptimp.quality.report import Check
from promptimp.quality.trades import (
    BROAD_PROFESSIONS,
    FITTING_TRADES,
    GENERIC_ROLE,
    GENERIC_WORDS,
    TRADE_ROLES,
    idea_trades,
)

_ROLE_TERM_STOPS = frozenset(term[:STEM_CHARS] for term in GENERIC_WORDS)


def _with_masculine_forms(role_words: Iterable[str]) -> set[str]:
    """The words, plus the masculine form of Spanish feminine ones ('panadera' -> 'panadero',
    'moderadora' -> 'moderador'), so the profession lists need each trade only once."""
    found = set(role_words)
    for word in list(found):
        if word.endswith("ora"):
            found.add(word[:-1])
        elif word.endswith("a") and len(word) > 4:
            found.add(word[:-1] + "o")
    return found


def check_role(reading: Reading) -> list[Check]:
    """The role is a profession, specific, and from the idea's trade."""
    role_words = _with_masculine_forms(words(reading.role))
    trades = [trade for trade, nouns in TRADE_ROLES.items() if role_words & nouns]
    broad = bool(role_words & BROAD_PROFESSIONS)
    is_profession = bool(trades) or broad
    checks = [
        Check(
            "role is a profession",
            is_profession and not GENERIC_ROLE.search(reading.role),
            "the role names an expert"
            if is_profession and not GENERIC_ROLE.search(reading.role)
            else f"the role {reading.role!r} names no expert (a generic helper or no profession)",
        )
    ]
    qualifiers = {
        word
        for word in words(reading.role)
        if word not in GENERIC_WORDS
        and not any(word in nouns for nouns in TRADE_ROLES.values())
        and word not in BROAD_PROFESSIONS
        and word.isalpha()
        and not PROGRAM_WORDS.search(reading.role)
    }
    specific = bool(qualifiers) and not GENERIC_ROLE.search(reading.role)
    checks.append(
        Check(
            "role is specific",
            specific,
            "the role says which kind of expert"
            if specific
            else f"the role {reading.role!r} is generic: it says nothing about the field",
        )
    )
    served = idea_trades(reading)
    shares_terms = bool(key_terms(reading.role) - _ROLE_TERM_STOPS & reading.source_prefixes)
    fitting = (
        not trades
        or not served
        or shares_terms
        or any(FITTING_TRADES[trade] & served for trade in trades)
    )
    checks.append(
        Check(
            "role fits the idea's trade",
            fitting,
            "the role's trade fits the idea"
            if fitting
            else f"the role is a {'/'.join(trades)} trade, the idea is about "
            f"{'/'.join(sorted(served))}",
        )
    )
    things = foreign_objects(reading.role, f"{reading.idea}\n{reading.context}")
    checks.append(
        Check(
            "role is about the idea's objects",
            not things,
            "the role's speciality is something the idea mentions or implies"
            if not things
            else f"the role specialises in {things[0]}, which the idea never mentions",
        )
    )
    return checks
