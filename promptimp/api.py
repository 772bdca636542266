"""The HTTP API: FastAPI over the same ImproveService as the pages and the CLI.

`create_app(service)` builds the app; `serve(service)` runs it on uvicorn. Every error is JSON
`{"detail": "<one line>"}`: 400 input the service refuses, a body that is not UTF-8, or a
Host header not allowed (plain text), 404 unknown run, 408 body not received in time, 413
body over 64 KiB, 422 malformed request, 503 language model failed, history unavailable
(storage disabled or failing, or too many connections) or the user trainset file unusable.
Handlers are plain `def`, so FastAPI runs the blocking DSPy and SQLite calls in its
threadpool. The service masks API keys in its errors. The crafting loop's endpoints live in
api_crafting.py; what both routers share (service, history, run id) in api_deps.py.

Only the host names of `Settings.allowed_hosts` are answered (a DNS-rebinding page cannot
read the history), and `serve` bounds slow clients: request headers and bodies must arrive
within API_READ_TIMEOUT_S, idle keep-alive connections close after KEEP_ALIVE_S, headers are
at most MAX_HEADER_BYTES and at most API_MAX_CONNECTIONS connections are served at once.
"""

from __future__ import annotations

import json
import logging
from typing import Annotated, Literal

from fastapi import APIRouter, FastAPI, HTTPException, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.datastructures import Headers
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from promptimp.api_crafting import router as crafting_router
from promptimp.api_deps import SQLITE_MAX_INT, History, RunId, Service, errors
from promptimp.history import RunFilter
from promptimp.history.records import Statistics
from promptimp.http_limits import BodyReadTimeout, header_timeout_protocol
from promptimp.models import (
    BackendType,
    HistoryDisabledError,
    InputError,
    ModelError,
    OutputError,
    PromptImpError,
    PromptRun,
    RepositoryError,
)
from promptimp.service import ImproveService
from promptimp.settings import Settings

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
MAX_HEADER_BYTES = 16 * 1024
KEEP_ALIVE_S = 5
MAX_PAGE_SIZE = 200
MAX_SEARCH_CHARS = 500


# -- request and response models -----------------------------------------------------------


class ImproveRequest(BaseModel):
    """A rough idea to improve; the idea must have at least 5 characters (else 400)."""

    model_config = ConfigDict(extra="forbid")

    idea: str = Field(examples=["Design a REST API for user management"])
    context: str = Field(default="", examples=["Python, FastAPI, PostgreSQL"])
    backend: BackendType | None = Field(default=None, description="Default: the configured one.")

    @field_validator("idea", "context")
    @classmethod
    def _encodable(cls, value: str) -> str:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("must be valid Unicode text (no lone surrogates)") from None
        return value


class ImproveResponse(BaseModel):
    """The improved prompt; `id` is null and `warnings` says why when it was not stored."""

    id: int | None
    improved_prompt: str
    role: str
    directive: str
    framework: str
    guardrails: list[str]
    reasoning: str
    confidence: float | None
    backend: BackendType
    latency_ms: int | None
    warnings: list[str]


class HistoryPage(BaseModel):
    """One page of stored runs, newest first, and how many runs match in all."""

    items: list[PromptRun]
    total: int
    limit: int
    offset: int


class RepositoryHealth(BaseModel):
    """Storage status; answered with 503 when `unhealthy`."""

    status: Literal["healthy", "unhealthy", "disabled"]
    total_records: int | None
    database_path: str
    average_confidence: float | None
    average_latency_ms: float | None
    breaker_state: str
    reason: str


class Health(BaseModel):
    """`degraded` when storage is unhealthy: prompts are still improved, not stored."""

    status: Literal["healthy", "degraded"]
    provider: str
    model: str


# -- endpoints ------------------------------------------------------------------------------


router = APIRouter()


@router.post(
    "/api/v1/improve-prompt",
    response_model=ImproveResponse,
    responses=errors(400, 413, 503),
    tags=["improve"],
)
def improve_prompt(body: ImproveRequest, service: Service) -> ImproveResponse:
    """Improve an idea into a structured prompt and store the run (if storage allows)."""
    result = service.improve(body.idea, body.context, body.backend)
    return ImproveResponse.model_validate(
        {**result.run.model_dump(), "warnings": list(result.warnings)}
    )


@router.get("/api/v1/history", response_model=HistoryPage, responses=errors(503), tags=["history"])
def history_page(
    history: History,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
    offset: Annotated[int, Query(ge=0, le=SQLITE_MAX_INT)] = 0,
    backend: BackendType | None = None,
    search: Annotated[
        str | None, Query(max_length=MAX_SEARCH_CHARS, description="Full-text search.")
    ] = None,
) -> HistoryPage:
    """Stored runs, newest first, optionally of one backend and matching every search word."""
    filters = RunFilter(text=search or "", backend=backend.value if backend else None)
    runs = history.query(filters, limit=limit, offset=offset)
    return HistoryPage(items=runs, total=history.count(filters), limit=limit, offset=offset)


@router.get(
    "/api/v1/history/{run_id}",
    response_model=PromptRun,
    responses=errors(404, 503),
    tags=["history"],
)
def history_run(history: History, run_id: RunId) -> PromptRun:
    """One stored run."""
    run = history.get(run_id)
    if run is None:
        raise HTTPException(404, f"No run with id {run_id}.")
    return run


@router.get("/api/v1/stats", response_model=Statistics, responses=errors(503), tags=["history"])
def stats(history: History) -> Statistics:
    """Totals, averages and nearest-rank latency percentiles, overall and per backend."""
    return history.statistics()


@router.get(
    "/health/repository",
    response_model=RepositoryHealth,
    responses={503: {"model": RepositoryHealth, "description": "Storage is unhealthy."}},
    tags=["health"],
)
def repository_health(service: Service) -> JSONResponse:
    """Storage status, record count and averages; `disabled` when SQLITE_ENABLED=false."""
    report = RepositoryHealth.model_validate(service.health().model_dump())
    code = 503 if report.status == "unhealthy" else 200
    return JSONResponse(report.model_dump(mode="json"), status_code=code)


@router.get("/health", response_model=Health, tags=["health"])
def health(service: Service) -> Health:
    """Overall status with the configured provider and model; cheap enough to poll (neither
    the LM nor an integrity check runs: /health/repository says why storage is unhealthy)."""
    status = "healthy" if service.storage_answers() else "degraded"
    settings = service.settings
    return Health(status=status, provider=settings.LLM_PROVIDER.value, model=settings.model_name)


# -- app ------------------------------------------------------------------------------------


class BodySizeLimit:
    """ASGI middleware: 413 when Content-Length or the bytes actually sent exceed the limit.

    It buffers the (small) body itself, so a chunked or lying client is caught too.
    """

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large(scope, receive, send)
            return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if len(body) > self.max_bytes:
                await self._too_large(scope, receive, send)
                return
            more = message.get("more_body", False)
        replayed = False

        async def replay() -> dict[str, object]:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        detail = f"The request body is over the {self.max_bytes // 1024} KiB limit."
        await JSONResponse({"detail": detail}, status_code=413)(scope, receive, send)


class AsciiJSONResponse(JSONResponse):
    """JSON with non-ASCII escaped, so echoing a lone surrogate from the input cannot fail."""

    def render(self, content: object) -> bytes:
        return json.dumps(content, ensure_ascii=True, separators=(",", ":")).encode("ascii")


async def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
    """FastAPI's 422 body, rendered safely."""
    return AsciiJSONResponse({"detail": jsonable_encoder(error.errors())}, status_code=422)


ERROR_STATUS: dict[type[PromptImpError], int] = {
    HistoryDisabledError: 503,
    OutputError: 503,
    InputError: 400,
    ModelError: 503,
    RepositoryError: 503,
    PromptImpError: 503,
}
"""The status code for each error the service raises on purpose, the first kind that matches.
No request names a file, so an OutputError is the server's own (the user trainset), and any
other error (a malformed trainset file) is the server's too."""


async def domain_error(request: Request, error: Exception) -> JSONResponse:
    """The service's one-line message (keys already masked by the service) as `detail`."""
    code = next(code for kind, code in ERROR_STATUS.items() if isinstance(error, kind))
    detail = str(error)
    if code >= 500:
        log.warning("%s %s -> %d: %s", request.method, request.url.path, code, detail)
    return JSONResponse({"detail": detail}, status_code=code)


def create_app(service: ImproveService, allowed_hosts: list[str] | None = None) -> FastAPI:
    """The API over `service`; interactive docs at /docs, the schema at /openapi.json.

    Requests must name one of `allowed_hosts` (default: the settings' allowed hosts).
    """
    app = FastAPI(
        title="Prompt Improver Workbench API",
        version="1.0.0",
        description="Turn a rough idea into a structured, high-quality prompt.",
        generate_unique_id_function=lambda route: route.name,
    )
    app.state.service = service
    app.include_router(router)
    app.include_router(crafting_router)
    hosts = service.settings.allowed_hosts if allowed_hosts is None else allowed_hosts
    app.add_middleware(BodySizeLimit, max_bytes=MAX_BODY_BYTES)
    app.add_middleware(BodyReadTimeout, timeout_s=service.settings.API_READ_TIMEOUT_S)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=_host_patterns(hosts))
    for kind in ERROR_STATUS:
        app.add_exception_handler(kind, domain_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    return app


def _host_patterns(hosts: list[str]) -> list[str]:
    """Allowed host names as Starlette compares them (IPv6 literals in brackets)."""
    return [f"[{host}]" if ":" in host and not host.startswith("[") else host for host in hosts]


def server_options(settings: Settings) -> dict[str, object]:
    """uvicorn's limits for slow, half-open and too many connections."""
    return {
        "http": header_timeout_protocol(settings.API_READ_TIMEOUT_S),
        "timeout_keep_alive": KEEP_ALIVE_S,
        "h11_max_incomplete_event_size": MAX_HEADER_BYTES,
        "limit_concurrency": settings.API_MAX_CONNECTIONS,
    }


def serve(service: ImproveService, host: str | None = None, port: int | None = None) -> None:
    """Run the API on uvicorn at host:port (default API_HOST:API_PORT) until interrupted.

    Retention clean-up is not run here: whoever builds the service runs
    `service.startup_cleanup()` once (the CLI does, as it builds the service).
    A host given here is also allowed in the Host header.
    """
    import uvicorn

    settings = service.settings
    hosts = settings.model_copy(update={"API_HOST": host or settings.API_HOST}).allowed_hosts
    uvicorn.run(
        create_app(service, allowed_hosts=hosts),
        host=host or settings.API_HOST,
        port=settings.API_PORT if port is None else port,
        **server_options(settings),
    )
