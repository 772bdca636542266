"""Choosing "a" or "an" by how a phrase starts."""

import pytest

from promptimp.text import indefinite_article


@pytest.mark.parametrize(
    ("phrase", "article"),
    [
        ("editor", "an"),
        ("usability test script", "a"),
        ("user research plan", "a"),
        ("umbrella policy", "an"),
        ("UX researcher", "a"),
        ("AWS architect", "an"),
        ("one-page summary", "a"),
        ("senior engineer", "a"),
    ],
)
def test_indefinite_article_follows_the_sound(phrase, article):
    assert indefinite_article(phrase) == article
