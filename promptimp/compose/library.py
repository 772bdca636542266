"""The curated domain library: per domain and language, expert roles, guardrails, what a good
answer needs and what to ask for when the idea is vague (one JSON file per domain, data/domains/).

Roles, guardrails and sub-topic needs carry the key words that make them relevant;
`DomainPack.role_for`, `guardrails_for` and `needs_for` rank them against an idea's words, the
broad ones (no key words) last.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, Field, ValidationError

from promptimp.models import FRAMEWORKS, PromptImpError
from promptimp.quality import STOP_WORDS, words

LANGUAGES = ("en", "es")
BUNDLED_LIBRARY = Path(__file__).resolve().parents[2] / "data" / "domains"


class LibraryError(PromptImpError):
    """The domain library cannot be read; the message names the file."""


class Keyed(BaseModel):
    """A role or guardrail text with the key words that make it relevant (none: always)."""

    keywords: list[str] = Field(default_factory=list)
    requires: list[str] = Field(default_factory=list)
    """The languages, tools or platforms it is written for, one of which the idea must name
    (none: any): a Python testing role is no use for a Spring Boot test."""

    def matched(self, idea_terms: set[str]) -> list[str]:
        """Its key words (or phrases, every word of them) that the idea uses."""
        return [keyword for keyword in self.keywords if _named(keyword, idea_terms)]

    def hits(self, idea_terms: set[str]) -> int:
        """How strongly the idea calls for it: the distinct idea words among its matched key
        words ("formulario" and "formularios" are one), a phrase counting for each word; none
        when the idea names none of what it `requires`."""
        if self.requires and not any(_named(name, idea_terms) for name in self.requires):
            return 0
        return len({term[:5] for keyword in self.matched(idea_terms) for term in terms_of(keyword)})


class Role(Keyed):
    role: str = Field(min_length=3)


class Sentence(Keyed):
    """A whole sentence with key words: a guardrail, or what one kind of task needs."""

    text: str = Field(min_length=10)

    def overlap(self, idea_terms: set[str]) -> int:
        """How many of its own content words the idea also uses."""
        own = {tuple(terms_of(word)) for word in words(self.text) if word not in STOP_WORDS}
        return sum(all(term in idea_terms for term in stem) for stem in own if stem)

    def calls(self, idea_terms: set[str]) -> bool:
        """Whether the idea calls for this sub-topic rule: STRONG_HITS of its key words, or one
        key word and a word of the rule itself."""
        hits = self.hits(idea_terms)
        return hits >= STRONG_HITS or (hits == 1 and self.overlap(idea_terms) >= 1)


class Guardrail(Sentence):
    """A rule the answer can be checked against."""


class TaskNeed(Sentence):
    """What a good answer to one kind of task of the domain needs (a validation function, an
    incident report template), in place of the domain's broad `needs`."""


DOMAIN_RULES = 3
"""The domain's guardrails a prompt takes after the person's own rules: three, the least a prompt
needs. They are ranked by how strongly the idea calls for them, and in labeled outputs a fourth
was most often the one about another sub-topic (a combobox rule for a re-render problem)."""
STRONG_HITS = 2
"""Distinct idea words a role or guardrail's key words must meet to count as called for; one
word alone ("quarter", "vue") is often a coincidence."""
T = TypeVar("T")
Framework = Literal[FRAMEWORKS]


class PerLanguage(BaseModel, Generic[T]):
    """One value per language."""

    en: T
    es: T

    def get(self, language: str) -> T:
        return self.es if language == "es" else self.en


class DomainPack(BaseModel):
    """One domain's curated parts, in English and Spanish."""

    domain: str = Field(min_length=2)
    keywords: PerLanguage[list[str]]
    roles: PerLanguage[list[Role]]
    needs: PerLanguage[str]
    task_needs: PerLanguage[list[TaskNeed]] = Field(
        default_factory=lambda: PerLanguage(en=[], es=[])
    )
    """Sub-topic needs, each with key words; the one an idea calls for replaces `needs`."""
    ask_first: PerLanguage[str]
    guardrails: PerLanguage[list[Guardrail]]
    frameworks: list[Framework] = Field(default_factory=lambda: list(FRAMEWORKS))
    """The reasoning frameworks that suit the domain's tasks, the most usual first."""
    examples: PerLanguage[list[str]] = Field(default_factory=lambda: PerLanguage(en=[], es=[]))
    """Ideas of this domain as people type them (short, vague, misspelt): what the domain
    classifier learns everyday phrasing from."""

    def role_for(self, terms: set[str], language: str) -> str:
        """The specialist role the idea calls for with STRONG_HITS or more (the most hits
        first), else the domain's broad default role."""
        default, *specialists = self.roles.get(language)
        best = max(specialists, key=lambda role: role.hits(terms), default=None)
        return best.role if best and best.hits(terms) >= STRONG_HITS else default.role

    def needs_for(self, terms: set[str], language: str) -> str:
        """What a good answer needs: the sub-topic need the idea calls for (`Sentence.calls`,
        the most hits first), else the domain's broad need."""
        called = [need for need in self.task_needs.get(language) if need.calls(terms)]
        best = max(called, key=lambda need: (need.hits(terms), need.overlap(terms)), default=None)
        return best.text if best else self.needs.get(language)

    def guardrails_for(
        self, terms: set[str], language: str, count: int = DOMAIN_RULES
    ) -> list[str]:
        """`count` guardrails: the sub-topic ones the idea calls for (`Guardrail.calls`), most
        hits first, then the broad ones, those sharing the idea's words first; ties keep
        library order."""
        rules = self.guardrails.get(language)
        called = sorted(
            (rule for rule in rules if rule.keywords and rule.calls(terms)),
            key=lambda rule: (-rule.hits(terms), -rule.overlap(terms)),
        )
        broad = sorted(
            (rule for rule in rules if not rule.keywords), key=lambda rule: -rule.overlap(terms)
        )
        return [rule.text for rule in [*called, *broad][:count]]

    def document(self) -> str:
        """All of the pack's words in both languages: what an idea is matched against."""
        parts: list[str] = []
        for lang in LANGUAGES:
            parts += self.keywords.get(lang)
            parts += [role.role for role in self.roles.get(lang)]
            parts += [word for role in self.roles.get(lang) for word in role.keywords]
            parts += [rule.text for rule in self.guardrails.get(lang)]
            parts += [need.text for need in self.task_needs.get(lang)]
            parts += self.examples.get(lang)
        return "\n".join(parts)


STEM_RANGE = (5, 7)
"""A key word of five letters or more matches on its first len - 2 letters, within this range:
"fixture" meets "fixtures", "pagination" meets "paginate", "disculpa" does not meet "discurso"."""


def terms_of(keyword: str) -> list[str]:
    """A key word or phrase as idea terms: each word by its stem (STEM_RANGE), a word of up to
    four letters whole ("=auth" does not meet "authors")."""
    least, most = STEM_RANGE
    return [
        word[: max(least, min(most, len(word) - 2))] if len(word) >= least else f"={word}"
        for word in words(keyword)
    ]


def _named(keyword: str, idea_terms: set[str]) -> bool:
    """Whether the idea uses the key word or phrase (every word of it)."""
    return bool(terms := terms_of(keyword)) and all(term in idea_terms for term in terms)


def idea_terms(*texts: str) -> set[str]:
    """What key words match in the texts: each word's first five to seven letters, and each
    word of up to five letters whole (marked "=", also without a plural "s": "apis")."""
    least, most = STEM_RANGE
    found: set[str] = set()
    for word in words(" ".join(texts)):
        found.update(word[:n] for n in range(least, most + 1) if len(word) >= n)
        if len(word) <= least:
            found.add(f"={word}")
            if word.endswith("s"):
                found.add(f"={word[:-1]}")
    return found


@dataclass(frozen=True)
class DomainLibrary:
    """Every domain's pack, by domain name, in name order."""

    packs: dict[str, DomainPack]

    def __getitem__(self, domain: str) -> DomainPack:
        return self.packs[domain]

    def __iter__(self):
        return iter(self.packs.values())

    def __len__(self) -> int:
        return len(self.packs)

    @property
    def domains(self) -> list[str]:
        return list(self.packs)


def load_library(folder: str | Path = "") -> DomainLibrary:
    """The packs of every `*.json` file in `folder` (empty: the bundled library); LibraryError
    names a bad or missing file."""
    return _load_library(str(Path(folder or BUNDLED_LIBRARY).resolve()))


@lru_cache(maxsize=4)
def _load_library(folder: str) -> DomainLibrary:
    files = sorted(Path(folder).glob("*.json"))
    if not files:
        raise LibraryError(f"The domain library {folder} has no domain files (*.json).")
    packs = {pack.domain: pack for pack in map(_read_pack, files)}
    if len(packs) < 2:
        raise LibraryError(
            f"The domain library {folder} has one domain; an idea is placed among two or more."
        )
    return DomainLibrary(packs)


def _read_pack(path: Path) -> DomainPack:
    try:
        return DomainPack.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError) as error:
        raise LibraryError(f"Cannot read domain file {path}: {error}.") from None
    except json.JSONDecodeError as error:
        raise LibraryError(f"{path}: invalid JSON ({error.msg} at line {error.lineno}).") from None
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise LibraryError(f"{path}: {where}: {first['msg']}.") from None
