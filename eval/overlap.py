"""Word overlap between ideas: content words, Jaccard similarity and near-duplicate pairs.

Content words are the text lower-cased, accents folded (á -> a), split on anything that is not
a letter or digit, without a small list of English and Spanish stopwords, and with a plural "s"
dropped from words longer than three letters. Two ideas are near-duplicates when the Jaccard
similarity of their content-word sets, |A & B| / |A | B|, is at least NEAR_DUPLICATE: "Write unit
tests for my Python function" and "write unit test for a python functions" share every content
word (1.0), while two ideas on one topic worded differently share few of them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from itertools import product

NEAR_DUPLICATE = 0.6
_STOPWORD_TEXT = (
    "a an and are as at be by can do for from how i in is it me my of on or our so some the "
    "this to we what with you your "
    "al como con de del el en es la las lo los mi mis para por que se su sus un una y"
)
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def content_words(text: str) -> list[str]:
    """The content words of `text`, in order (repeats kept)."""
    folded = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    words = (w for w in re.split(r"[^a-z0-9]+", folded) if w and w not in STOPWORDS)
    return [w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words]


def similarity(first: str, second: str) -> float:
    """Jaccard similarity of the two texts' content-word sets (1.0 when both have none)."""
    a, b = set(content_words(first)), set(content_words(second))
    return len(a & b) / len(a | b) if a | b else 1.0


def near_duplicates(ideas: Iterable[str], others: Iterable[str]) -> list[tuple[str, str, float]]:
    """Every (idea, other, similarity) pair at or above NEAR_DUPLICATE."""
    pairs = ((a, b, similarity(a, b)) for a, b in product(list(ideas), list(others)))
    return [pair for pair in pairs if pair[2] >= NEAR_DUPLICATE]
