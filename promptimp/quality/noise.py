"""Noise in the fields a model writes, one check per kind, and injection echoes."""

from __future__ import annotations

import re
from collections.abc import Iterable

from promptimp.models import FRAMEWORKS
from promptimp.quality.lexicon import (
    IMPERATIVES,
    TOKEN,
    is_real_word,
    key_terms,
    plain,
    words,
)
from promptimp.quality.patterns import (
    CAMEL,
    CAMEL_PART,
    COMMON_COMPOUNDS,
    DESIGNATION,
    DOMAIN,
    FILE_NAME,
    FRAMEWORK_WORDS,
    INJECTION_ECHO,
    KEY_VALUE,
    KNOWN_CAMEL,
    LITERALS,
    LONG_DIGITS,
    MEASURE,
    NUMBER,
    NUMBER_TUPLE,
    PLACEHOLDERS,
    PROGRAM_WORDS,
    SLUG,
    TECH_JS,
    TIMESTAMP,
    URL,
    WELL_KNOWN_FILES,
)
from promptimp.quality.reading import Reading
from promptimp.quality.report import Check
from promptimp.quality.trades import idea_trades

MAX_NEW_NUMBERS = 2
"""A field may hold at most this many distinct numbers that the idea and context do not,
besides measures, designations and the numbers of the idea's domain."""
_SOFTWARE_NUMBERS = """22 25 53 80 443 3000 5432 6379 8000 8080 200 201 204 301 302 304 400 401
403 404 409 422 429 500 502 503 504"""
SOFTWARE_NUMBERS = frozenset(_SOFTWARE_NUMBERS.split())
"""Well-known ports and HTTP status codes, usual in a software idea's prompt."""
MATH_WORDS = frozenset(
    plain("fraction fractions fracción fracciones math maths arithmetic aritmética").split()
)
SMALL_NUMBERS = frozenset(str(n) for n in range(13))
"""Numbers a maths lesson uses freely ('1/8 is bigger than 1/4')."""
NOISE_CHECKS: dict[str, tuple[str, str]] = {
    "digits": ("no timestamps or digit runs", "digit noise"),
    "files": ("no file names, domains or URLs", "a file name, domain or URL"),
    "key_values": ("no key: value lists", "a key: value list"),
    "glued": ("no glued words", "glued words"),
    "slugs": ("no slugs", "a slug"),
    "program": ("no program words or placeholders", "the program's own words"),
}


def check_noise(reading: Reading) -> list[Check]:
    """One check per kind of noise, naming what was found."""
    found = _noise(reading)
    checks = []
    for kind, (name, what) in NOISE_CHECKS.items():
        items = found.get(kind, [])
        checks.append(Check(name, not items, f"{what}: {items[0]!r}" if items else f"no {what}"))
    echo = INJECTION_ECHO.search(reading.prompt) or any(
        INJECTION_ECHO.search(text) for _, text in reading.prose
    )
    echoed = echo.group(0) if isinstance(echo, re.Match) else "an injection-like phrase"
    checks.append(
        Check(
            "no injection echo",
            not echo,
            "no 'as an AI' or 'hard rules' echo" if not echo else f"echoes {echoed!r}",
        )
    )
    return checks


def _noise(reading: Reading) -> dict[str, list[str]]:
    """Noise found in the model's fields, by kind (things the idea and context do not hold)."""
    found: dict[str, list[str]] = {kind: [] for kind in NOISE_CHECKS}
    given = reading.given
    usual = set(NUMBER.findall(given)) | _domain_numbers(reading)
    for _name, text in reading.prose:
        digits = TIMESTAMP.findall(text) + LONG_DIGITS.findall(text) + NUMBER_TUPLE.findall(text)
        bare = DESIGNATION.sub(" ", MEASURE.sub(" ", text))
        new_numbers = set(NUMBER.findall(bare)) - usual
        if len(new_numbers) > MAX_NEW_NUMBERS:
            digits.append(", ".join(sorted(new_numbers)))
        found["digits"].extend(_not_given(digits, given))
        files = [
            name
            for name in (m.group(0) for m in FILE_NAME.finditer(text))
            if "." in name and not TECH_JS.match(name) and name.lower() not in WELL_KNOWN_FILES
        ]
        files += [m.group(0) for m in DOMAIN.finditer(text)] + URL.findall(text)
        found["files"].extend(_not_given(files, given))
        pairs = KEY_VALUE.findall(text) + LITERALS.findall(text)
        if len(pairs) >= 2 or LITERALS.search(text):
            found["key_values"].append(text[:60])
        glued = [
            token
            for token in (raw.strip(".,;:()\"'") for raw in TOKEN.findall(text))
            if any(_glued(part, reading) for part in token.split("-"))
        ]
        found["glued"].extend(_not_given(glued, given))
        slugs = [
            slug
            for slug in SLUG.findall(text)
            if slug not in COMMON_COMPOUNDS and slug.lower() not in FRAMEWORKS and _sluglike(slug)
        ]
        found["slugs"].extend(_not_given(slugs, given))
        leaks = [m.group(0) for m in PROGRAM_WORDS.finditer(text)]
        leaks += [m.group(0) for m in FRAMEWORK_WORDS.finditer(text)]
        leaks += [m.group(0) for m in PLACEHOLDERS.finditer(text)]
        found["program"].extend(_not_given(leaks, given))
    prompt = reading.prompt.replace(reading.context, "") if reading.context else reading.prompt
    found["files"].extend(_not_given(URL.findall(prompt) + DOMAIN.findall(prompt), given))
    leaks = [m.group(0) for m in PROGRAM_WORDS.finditer(prompt)]
    found["program"].extend(leaks + [m.group(0) for m in PLACEHOLDERS.finditer(prompt)])
    return found


def _not_given(tokens: Iterable[str], given: str) -> list[str]:
    return [token for token in tokens if plain(token) not in given]


def _domain_numbers(reading: Reading) -> set[str]:
    """Numbers the idea's domain uses: ports and status codes in software, small numbers in a
    maths lesson."""
    usual = set(SOFTWARE_NUMBERS) if "software" in idea_trades(reading) else set()
    if MATH_WORDS & set(words(reading.given)):
        usual |= SMALL_NUMBERS
    return usual


def _glued(token: str, reading: Reading) -> bool:
    """Words run together ('useFastAPIwithFet'): camel case that is no well-known name, no
    real word, and not a name made of the idea's own words ('RateLimit' for rate limiting)."""
    if not CAMEL.search(token) or plain(token) in KNOWN_CAMEL or is_real_word(token):
        return False
    parts = CAMEL_PART.findall(token)
    made_of_given = "".join(parts) == token and all(
        key_terms(part) and key_terms(part) <= reading.source_prefixes for part in parts
    )
    return not made_of_given


def _sluglike(token: str) -> bool:
    """A hyphenated run that is not an English compound ('two-year-old'): it starts with a
    verb ('use-static-cache'), has a part that is no word, or runs to four parts or more."""
    parts = token.split("-")
    return (
        parts[0] in IMPERATIVES
        or len(parts) >= 4
        or not all(part.isdigit() or is_real_word(part) for part in parts)
    )
