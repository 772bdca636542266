"""Which domain of the library an idea belongs to.

Each domain is one document: its pack's key words, roles and guardrails in both languages, plus,
for few-shot, the ideas and contexts of its training examples (their answers' words blur the
domains: bench/retrieval_bench.py). An idea goes to the domain whose
document is nearest by cosine over TF-IDF of word stems (each word's English and Spanish Snowball
stems, accents folded, stop words dropped), so "fixtures" meets "fixture" and "sesión" meets
"sesiones" while "instant" no longer meets "instagram". The words
before the idea's first preposition name what to produce ("terms of service" in "terms of
service for a mobile game"), so they count twice.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import snowballstemmer
from sklearn.feature_extraction.text import TfidfVectorizer

from promptimp.compose.library import DomainLibrary
from promptimp.quality import STOP_WORDS, request_of, words

ENGLISH = snowballstemmer.stemmer("english")
SPANISH = snowballstemmer.stemmer("spanish")
STEM_CACHE_WORDS = 100_000
"""Distinct words whose stems are kept (the library holds about 10,000)."""

MODIFIER = re.compile(
    r"\b(?:for|in|with|on|about|to|from|using|at|para|en|con|sobre|desde|al)\b", re.IGNORECASE
)
"""A preposition: what follows it qualifies the thing asked for."""


def with_head_twice(request: str) -> str:
    """The request with the words before its first preposition (the thing asked for) repeated."""
    found = MODIFIER.search(request)
    return f"{request[: found.start()]}\n{request}" if found and found.start() else request


def content_words(text: str) -> list[str]:
    """`text`'s words without stop words and single letters."""
    return [word for word in words(text) if len(word) >= 2 and word not in STOP_WORDS]


def stems(text: str) -> list[str]:
    """Each content word's English and Spanish stems (what domains are compared on); an idea's
    language need not be known, and a Spanish idea's English loan words still match."""
    return [stem for word in content_words(text) for stem in stems_of_word(word)]


@lru_cache(maxsize=STEM_CACHE_WORDS)
def stems_of_word(word: str) -> tuple[str, str]:
    """A word's English and Spanish stems. Cached: the library's documents repeat their words,
    and stemming them all again was nearly all of a classifier's build time."""
    return ENGLISH.stemWord(word), f"es:{SPANISH.stemWord(word)}"


class DomainClassifier:
    """Callable (idea, context) -> (domain, similarity); read-only, safe to share."""

    def __init__(self, library: DomainLibrary, examples: Sequence[object] = ()) -> None:
        self.domains = library.domains
        documents = {pack.domain: [pack.document()] for pack in library}
        for example in examples:
            domain = example.get("domain") or ""
            if domain in documents:
                documents[domain].append(_example_text(example))
        self._vectorizer = TfidfVectorizer(analyzer=stems, sublinear_tf=True)
        self._matrix = self._vectorizer.fit_transform(
            ["\n".join(documents[domain]) for domain in self.domains]
        )

    def ranked(self, idea: str, context: str = "") -> list[tuple[str, float]]:
        """Every domain with its similarity to the idea, nearest first (ties: name order)."""
        query = self._vectorizer.transform([f"{with_head_twice(request_of(idea))}\n{context}"])
        scores = (self._matrix @ query.T).toarray().ravel()
        order = np.argsort(-scores, kind="stable")
        return [(self.domains[i], float(scores[i])) for i in order]

    def __call__(self, idea: str, context: str = "") -> tuple[str, float]:
        return self.ranked(idea, context)[0]


def _example_text(example: object) -> str:
    get = example.get  # dspy.Example and dict alike
    return f"{get('original_idea') or get('idea') or ''}\n{get('context') or ''}"
