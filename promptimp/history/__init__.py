"""The run history behind one contract (contract.py), with a store per database.

contract.py   HistoryStore: every operation the product uses, typed
filters.py    RunFilter, sort and column names: what a query selects
records.py    typed results: Statistics, bins, daily and model figures, comparisons, EvalReport
base.py       StoreBase: what both stores do the same way (exports, histograms, win rates)
rows.py       stored rows <-> runs (UTC text, guardrails JSON, damaged rows), export files
transfer.py   copy a whole history between stores
sqlite/       SQLiteStore: one file, sqlite-utils, FTS5 (the embedded default)
postgres/     PostgresStore: a team's server, psycopg 3 pool, tsvector search
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from promptimp.history.contract import HistoryReader, HistoryStore
from promptimp.history.filters import RunFilter
from promptimp.history.sqlite import SQLiteStore

if TYPE_CHECKING:
    from promptimp.settings import Settings

__all__ = [
    "HistoryReader",
    "HistoryStore",
    "RunFilter",
    "SQLiteStore",
    "open_history",
    "open_store",
]


def open_history(settings: Settings) -> HistoryStore | None:
    """The store the settings choose, None when history is disabled.

    HISTORY_DATABASE_URL set: PostgreSQL there (psycopg is imported only then); else the
    SQLite file at SQLITE_DB_PATH, unless SQLITE_ENABLED=false. Nothing connects yet.
    """
    if settings.HISTORY_DATABASE_URL:
        return open_store(settings.HISTORY_DATABASE_URL)
    if not settings.SQLITE_ENABLED:
        return None
    return SQLiteStore(settings.db_path, wal=settings.SQLITE_WAL_MODE)


def open_store(where: str) -> HistoryStore:
    """A postgresql:// URL's store, else the SQLite file at path `where`."""
    if where.startswith(("postgresql://", "postgres://")):
        from promptimp.history.postgres import PostgresStore

        return PostgresStore(where)
    return SQLiteStore(where)
