"""A PostgreSQL server killed while runs are being saved: nothing committed is lost, and the
service degrades (result returned with a warning naming the server) then recovers."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

import pytest

from promptimp.history.postgres import PostgresStore
from promptimp.models import PromptRun, RepositoryConnectionError
from promptimp.service import ImproveService
from tests.pg_server import start_or_fail
from tests.support import dummy_service


@pytest.fixture
def own_server():
    """A server of this test's own, since it gets killed."""
    server = start_or_fail()
    yield server
    server.stop()


def _save_and_log_forever(url: str, run: PromptRun, log_path: str) -> None:
    """Save `run` again and again, appending each committed id to `log_path`."""
    store = PostgresStore(url)
    with open(log_path, "a") as log:
        while True:
            try:
                saved = store.save(run)
            except RepositoryConnectionError:
                time.sleep(0.05)
                continue
            log.write(f"{saved.id}\n")
            log.flush()


def committed(log_path: Path) -> list[int]:
    return [int(line) for line in log_path.read_text().split()]


def wait_for(condition, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.mark.slow
def test_killing_the_server_mid_save_loses_nothing_committed(own_server, make_run, tmp_path):
    url = own_server.socket_url()
    log_path = tmp_path / "committed.txt"
    log_path.touch()
    writer = multiprocessing.get_context("spawn").Process(
        target=_save_and_log_forever, args=(url, make_run(), str(log_path))
    )
    writer.start()
    try:
        wait_for(lambda: len(committed(log_path)) >= 300)
        own_server.kill()
        before_restart = committed(log_path)
        own_server.start_again()
        wait_for(lambda: len(committed(log_path)) >= len(before_restart) + 100)
    finally:
        writer.kill()
        writer.join(timeout=30)
    saved = {run.id for run in PostgresStore(url).query(limit=None)}
    assert set(committed(log_path)) <= saved
    assert len(saved) >= len(before_restart) + 100


@pytest.mark.slow
def test_the_service_warns_while_the_server_is_down_and_stores_again_after(own_server, tmp_path):
    store = PostgresStore(own_server.socket_url())
    service: ImproveService = dummy_service(tmp_path / "unused.db", store=store)
    assert service.improve("Design a REST API for user management").stored
    own_server.kill()

    result = service.improve("Design a REST API for user management")
    assert not result.stored and result.run.role  # the result still comes back
    (warning,) = result.warnings
    assert warning.startswith(
        f"Not saved to history: Cannot reach history database {store.location}"
    )
    health = service.health()
    assert health.status == "unhealthy" and store.location in health.reason

    own_server.start_again()
    assert service.improve("Design a REST API for user management").stored
    assert service.health().status == "healthy"
    assert store.total_count() == 2
