"""Shared fixtures: history databases in tmp dirs (SQLite, PostgreSQL) and a PromptRun factory."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from promptimp.history.postgres import PostgresStore
from promptimp.models import BackendType, PromptRun
from promptimp.store import RunStore
from tests.pg_server import PostgresServer, start_or_fail


@pytest.fixture
def db_path(tmp_path):
    """Where a test's history database lives (the file does not exist yet)."""
    return tmp_path / "data" / "history.db"


@pytest.fixture
def make_run() -> Callable[..., PromptRun]:
    """`make_run(**overrides)` builds a valid PromptRun; overrides replace any field."""

    def make(**overrides: object) -> PromptRun:
        fields: dict[str, object] = {
            "original_idea": "Design a REST API for user management",
            "context": "Small team, Python backend",
            "improved_prompt": "You are a senior API architect. Design the endpoints.",
            "role": "Senior API architect",
            "directive": "Design the endpoints for user management",
            "framework": "decomposition",
            "guardrails": ("Use REST conventions", "Cover errors", "Version the API"),
            "backend": BackendType.ZERO_SHOT,
            "confidence": 0.8,
            "reasoning": "The idea names a concrete deliverable.",
            "latency_ms": 1200,
            "model_version": "test-model",
        }
        fields.update(overrides)
        return PromptRun(**fields)

    return make


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the whole session, in a temp dir; fails if not installed."""
    server = start_or_fail()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pg_template(pg_server) -> str:
    """A migrated, empty history database that `pg_url` copies."""
    name = pg_server.create_database()
    store = PostgresStore(pg_server.socket_url(name))
    store.check()
    store.close()
    return name


@pytest.fixture
def pg_url(pg_server, pg_template) -> Iterator[str]:
    """The URL (over the Unix socket) of a fresh, empty history database, dropped afterwards."""
    name = pg_server.create_database(template=pg_template)
    yield pg_server.socket_url(name)
    pg_server.drop_database(name)


@pytest.fixture(params=["sqlite", "postgres"])
def history_store(request, db_path) -> Iterator[RunStore | PostgresStore]:
    """An empty history on each backend: a SQLite file in tmp_path, a fresh PostgreSQL db."""
    if request.param == "sqlite":
        store = RunStore(db_path)
    else:
        store = PostgresStore(request.getfixturevalue("pg_url"))
    yield store
    store.close()
