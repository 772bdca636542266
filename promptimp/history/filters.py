"""What a history query selects and how it sorts: the same words on every backend."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from promptimp.models import MAX_ROW_ID, InputError
from promptimp.text import is_valid_unicode

STORED_COLUMNS: tuple[str, ...] = (
    "id",
    "timestamp",
    "original_idea",
    "context",
    "improved_prompt",
    "role",
    "directive",
    "framework",
    "guardrails",
    "backend",
    "confidence",
    "reasoning",
    "latency_ms",
    "model_version",
    "author",
    "parent_id",
    "feedback",
    "keeper",
)
"""A run's stored columns, in table order."""

COLUMNS: tuple[str, ...] = (*STORED_COLUMNS, "tags")
"""The columns of CSV/JSON exports: the stored ones, then the run's tags."""

SORT_COLUMNS: tuple[str, ...] = ("timestamp", "confidence", "latency_ms")
HISTOGRAM_COLUMNS: tuple[str, ...] = ("confidence", "latency_ms")
VERDICTS: tuple[str, ...] = ("zero-shot", "few-shot", "tie")


@dataclass(frozen=True)
class RunFilter:
    """Which runs a query selects; every criterion left at None (or blank text) is ignored.

    `text` is a full-text search over idea, context and prompt: every word (or "quoted
    phrase") must occur, operators match literally, case and accents are ignored and English
    words match their stems. `since`/`until` and the confidence bounds are inclusive; naive
    datetimes mean UTC. `tag` keeps runs carrying that tag; `keepers_only` keeps the
    versions picked as their chain's keeper.
    """

    text: str = ""
    backend: str | None = None
    model_version: str | None = None
    author: str | None = None
    tag: str | None = None
    keepers_only: bool = False
    since: datetime | None = None
    until: datetime | None = None
    min_confidence: float | None = None
    max_confidence: float | None = None

    def __post_init__(self) -> None:
        if not is_valid_unicode(self.text):
            raise InputError.invalid_unicode("search text")


def parse_sort(sort: str) -> tuple[str, str]:
    """'<column> asc|desc' (direction optional, desc by default) as (column, direction)."""
    column, _, direction = sort.strip().lower().partition(" ")
    direction = direction.strip() or "desc"
    if column not in SORT_COLUMNS or direction not in ("asc", "desc"):
        raise ValueError(
            f"sort must be '<column> asc|desc' with column one of {', '.join(SORT_COLUMNS)},"
            f" got {sort!r}"
        )
    return column, direction


def is_row_id(run_id: int) -> bool:
    """Whether a row could have this id (1..MAX_ROW_ID); others match nothing."""
    return 1 <= run_id <= MAX_ROW_ID


def check_page(limit: int | None, offset: int) -> bool:
    """InputError unless limit >= 1 (or None) and offset >= 0; False when the offset is past
    the last possible row (the page is empty)."""
    if offset < 0 or (limit is not None and limit < 1):
        raise InputError(f"limit must be >= 1 and offset >= 0, got {limit} and {offset}.")
    return offset <= MAX_ROW_ID
