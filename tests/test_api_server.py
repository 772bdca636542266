"""The real server: `promptimp serve` (as `python -m cli serve`) in a subprocess, over TCP
with httpx, improving with the embedded local model (the default provider)."""

import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from promptimp.history import SQLiteStore
from promptimp.models import FRAMEWORKS, BackendType, PromptRun
from tests.support import REPO, free_port, running_server

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

SECRET = "sk-server-test-secret-0123456789"
STARTUP_TIMEOUT_S = 60
IMPROVE_TIMEOUT_S = 300
IDEA = "Design a REST API for user management"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The base URL of a server on a free port over a database holding one 90-day-old run."""
    home = tmp_path_factory.mktemp("server")
    db_path = home / "history.db"
    old = PromptRun(
        timestamp=datetime.now(UTC) - timedelta(days=90),
        original_idea="An idea from long ago",
        improved_prompt="Old prompt",
        role="Old role",
        directive="Old directive",
        framework="decomposition",
        guardrails=("Old rule",),
        backend=BackendType.ZERO_SHOT,
    )
    store = SQLiteStore(db_path)
    store.save(old)
    store.close()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("LLM_", "SQLITE_", "API_"))},
        "SQLITE_DB_PATH": str(db_path),
        "OPENAI_API_KEY": SECRET,
        "PYTHONPATH": str(REPO),
        "MAX_LATENCY_MS": "3600000",  # a busy machine must not flag the run (not tested here)
    }
    log_path = home / "server.log"
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "cli", "serve", "--port", str(port)]
    ready = f"{base_url}/health"
    with running_server(command, ready, log_path, timeout_s=STARTUP_TIMEOUT_S, cwd=home, env=env):
        yield base_url, log_path


def test_startup_cleanup_removed_the_old_run_and_health_names_the_local_model(server):
    base_url, _ = server
    assert httpx.get(f"{base_url}/health", timeout=10).json() == {
        "status": "healthy",
        "provider": "local",
        "model": "smollm2-135m-instruct",
    }
    assert httpx.get(f"{base_url}/health/repository", timeout=10).json()["status"] == "healthy"
    old = httpx.get(f"{base_url}/api/v1/history", params={"search": "long ago"}, timeout=10)
    assert old.json()["total"] == 0


def test_improve_with_the_embedded_model_while_health_stays_responsive(server):
    base_url, _ = server
    with ThreadPoolExecutor(1) as pool:
        improving = pool.submit(
            httpx.post,
            f"{base_url}/api/v1/improve-prompt",
            json={"idea": IDEA, "context": "Python, FastAPI"},
            timeout=IMPROVE_TIMEOUT_S,
        )
        time.sleep(0.5)
        health = httpx.get(f"{base_url}/health", timeout=10)
        assert health.status_code == 200
        response = improving.result(timeout=IMPROVE_TIMEOUT_S + 10)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["id"] is not None and body["warnings"] == []
    assert body["backend"] == "zero-shot"
    assert body["framework"] in FRAMEWORKS
    assert 3 <= len(body["guardrails"]) <= 5
    assert body["improved_prompt"].strip() and body["role"].strip()
    assert body["latency_ms"] > 0
    run = httpx.get(f"{base_url}/api/v1/history/{body['id']}", timeout=10).json()
    assert run["original_idea"] == IDEA
    assert run["improved_prompt"] == body["improved_prompt"]
    assert run["model_version"] == "local/smollm2-135m-instruct"
    page = httpx.get(f"{base_url}/api/v1/history", params={"search": "REST"}, timeout=10).json()
    assert [item["id"] for item in page["items"]] == [body["id"]]
    assert httpx.get(f"{base_url}/api/v1/stats", timeout=10).json()["total_count"] == 1


def test_errors_over_the_wire(server):
    base_url, _ = server
    url = f"{base_url}/api/v1/improve-prompt"
    short = httpx.post(url, json={"idea": "abc"}, timeout=10)
    assert (short.status_code, short.json()) == (
        400,
        {"detail": "The idea must be at least 5 characters long."},
    )
    assert httpx.post(url, json={"context": "no idea"}, timeout=10).status_code == 422
    large = httpx.post(url, json={"idea": IDEA, "context": "x" * 70_000}, timeout=10)
    assert (large.status_code, large.json()) == (
        413,
        {"detail": "The request body is over the 64 KiB limit."},
    )

    def chunks():
        yield b'{"idea": "' + IDEA.encode() + b'", "context": "'
        for _ in range(70):
            yield b"x" * 1024
        yield b'"}'

    chunked = httpx.post(
        url, content=chunks(), headers={"content-type": "application/json"}, timeout=10
    )
    assert chunked.status_code == 413
    assert httpx.get(f"{base_url}/api/v1/history/424242", timeout=10).status_code == 404
    assert httpx.get(f"{base_url}/docs", timeout=10).status_code == 200


def test_the_key_never_reaches_a_response_or_the_log(server):
    base_url, log_path = server
    for path in ("/health", "/health/repository", "/api/v1/history", "/openapi.json"):
        assert SECRET not in httpx.get(f"{base_url}{path}", timeout=10).text
    log = log_path.read_text()
    assert "Uvicorn running on" in log
    assert SECRET not in log
