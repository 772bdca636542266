"""The HTTP API under hostile clients, in process: a battery of bad requests (each answered
with its documented status and a JSON detail, never a 500 or a traceback, the database as it
was), Host header checks, the body read timeout and masked provider errors."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
from fastapi.testclient import TestClient

from promptimp.api import create_app
from tests.support import (
    FTS_SYNTAX,
    HOSTILE_TEXTS,
    SHORT_IDEAS,
    dummy_service,
    key_echoing_service,
    query,
)

IMPROVE = "/api/v1/improve-prompt"
HUGE = 2**63


def _improve(body: object, content_type: str = "application/json") -> tuple:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return ("post", IMPROVE, {"content": raw, "headers": {"content-type": content_type}})


def _get(path: str, **params: object) -> tuple:
    return ("get", path, {"params": params})


BAD_REQUESTS: list[tuple[tuple, int]] = [
    # ideas the service refuses: 400 with a one-line detail
    *((_improve({"idea": idea}), 400) for idea in (*SHORT_IDEAS, "x" * 20_001)),
    (_improve({"idea": "Design an API", "context": "y" * 20_001}), 400),
    # malformed bodies: 422
    *(
        (_improve(raw), 422)
        for raw in (
            b"",
            b"{",
            b'{"idea": "unterminated',
            b"null",
            b"[]",
            b'"a string"',
            b'{"context": "no idea"}',
            b'{"idea": 12345}',
            b'{"idea": null}',
            b'{"idea": ["Design an API"]}',
            b'{"idea": "Design an API", "backend": "three-shot"}',
            b'{"idea": "Design an API", "backend": ""}',
            b'{"idea": "Design an API", "temperature": 2}',
            b'{"idea": "\\ud800 lone surrogate"}',
            b'{"idea": "Design \\udcff an API"}',
            b'{"idea": "Design an API", "context": "\\udfff"}',
        )
    ),
    # a body that is not UTF-8 cannot be parsed at all: 400
    (_improve(b'\xff\xfe{"idea": "Design an API"}'), 400),
    (_improve(b'{"idea": "Design \xff\xfe an API"}'), 400),
    (_improve({"idea": "Design an API"}, "text/plain"), 422),
    (_improve({"idea": "Design an API"}, "application/x-www-form-urlencoded"), 422),
    (_improve({"idea": "Design an API", "context": "x" * 70_000}), 413),
    # history parameters: 422
    *((_get("/api/v1/history", limit=value), 422) for value in (0, -1, 201, "ten", "", 1.5, HUGE)),
    *((_get("/api/v1/history", offset=value), 422) for value in (-1, "abc", "", 1.5, HUGE)),
    (_get("/api/v1/history", backend="three-shot"), 422),
    (_get("/api/v1/history", search="x" * 501), 422),
    # run ids: 422 out of range, 404 unknown
    *((_get(f"/api/v1/history/{value}"), 422) for value in (0, -1, HUGE, "abc", "1.5", "1e3")),
    (_get("/api/v1/history/99"), 404),
    (_get("/api/v1/history/9223372036854775807"), 404),
    # unknown paths and methods
    (_get("/api/v1/nothing"), 404),
    (("delete", "/api/v1/history/1", {}), 405),
    (("put", IMPROVE, {"json": {"idea": "Design an API"}}), 405),
    (_get(IMPROVE), 405),
]

HOSTILE_BUT_VALID: list[tuple] = [
    *(_get("/api/v1/history", search=text) for text in (*FTS_SYNTAX, *HOSTILE_TEXTS.values())),
    _get("/api/v1/history", offset=HUGE - 1),
    _get("/api/v1/history", limit=200),
    _get("/api/v1/history/1"),
    _get("/api/v1/stats"),
    _get("/health"),
    _get("/health/repository"),
]


def rows(db_path) -> list[tuple]:
    return query(db_path, "SELECT * FROM prompt_history ORDER BY id")


@pytest.fixture
def client(db_path):
    service = dummy_service(db_path, OPENAI_API_KEY="sk-api-secret-0123456789")
    service.improve("Design a REST API for user management")
    return TestClient(create_app(service), base_url="http://localhost")


@pytest.mark.parametrize(("request_", "status"), BAD_REQUESTS, ids=lambda v: repr(v)[:70])
def test_bad_requests_get_their_documented_status_and_change_nothing(
    client, db_path, request_, status
):
    method, path, options = request_
    before = rows(db_path)
    response = client.request(method, path, **options)
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    assert detail and (isinstance(detail, list) or "\n" not in detail)
    assert "Traceback" not in response.text
    assert rows(db_path) == before


@pytest.mark.parametrize("request_", HOSTILE_BUT_VALID, ids=lambda v: repr(v)[:70])
def test_hostile_but_valid_requests_are_answered(client, db_path, request_):
    method, path, options = request_
    before = rows(db_path)
    response = client.request(method, path, **options)
    assert response.status_code == 200, response.text
    assert rows(db_path) == before


@pytest.mark.parametrize("idea", list(HOSTILE_TEXTS.values()), ids=list(HOSTILE_TEXTS))
def test_hostile_ideas_are_stored_once_as_given(client, db_path, idea):
    response = client.post(IMPROVE, json={"idea": idea})
    assert response.status_code == 200
    assert query(db_path, "SELECT id, original_idea FROM prompt_history WHERE id > 1") == [
        (2, idea)
    ]


# -- Host header -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("localhost", 200),
        ("localhost:8000", 200),
        ("127.0.0.1:8000", 200),
        ("[::1]:8000", 200),
        ("evil.example", 400),
        ("evil.example:8000", 400),
        ("localhost.evil.example", 400),
        ("127.0.0.1.nip.io", 400),
        ("", 400),
    ],
)
def test_only_the_configured_host_names_are_answered(client, host, status):
    response = client.get("/api/v1/history", headers={"host": host})
    assert response.status_code == status
    if status == 400:
        assert response.text == "Invalid host header"


def test_api_host_and_api_allowed_hosts_set_the_names(db_path):
    by_host = TestClient(create_app(dummy_service(db_path, API_HOST="workbench.lan")))
    assert by_host.get("/health", headers={"host": "workbench.lan"}).status_code == 200
    assert by_host.get("/health", headers={"host": "localhost"}).status_code == 200
    listed = dummy_service(db_path, API_ALLOWED_HOSTS="api.example.com, *.corp.example")
    explicit = TestClient(create_app(listed))
    assert explicit.get("/health", headers={"host": "api.example.com"}).status_code == 200
    assert explicit.get("/health", headers={"host": "x.corp.example"}).status_code == 200
    assert explicit.get("/health", headers={"host": "localhost"}).status_code == 400


# -- body read timeout -----------------------------------------------------------------------


def test_a_body_that_never_arrives_is_408_after_the_read_timeout(db_path):
    app = create_app(dummy_service(db_path, API_READ_TIMEOUT_S=0.3))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": IMPROVE,
        "raw_path": IMPROVE.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"localhost"), (b"content-length", b"1000")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 8000),
    }
    sent: list[dict] = []

    async def receive() -> dict:
        if not sent and not getattr(receive, "started", False):
            receive.started = True  # type: ignore[attr-defined]
            return {"type": "http.request", "body": b'{"idea": "Des', "more_body": True}
        await asyncio.sleep(3600)  # the rest of the body never comes
        raise AssertionError("unreachable")

    async def send(message: dict) -> None:
        sent.append(message)

    async def scenario() -> None:
        await asyncio.wait_for(app(scope, receive, send), timeout=10)

    asyncio.run(scenario())
    assert sent[0]["status"] == 408
    assert json.loads(sent[1]["body"]) == {
        "detail": "The request body did not arrive within 0.3 s."
    }
    assert not db_path.exists()  # nothing reached the service


# -- secrets ---------------------------------------------------------------------------------


def test_a_provider_error_echoing_the_key_is_masked_in_the_response_and_log(tmp_path, caplog):
    secret = "sk-api-echo-secret-0123456789abcdef"
    with key_echoing_service(secret, tmp_path / "h.db") as service:
        client = TestClient(create_app(service), base_url="http://localhost")
        with caplog.at_level(logging.DEBUG):
            response = client.post(IMPROVE, json={"idea": "Design a REST API for users"})
    assert response.status_code == 503
    assert response.json()["detail"].startswith("The language model openai/gpt-4o-mini failed:")
    assert "sk-...cdef" in response.json()["detail"]
    assert secret not in response.text
    assert secret not in caplog.text
