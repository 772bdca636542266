"""The prompt library: Markdown whose structure no run's text can break, and JSON."""

import json
from datetime import UTC, datetime

from markdown_it import MarkdownIt

from promptimp.crafting.library import (
    MAX_TITLE_CHARS,
    escape_markdown,
    render_json,
    render_markdown,
)

HOSTILE_IDEA = "# Not a heading ```python\nprint('x')``` and `code`, *stars*, [a](b) <b>hi</b> ##"
HOSTILE_PROMPT = "You are an engineer.\n\n```\nfenced inside\n```\n\n````also four````\n# done"
WHEN = datetime(2026, 3, 4, 5, 6, tzinfo=UTC)


def keepers(make_run):
    return [
        make_run(
            id=11,
            original_idea=HOSTILE_IDEA,
            improved_prompt=HOSTILE_PROMPT,
            role="Senior `shell` expert | <admin>",
            directive="1. Do this\n- and that\n> quoted",
            guardrails=("Never run `rm -rf /`", "Use **no** HTML <script>", "Escape _all_ input"),
            tags=("production", "tested"),
            timestamp=WHEN,
            keeper=True,
        ),
        make_run(id=12, tags=(), timestamp=WHEN, keeper=True),
    ]


def rendered_text(token) -> str:
    """What a reader sees of an inline token: its text and code spans, marks unapplied."""
    return "".join(
        child.content for child in token.children if child.type in ("text", "code_inline")
    )


def test_markdown_has_one_section_per_prompt_whatever_their_text(make_run):
    runs = keepers(make_run)
    tokens = MarkdownIt("commonmark").parse(render_markdown(runs))
    headings = [
        (token.tag, tokens[index + 1].content)
        for index, token in enumerate(tokens)
        if token.type == "heading_open"
    ]
    assert [tag for tag, _ in headings] == ["h1", "h2", "h2"]
    fences = [token.content for token in tokens if token.type == "fence"]
    assert fences == [f"{run.improved_prompt}\n" for run in runs]
    inline = [token for token in tokens if token.type == "inline"]
    assert rendered_text(inline[1]) == " ".join(HOSTILE_IDEA.split())
    kinds = {token.type for token in tokens}
    assert not kinds & {"html_block", "blockquote_open", "ordered_list_open", "code_block"}
    assert not any(
        child.type in ("html_inline", "link_open", "em_open", "strong_open")
        for token in inline[:1] + inline[1:2]
        for child in token.children
    )


def test_markdown_lists_every_part_of_a_prompt(make_run):
    html = MarkdownIt("commonmark").render(render_markdown(keepers(make_run)[:1]))
    for item in (
        "<li><strong>Role:</strong> Senior `shell` expert | &lt;admin&gt;</li>",
        "<li><strong>Directive:</strong> 1. Do this - and that &gt; quoted</li>",
        "<li><strong>Framework:</strong> decomposition</li>",
        "<li><strong>Tags:</strong> production, tested</li>",
        "<li><strong>Run:</strong> 11, 2026-03-04 05:06 UTC</li>",
        "<li>Never run `rm -rf /`</li>",
        "<li>Use **no** HTML &lt;script&gt;</li>",
        "<li>Escape _all_ input</li>",
    ):
        assert item in html


def test_escaped_text_reads_back_as_typed():
    text = "a_b *c* `d` [e](f) <g> #h | i ~j~ & k!"
    html = MarkdownIt("commonmark").render(escape_markdown(text))
    assert html == "<p>a_b *c* `d` [e](f) &lt;g&gt; #h | i ~j~ &amp; k!</p>\n"


def test_escaped_lines_start_no_block():
    text = "1. first\n2) second\n- item\n+ item\n> quote\n# heading\n===\n  - indented"
    html = MarkdownIt("commonmark").render(escape_markdown(text))
    assert html == f"<p>{text.replace('>', '&gt;')}</p>\n".replace("\n  ", "\n")


def test_titles_are_one_short_line(make_run):
    long_idea = "Write " + "a very long idea " * 20
    text = render_markdown(
        [make_run(id=1, original_idea="Two\nlines"), make_run(id=2, original_idea=long_idea)]
    )
    titles = [line for line in text.splitlines() if line.startswith("## ")]
    assert titles[0] == "## Two lines"
    assert len(titles[1]) == len("## ") + MAX_TITLE_CHARS and titles[1].endswith("…")


def test_json_holds_the_same_fields_for_each_prompt(make_run):
    runs = keepers(make_run)
    entries = json.loads(render_json(runs))
    assert [entry["run_id"] for entry in entries] == [11, 12]
    first = entries[0]
    assert set(first) == {
        "title", "role", "directive", "framework", "guardrails", "improved_prompt", "tags",
        "run_id", "date",
    }  # fmt: skip
    assert first["improved_prompt"] == HOSTILE_PROMPT and first["tags"] == ["production", "tested"]
    assert first["guardrails"] == list(runs[0].guardrails)
    assert datetime.fromisoformat(first["date"].replace("Z", "+00:00")) == WHEN


def test_an_empty_library_says_so():
    assert "No prompts yet." in render_markdown([])
    assert json.loads(render_json([])) == []
