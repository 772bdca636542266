"""Word overlap between ideas: content words, Jaccard similarity and near-duplicate pairs.

Content words are the words of the text as the quality checks read them (promptimp.quality's
lexicon: lower-cased, accents folded, split on anything that is not a letter or digit, without
its English and Spanish stop words, with plural and -ing/-ed endings stemmed away). Two ideas are
near-duplicates when the Jaccard similarity of their content-word sets, |A & B| / |A | B|, is
at least NEAR_DUPLICATE: "Write unit tests for my Python function" and "write unit test for a
python functions" share every content word (1.0), while two ideas on one topic worded
differently share few of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import product

from promptimp.quality.lexicon import STOP_WORDS, stem, words

NEAR_DUPLICATE = 0.6


def content_words(text: str) -> list[str]:
    """The content words of `text`, in order (repeats kept)."""
    return [stem(word) for word in words(text) if word not in STOP_WORDS]


def similarity(first: str, second: str) -> float:
    """Jaccard similarity of the two texts' content-word sets (1.0 when both have none)."""
    a, b = set(content_words(first)), set(content_words(second))
    return len(a & b) / len(a | b) if a | b else 1.0


def near_duplicates(ideas: Iterable[str], others: Iterable[str]) -> list[tuple[str, str, float]]:
    """Every (idea, other, similarity) pair at or above NEAR_DUPLICATE."""
    pairs = ((a, b, similarity(a, b)) for a, b in product(list(ideas), list(others)))
    return [pair for pair in pairs if pair[2] >= NEAR_DUPLICATE]
