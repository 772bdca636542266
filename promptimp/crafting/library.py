"""A prompt library from keeper runs: Markdown (one section per prompt) and JSON.

Every text from a run is escaped, so an idea holding '#', backticks or a code fence cannot
change the document's structure; each improved prompt sits in a fence longer than any run of
backticks inside it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from promptimp.models import PromptRun

MAX_TITLE_CHARS = 80
LIBRARY_HEADING = "# Prompt library"
_INLINE_SPECIALS = re.compile(r"([\\`*_\[\]<>|~#&!])")
_LINE_START = re.compile(r"^(\s*)([>+=-]|\d+(?=[.)]))", re.MULTILINE)
"""A mark that starts a block at a line's start (a list number's dot is escaped after it)."""
_SPACES = re.compile(r"\s+")
_BACKTICKS = re.compile(r"`+")


class LibraryEntry(BaseModel):
    """One prompt of the library, as the JSON export holds it."""

    model_config = ConfigDict(frozen=True)

    title: str
    role: str
    directive: str
    framework: str
    guardrails: tuple[str, ...]
    improved_prompt: str
    tags: tuple[str, ...]
    run_id: int | None
    date: datetime


def entry_of(run: PromptRun) -> LibraryEntry:
    """A run as a library entry; its title is the idea's first words on one line."""
    title = _SPACES.sub(" ", run.original_idea).strip()
    if len(title) > MAX_TITLE_CHARS:
        title = title[: MAX_TITLE_CHARS - 1].rstrip() + "…"
    return LibraryEntry(
        title=title,
        role=run.role,
        directive=run.directive,
        framework=run.framework,
        guardrails=run.guardrails,
        improved_prompt=run.improved_prompt,
        tags=run.tags,
        run_id=run.id,
        date=run.timestamp,
    )


def escape_markdown(text: str) -> str:
    """`text` that Markdown shows literally: inline marks and line-start marks escaped."""
    escaped = _INLINE_SPECIALS.sub(r"\\\1", text)
    return _LINE_START.sub(_escape_block_mark, escaped)


def _escape_block_mark(match: re.Match[str]) -> str:
    indent, mark = match.groups()
    if mark[0].isdigit():
        return f"{indent}{mark}\\"
    return f"{indent}\\{mark}"


def _one_line(text: str) -> str:
    return escape_markdown(_SPACES.sub(" ", text).strip())


def _fenced(text: str) -> str:
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def _section(entry: LibraryEntry) -> str:
    tags = ", ".join(_one_line(tag) for tag in entry.tags) or "none"
    lines = [
        f"## {_one_line(entry.title)}",
        "",
        f"- **Role:** {_one_line(entry.role)}",
        f"- **Directive:** {_one_line(entry.directive)}",
        f"- **Framework:** {_one_line(entry.framework)}",
        f"- **Tags:** {tags}",
        f"- **Run:** {entry.run_id if entry.run_id is not None else 'not stored'},"
        f" {entry.date:%Y-%m-%d %H:%M} UTC",
        "",
        "Guardrails:",
        "",
        *(f"- {_one_line(rule)}" for rule in entry.guardrails),
        "",
        _fenced(entry.improved_prompt),
    ]
    return "\n".join(lines)


def render_markdown(runs: Iterable[PromptRun]) -> str:
    """The library as one Markdown document, a section per run, in the order given."""
    sections = [_section(entry_of(run)) for run in runs]
    body = "\n\n".join(sections) if sections else "No prompts yet."
    return f"{LIBRARY_HEADING}\n\n{body}\n"


def render_json(runs: Iterable[PromptRun]) -> str:
    """The library as a JSON list of entries (dates as ISO 8601 UTC text)."""
    entries = [entry_of(run).model_dump(mode="json") for run in runs]
    return json.dumps(entries, ensure_ascii=False, indent=2) + "\n"
