"""SQL fragments for PostgreSQL: the WHERE of a RunFilter, ORDER BY of a sort, search text."""

from __future__ import annotations

import re
from typing import Any

from promptimp.history.filters import RunFilter, parse_sort
from promptimp.history.rows import as_utc

SEARCH_CONFIG = "promptimp_search"
_TERMS = re.compile(r'\s+|(".*?")')


def search_text(text: str) -> str:
    """`text` for websearch_to_tsquery with every word or "phrase" quoted.

    Quoting makes every word required and operators (or, -, quotes) match literally, as
    the SQLite store's quoted FTS5 query does; a NUL, which PostgreSQL text cannot hold,
    counts as a space. '' when nothing is left.
    """
    text = text.replace("\x00", " ")
    if text.count('"') % 2:
        text += '"'
    terms = [term for term in _TERMS.split(text) if term and term != '""']
    return " ".join(term if term.startswith('"') else f'"{term}"' for term in terms)


def where(filters: RunFilter) -> tuple[str, list[Any]]:
    """A WHERE clause ('' for everything) and its parameters."""
    clauses: list[str] = []
    params: list[Any] = []
    if filters.text.strip():
        clauses.append(f"search_vector @@ websearch_to_tsquery('{SEARCH_CONFIG}', %s)")
        params.append(search_text(filters.text))
    for clause, value in (
        ("backend = %s", filters.backend),
        ("model_version = %s", filters.model_version),
        ("author = %s", filters.author),
        ("timestamp >= %s", filters.since and as_utc(filters.since)),
        ("timestamp <= %s", filters.until and as_utc(filters.until)),
        ("confidence >= %s", filters.min_confidence),
        ("confidence <= %s", filters.max_confidence),
        ("id IN (SELECT run_id FROM run_tags WHERE tag = %s)", filters.tag),
    ):
        if value is not None:
            clauses.append(clause)
            params.append(value)
    if filters.keepers_only:
        clauses.append("keeper")
    return (f"WHERE {' AND '.join(clauses)}" if clauses else ""), params


def order_by(sort: str) -> str:
    """The ORDER BY clause of '<column> asc|desc'; unknown values sort first, as on SQLite.

    Ties are ordered by id the same way, so pages never overlap. Every clause is one the
    indexes deliver in order, so a page stops at its LIMIT (timestamp is never NULL, and
    naming a NULLS order for it would defeat its index).
    """
    column, direction = parse_sort(sort)
    if column == "timestamp":
        return f"ORDER BY timestamp {direction}, id {direction}"
    nulls = "NULLS FIRST" if direction == "asc" else "NULLS LAST"
    return f"ORDER BY {column} {direction} {nulls}, id {direction}"
