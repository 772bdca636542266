"""AppTest fixtures: a tmp database from the environment and a DummyLM-backed service.

The app builds its service through `ui.resources.build_service`; tests replace that factory
(and clear Streamlit's caches) so pages run exactly as in production, with a fake model.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dspy
import pytest
import streamlit as st
from app_helpers import ANSWER, ROOT, SEED, TIMEOUT_S, open_app
from dspy.utils import DummyLM
from dspy.utils.callback import BaseCallback
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from promptimp.history import SQLiteStore
from promptimp.models import PromptRun
from promptimp.service import ImproveService
from promptimp.settings import load_settings
from ui import resources


@pytest.fixture
def env(tmp_path, monkeypatch) -> Path:
    """Settings from the environment: a tmp database, an API provider, no stray .env."""
    db_path = tmp_path / "history.db"
    monkeypatch.chdir(tmp_path)
    for name, value in {
        "SQLITE_DB_PATH": str(db_path),
        "LLM_PROVIDER": "openai",
        "LLM_MODEL": "dummy",
        "DSPY_FEWSHOT_ENABLED": "false",
        "DSPY_FEWSHOT_TRAINSET_PATH": str(ROOT / "data" / "trainset.jsonl"),
        "SQLITE_AUTO_CLEANUP": "true",
        "DSPY_FEWSHOT_USER_TRAINSET_PATH": "data/user_trainset.jsonl",  # in tmp_path, the cwd
    }.items():
        monkeypatch.setenv(name, value)
    return db_path


@pytest.fixture
def answers() -> list[dict[str, object]]:
    """What the fake model answers, in order; a test may change the list before the first run."""
    return [ANSWER] * 40


@pytest.fixture
def routed_by_app(monkeypatch) -> None:
    """Every AppTest run goes through app.py, as in a served app.

    AppTest re-detects "multipage v1" before each run, and because a `pages/` directory
    exists it would run a switched-to page on its own. In a server the first st.navigation
    call turns that detection off for the process; this does the same for AppTest.
    """
    original = PagesManager.__init__

    def init(self, *args, **kwargs) -> None:
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


@pytest.fixture
def workbench(env, answers, routed_by_app, monkeypatch) -> Iterator[Path]:
    """The app's service factory returns a DummyLM service; caches start and end empty."""

    def build() -> ImproveService:
        return ImproveService(load_settings(), lm=DummyLM(answers), adapter=dspy.ChatAdapter())

    monkeypatch.setattr(resources, "build_service", build)
    st.cache_resource.clear()
    st.cache_data.clear()
    yield env
    st.cache_resource.clear()
    st.cache_data.clear()


class Gate(BaseCallback):
    """Holds each LM call until the test releases it: a slow model on cue."""

    def __init__(self) -> None:
        self.calls = threading.Semaphore(0)

    def release(self, calls: int = 1) -> None:
        self.calls.release(calls)

    def on_lm_start(self, call_id: str, instance: object, inputs: dict) -> None:
        if not self.calls.acquire(timeout=TIMEOUT_S):
            raise TimeoutError("the test never released this model call")


@pytest.fixture
def gate(workbench, answers, monkeypatch) -> Iterator[Gate]:
    """The app's model answers one call per `gate.release()`; every call is freed at the end."""
    gate = Gate()

    def build() -> ImproveService:
        lm = DummyLM(answers)
        lm.callbacks = [gate]
        return ImproveService(load_settings(), lm=lm, adapter=dspy.ChatAdapter())

    monkeypatch.setattr(resources, "build_service", build)
    yield gate
    gate.release(100)  # no worker thread is left waiting


@pytest.fixture
def store(workbench) -> Iterator[SQLiteStore]:
    """A second store on the app's database file, for seeding and checking rows."""
    opened = SQLiteStore(workbench)
    yield opened
    opened.close()


@pytest.fixture
def seeded(store, make_run) -> list[PromptRun]:
    """SEED stored, oldest first; returns the stored runs."""
    now = datetime.now(UTC)
    return [
        store.save(
            make_run(
                timestamp=now - timedelta(days=days),
                backend=backend,
                model_version=model,
                confidence=confidence,
                latency_ms=latency,
                original_idea=idea,
            )
        )
        for days, backend, model, confidence, latency, idea in sorted(SEED, key=lambda r: -r[0])
    ]


@pytest.fixture
def open_page(workbench) -> Callable[[str], AppTest]:
    """`open_page("history")` runs app.py, switches to pages/history.py and runs it."""

    def open_(name: str) -> AppTest:
        at = open_app().run()
        if name != "improve":
            at.switch_page(f"pages/{name}.py").run()
        return at

    return open_
