"""The run history in one SQLite file: the embedded default."""

from promptimp.history.sqlite.store import SQLiteStore

__all__ = ["SQLiteStore"]
