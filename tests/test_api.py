"""The HTTP API in process: TestClient over a DummyLM-backed service and real SQLite files."""

import asyncio
import logging
import threading

import dspy
import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cli.app import app
from cli.context import CliState
from promptimp.api import MAX_BODY_BYTES, create_app
from promptimp.history import SQLiteStore
from promptimp.service import HISTORY_DISABLED, ImproveService
from promptimp.settings import Settings
from tests.support import ANSWER, dummy_service

IDEA = "Design a REST API for user management"
SECRET = "sk-test-secret-value-0123456789"
IMPROVE = "/api/v1/improve-prompt"


def make_service(db_path, answers=None, **overrides) -> ImproveService:
    return dummy_service(db_path, answers, OPENAI_API_KEY=SECRET, **overrides)


def make_client(service: ImproveService) -> TestClient:
    return TestClient(create_app(service), base_url="http://localhost")


@pytest.fixture
def client(db_path):
    return make_client(make_service(db_path))


# -- improving ------------------------------------------------------------------------------


def test_improve_returns_every_field_and_the_stored_id(client):
    response = client.post(IMPROVE, json={"idea": IDEA, "context": "Python, FastAPI"})
    assert response.status_code == 200
    body = response.json()
    latency = body.pop("latency_ms")
    assert isinstance(latency, int) and latency >= 0
    assert body == {
        "id": 1,
        "improved_prompt": ANSWER["improved_prompt"],
        "role": ANSWER["role"],
        "directive": ANSWER["directive"],
        "framework": "decomposition",
        "guardrails": ANSWER["guardrails"],
        "reasoning": ANSWER["reasoning"],
        "confidence": 0.82,
        "backend": "zero-shot",
        "warnings": [],
    }


def test_a_posted_run_is_listed_fetchable_and_counted(client):
    posted = client.post(IMPROVE, json={"idea": IDEA, "backend": "zero-shot"}).json()
    page = client.get("/api/v1/history").json()
    assert (page["total"], page["limit"], page["offset"]) == (1, 20, 0)
    assert [item["id"] for item in page["items"]] == [posted["id"]]
    run = client.get(f"/api/v1/history/{posted['id']}").json()
    assert run == page["items"][0]
    assert run["original_idea"] == IDEA
    assert run["model_version"] == "openai/test-model"
    assert run["improved_prompt"] == posted["improved_prompt"]
    stats = client.get("/api/v1/stats").json()
    assert stats["total_count"] == 1
    assert stats["average_confidence"] == pytest.approx(0.82)
    assert stats["p50_latency_ms"] == posted["latency_ms"]
    assert stats["by_backend"]["zero-shot"]["count"] == 1


@pytest.mark.parametrize("idea", ["", "abc", "   abcd   "])
def test_an_idea_under_five_characters_is_400_with_a_detail(client, idea):
    response = client.post(IMPROVE, json={"idea": idea})
    assert response.status_code == 400
    assert response.json() == {"detail": "The idea must be at least 5 characters long."}
    assert client.get("/api/v1/history").json()["total"] == 0


def test_too_long_text_is_400_naming_the_limit(client):
    response = client.post(IMPROVE, json={"idea": "x" * 20_001})
    assert response.status_code == 400
    assert response.json()["detail"] == "The idea is 20,001 characters; the limit is 20,000."


def test_a_body_over_64_kib_is_413_by_content_length(client):
    response = client.post(IMPROVE, json={"idea": IDEA, "context": "x" * MAX_BODY_BYTES})
    assert response.status_code == 413
    assert response.json() == {"detail": "The request body is over the 64 KiB limit."}


def test_a_chunked_body_over_64_kib_is_413_by_the_bytes_read(client):
    def chunks():
        yield b'{"idea": "' + IDEA.encode() + b'", "context": "'
        for _ in range(70):
            yield b"x" * 1024
        yield b'"}'

    response = client.post(IMPROVE, content=chunks(), headers={"content-type": "application/json"})
    assert "content-length" not in response.request.headers
    assert response.status_code == 413


def test_a_body_just_under_the_limit_is_read_normally(client):
    padding = MAX_BODY_BYTES - 200
    response = client.post(IMPROVE, json={"idea": IDEA, "context": " " * padding})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b'{"idea": "unterminated', "application/json"),
        (b'{"context": "no idea"}', "application/json"),
        (b'{"idea": 12345}', "application/json"),
        (b'{"idea": "Design an API", "backend": "three-shot"}', "application/json"),
        (b'{"idea": "Design an API", "temperature": 2}', "application/json"),
        (b'["Design an API"]', "application/json"),
        (b'{"idea": "\\ud800 lone surrogate"}', "application/json"),
        (b'{"idea": "Design an API"}', "text/plain"),
    ],
)
def test_a_malformed_body_is_422(client, content, content_type):
    response = client.post(IMPROVE, content=content, headers={"content-type": content_type})
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], list)


def test_an_unreachable_model_is_503_naming_provider_and_model(db_path):
    settings = Settings(
        LLM_PROVIDER="ollama",
        LLM_MODEL="llama3.2",
        LLM_BASE_URL="http://127.0.0.1:9",
        SQLITE_DB_PATH=str(db_path),
    )
    client = make_client(ImproveService(settings))
    response = client.post(IMPROVE, json={"idea": IDEA})
    assert response.status_code == 503
    assert response.json()["detail"].startswith("The language model ollama/llama3.2 failed:")
    assert client.get("/api/v1/history").json()["total"] == 0


def test_a_model_error_quoting_the_key_is_masked_in_response_and_log(db_path, caplog):
    def leaky_program(**_: object) -> None:
        raise RuntimeError(f"401 Unauthorized: invalid api key {SECRET}")

    service = make_service(db_path, program_factory=lambda backend: leaky_program)
    with caplog.at_level(logging.DEBUG):
        response = make_client(service).post(IMPROVE, json={"idea": IDEA})
    assert response.status_code == 503
    assert "invalid api key sk-...6789" in response.json()["detail"]
    assert SECRET not in response.text
    assert SECRET not in caplog.text


def test_improving_runs_in_the_threadpool_so_other_requests_are_answered(db_path):
    released = threading.Event()

    def blocking_program(**_: object) -> dspy.Prediction:
        assert released.wait(10), "the event loop was blocked while improving"
        return dspy.Prediction(**ANSWER)

    service = make_service(db_path, program_factory=lambda backend: blocking_program)
    app = create_app(service)

    async def scenario() -> tuple[httpx.Response, httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            improving = asyncio.create_task(client.post(IMPROVE, json={"idea": IDEA}))
            health = await asyncio.wait_for(client.get("/health"), timeout=10)
            released.set()
            return await asyncio.wait_for(improving, timeout=10), health

    improved, health = asyncio.run(scenario())
    assert health.status_code == 200
    assert improved.status_code == 200 and improved.json()["id"] == 1


# -- storage failing or disabled ------------------------------------------------------------


@pytest.fixture
def broken_client(tmp_path):
    """Storage under a regular file: the directory can never be created."""
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where a directory should be")
    return make_client(make_service(blocker / "history.db"))


def test_failing_storage_still_returns_the_prompt_with_a_warning(broken_client):
    response = broken_client.post(IMPROVE, json={"idea": IDEA})
    assert response.status_code == 200
    body = response.json()
    assert body["id"] is None
    assert body["role"] == ANSWER["role"]
    assert len(body["warnings"]) == 1
    assert body["warnings"][0].startswith("Not saved to history: Cannot open history database")


def test_failing_storage_makes_history_503_and_health_degraded(broken_client):
    for path in ("/api/v1/history", "/api/v1/history/1", "/api/v1/stats"):
        response = broken_client.get(path)
        assert response.status_code == 503, path
        assert response.json()["detail"].startswith("Cannot open history database")
    repository = broken_client.get("/health/repository")
    assert repository.status_code == 503
    assert repository.json()["status"] == "unhealthy"
    assert "not-a-directory" in repository.json()["reason"]
    overall = broken_client.get("/health")
    assert overall.status_code == 200
    assert overall.json() == {"status": "degraded", "provider": "openai", "model": "test-model"}


def test_disabled_storage_improves_and_answers_history_with_503(tmp_path):
    client = make_client(make_service(tmp_path / "h.db", SQLITE_ENABLED=False))
    improved = client.post(IMPROVE, json={"idea": IDEA}).json()
    assert improved["id"] is None and improved["warnings"] == []
    for path in ("/api/v1/history", "/api/v1/history/1", "/api/v1/stats"):
        response = client.get(path)
        assert response.status_code == 503, path
        assert response.json() == {
            "detail": HISTORY_DISABLED,
        }
    repository = client.get("/health/repository")
    assert repository.status_code == 200
    assert repository.json()["status"] == "disabled"
    assert repository.json()["total_records"] is None
    assert client.get("/health").json()["status"] == "healthy"
    assert list(tmp_path.iterdir()) == []


# -- history --------------------------------------------------------------------------------


@pytest.fixture
def filled(db_path, make_run):
    """A client over five stored runs: ids 1-3 zero-shot, 4-5 few-shot."""
    service = make_service(db_path)
    store = SQLiteStore(db_path)
    for number in range(1, 6):
        backend = "zero-shot" if number <= 3 else "few-shot"
        idea = "Write a haiku about rain" if number == 2 else f"Design service number {number}"
        store.save(make_run(original_idea=idea, backend=backend, latency_ms=number * 100))
    return make_client(service)


def ids(response: httpx.Response) -> list[int]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_history_pages_newest_first_with_the_total(filled):
    assert ids(filled.get("/api/v1/history")) == [5, 4, 3, 2, 1]
    page = filled.get("/api/v1/history", params={"limit": 2, "offset": 1})
    assert ids(page) == [4, 3]
    assert page.json()["total"] == 5


def test_history_filters_by_backend_and_search(filled):
    few_shot = filled.get("/api/v1/history", params={"backend": "few-shot"})
    assert ids(few_shot) == [5, 4] and few_shot.json()["total"] == 2
    assert ids(filled.get("/api/v1/history", params={"search": "haiku rain"})) == [2]
    assert ids(filled.get("/api/v1/history", params={"search": '"NEAR( *'})) == []


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 201},
        {"offset": -1},
        {"limit": "ten"},
        {"backend": "three-shot"},
        {"search": "x" * 501},
    ],
)
def test_history_parameters_out_of_range_are_422(filled, params):
    assert filled.get("/api/v1/history", params=params).status_code == 422


def test_a_run_that_does_not_exist_is_404(filled):
    response = filled.get("/api/v1/history/99")
    assert response.status_code == 404
    assert response.json() == {"detail": "No run with id 99."}
    assert filled.get("/api/v1/history/0").status_code == 422
    assert filled.get(f"/api/v1/history/{2**63}").status_code == 422


# -- health, docs, secrets ------------------------------------------------------------------


def test_health_reports_status_provider_and_model(client):
    client.post(IMPROVE, json={"idea": IDEA})
    assert client.get("/health").json() == {
        "status": "healthy",
        "provider": "openai",
        "model": "test-model",
    }
    repository = client.get("/health/repository")
    assert repository.status_code == 200
    body = repository.json()
    assert body["status"] == "healthy"
    assert body["total_records"] == 1
    assert body["database_path"].endswith("history.db")
    assert body["average_confidence"] == pytest.approx(0.82)
    assert body["average_latency_ms"] >= 0


def test_docs_and_schema_describe_every_endpoint(client):
    assert client.get("/docs").status_code == 200
    schema = client.get("/openapi.json").json()
    base = {
        "/api/v1/improve-prompt",
        "/api/v1/history",
        "/api/v1/history/{run_id}",
        "/api/v1/stats",
        "/health",
        "/health/repository",
    }
    crafting = {path for path in schema["paths"] if path not in base}
    assert base <= set(schema["paths"])  # the crafting loop's are in test_api_crafting.py
    assert all(path.startswith("/api/v1/") for path in crafting)
    improve = schema["paths"]["/api/v1/improve-prompt"]["post"]["responses"]
    assert set(improve) == {"200", "400", "413", "422", "503"}
    for path in base:
        for operation in schema["paths"][path].values():
            assert "$ref" in operation["responses"]["200"]["content"]["application/json"]["schema"]


def test_no_response_ever_contains_the_api_key(client):
    expected = {
        ("post", IMPROVE, IDEA): 200,
        ("post", IMPROVE, "abc"): 400,
        ("get", "/api/v1/history", None): 200,
        ("get", "/api/v1/history/1", None): 200,
        ("get", "/api/v1/history/2", None): 404,
        ("get", "/api/v1/stats", None): 200,
        ("get", "/health", None): 200,
        ("get", "/health/repository", None): 200,
        ("get", "/openapi.json", None): 200,
        ("get", "/docs", None): 200,
    }
    for (method, path, idea), status in expected.items():
        body = {"json": {"idea": idea}} if idea else {}
        response = client.request(method, path, **body)
        assert response.status_code == status, path
        assert SECRET not in response.text
        assert SECRET not in str(response.headers)


# -- serve ----------------------------------------------------------------------------------


def test_cli_serve_cleans_up_once_and_runs_uvicorn_on_the_configured_address(db_path, monkeypatch):
    import uvicorn

    calls: dict[str, object] = {"cleanups": 0}
    original_cleanup = ImproveService.startup_cleanup

    def counting_cleanup(self: ImproveService) -> int | None:
        calls["cleanups"] += 1
        return original_cleanup(self)

    def fake_run(app: object, **kwargs: object) -> None:
        calls["run"] = {key: kwargs.pop(key) for key in ("host", "port")}
        calls["limits"] = kwargs
        calls["openapi"] = app.openapi()["info"]["title"]

    monkeypatch.setattr(ImproveService, "startup_cleanup", counting_cleanup)
    monkeypatch.setattr(uvicorn, "run", fake_run)
    monkeypatch.setenv("SQLITE_DB_PATH", str(db_path))
    monkeypatch.setenv("API_PORT", "8123")
    monkeypatch.setenv("LLM_PROVIDER", "openai")

    state = CliState()
    result = CliRunner().invoke(app, ["serve"], obj=state)
    assert result.exit_code == 0, result.output
    limits = calls.pop("limits")
    assert calls == {
        "cleanups": 1,
        "run": {"host": "127.0.0.1", "port": 8123},
        "openapi": "Prompt Improver Workbench API",
    }
    assert limits["http"].header_timeout_s == 10.0
    assert (limits["timeout_keep_alive"], limits["limit_concurrency"]) == (5, 1000)
    assert limits["h11_max_incomplete_event_size"] == 16 * 1024
    result = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--port", "9000"], obj=state)
    assert calls["run"] == {"host": "0.0.0.0", "port": 9000}
    assert calls["cleanups"] == 1  # the same CLI state: the service is built once
