"""normalise_tag: one normal form, and a one-line error naming what to fix."""

import re

import pytest

from promptimp.crafting.tags import MAX_TAG_CHARS, QUICK_TAGS, normalise_tag
from promptimp.models import InputError


@pytest.mark.parametrize(
    ("typed", "tag"),
    [
        ("tested", "tested"),
        ("  In Production ", "in-production"),
        ("Ready   for  review", "ready-for-review"),
        ("v1.2_final", "v1.2_final"),
        ("Café", "café"),
        ("Cafe\u0301", "café"),  # a decomposed accent is the same tag
        ("x" * MAX_TAG_CHARS, "x" * MAX_TAG_CHARS),
    ],
)
def test_tags_are_stripped_lowercased_and_joined_by_dashes(typed, tag):
    assert normalise_tag(typed) == tag


def test_quick_tags_are_already_normal():
    assert [normalise_tag(tag) for tag in QUICK_TAGS] == list(QUICK_TAGS)
    assert {"tested", "production", "good"} <= set(QUICK_TAGS)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "The tag is blank"),
        ("   \n ", "The tag is blank"),
        ("bad\x00tag", "control characters"),
        ("esc\x1b[31m", "control characters"),
        ("tab\there", "control characters"),
        ("lone\ud800", "control characters or invalid text"),
        ("x" * (MAX_TAG_CHARS + 1), f"41 characters; the limit is {MAX_TAG_CHARS}"),
        ("ready!", "remove '!'"),
        ("a/b#c", "remove '#/'"),
        ("zero\u200bwidth", "remove '\\u200b'"),  # an invisible character is shown escaped
    ],
)
def test_bad_tags_get_one_line_naming_what_to_fix(typed, message):
    with pytest.raises(InputError, match=re.escape(message)) as caught:
        normalise_tag(typed)
    assert "\n" not in str(caught.value)
