"""The run history on a team's PostgreSQL server."""

from promptimp.history.postgres.store import PostgresStore

__all__ = ["PostgresStore"]
