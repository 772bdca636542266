"""Shared fixtures: history databases in tmp dirs (SQLite, PostgreSQL) and a PromptRun factory."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from promptimp.history import SQLiteStore
from promptimp.history.postgres import PostgresStore
from promptimp.models import BackendType, PromptRun
from tests.checkout_guard import CheckoutDataGuard
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
def history_store(request, db_path) -> Iterator[SQLiteStore | PostgresStore]:
    """An empty history on each backend: a SQLite file in tmp_path, a fresh PostgreSQL db."""
    if request.param == "sqlite":
        store = SQLiteStore(db_path)
    else:
        store = PostgresStore(request.getfixturevalue("pg_url"))
    yield store
    store.close()


@pytest.fixture
def store(history_store):
    """An empty store of each backend (history_store by a short name)."""
    return history_store


@pytest.fixture
def sqlite_store(db_path) -> Iterator[SQLiteStore]:
    """An empty SQLite store in tmp_path, for what only SQLite has."""
    opened = SQLiteStore(db_path)
    yield opened
    opened.close()


CHECKOUT_DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(scope="session", autouse=True)
def _history_outside_the_checkout(tmp_path_factory) -> Iterator[None]:
    """A default SQLITE_DB_PATH and user trainset in a tmp dir for the whole session.

    Tests set their own database, but a Streamlit script thread that AppTest left running
    past its test reads the environment after monkeypatch has restored it, and the checkout's
    relative default (data/prompt_history.db) would then be written. With this default it
    lands in a tmp dir; the session-finish check below still catches any other writer.
    """
    patch = pytest.MonkeyPatch()
    defaults = tmp_path_factory.mktemp("default")
    patch.setenv("SQLITE_DB_PATH", str(defaults / "history.db"))
    patch.setenv("DSPY_FEWSHOT_USER_TRAINSET_PATH", str(defaults / "user_trainset.jsonl"))
    yield
    patch.undo()


def pytest_configure(config: pytest.Config) -> None:
    """Tests write only in their tmp dirs: no file in the checkout's data/ may change or appear."""
    config.pluginmanager.register(CheckoutDataGuard(CHECKOUT_DATA), "checkout-data-guard")
