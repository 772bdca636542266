"""ui.text: plurals, Markdown escaping and a word diff as Markdown, without Streamlit."""

import pytest

from promptimp.crafting.diff import word_diff
from promptimp.text import plural
from ui.text import diff_markdown, escape_markdown


def test_escaping_covers_html_markdown_and_directives():
    assert escape_markdown("<b>x</b> **y** :red[z] $w$") == (
        "\\<b\\>x\\<\\/b\\> \\*\\*y\\*\\* \\:red\\[z\\] \\$w\\$"
    )
    assert escape_markdown("plain words") == "plain words"


def test_diff_markdown_marks_changes_and_keeps_new_line_breaks():
    diff = word_diff("a <i>b</i>\nc", "a x\nc")
    assert diff_markdown(diff) == (
        "a :red-background[~~\\<i\\>b\\<\\/i\\>~~] :green-background[x]  \nc"
    )


def test_identical_texts_have_no_marks():
    diff = word_diff("same text", "same text")
    assert (diff.added, diff.removed, diff.similarity) == (0, 0, 1.0)
    assert diff_markdown(diff) == "same text"


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, "0 runs"), (1, "1 run"), (2, "2 runs"), (1204, "1,204 runs")],
)
def test_plural_agrees_with_the_count(count, expected):
    assert plural(count, "run") == expected


def test_plural_takes_an_irregular_plural():
    assert plural(3, "body", "bodies") == "3 bodies"
