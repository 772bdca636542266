"""The crafting loop over HTTP: try a run, refine it, its versions and keeper, its trials, tags,
stability, the prompt library, the user trainset and the models to choose from.

Each endpoint parses, calls `service.crafting` and answers; the loop decides the rest, and
its errors map as in api.py (400 input refused, 503 model or history unavailable). A run id
that names no stored run is 404. Handlers are plain `def`, so the model calls run in
FastAPI's threadpool.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from promptimp.api_deps import History, RunId, Service, errors
from promptimp.crafting.library import LibraryEntry
from promptimp.crafting.user_trainset import UserExample
from promptimp.crafting_loop import StabilityResult, TrialResult
from promptimp.history.records import Trial
from promptimp.models import BackendType, ImproveResult, PromptRun

router = APIRouter()
MODEL_DESCRIPTION = "A model id from GET /api/v1/models; default: the configured one."
LIBRARY_TYPES = {"md": "text/markdown; charset=utf-8", "json": "application/json"}


# -- request and response models -----------------------------------------------------------


class TryRequest(BaseModel):
    """Which model to try the run on."""

    model_config = ConfigDict(extra="forbid")

    model: str | None = Field(default=None, description=MODEL_DESCRIPTION)


class RefineRequest(BaseModel):
    """What to change (1 to 2,000 characters, else 400) and which model rewrites it."""

    model_config = ConfigDict(extra="forbid")

    feedback: str = Field(examples=["Shorter", "Add a guardrail about security"])
    model: str | None = Field(default=None, description=MODEL_DESCRIPTION)


class TagRequest(BaseModel):
    """A tag: letters, digits, '-', '_' or '.', up to 40 (spaces become '-'), else 400."""

    model_config = ConfigDict(extra="forbid")

    tag: str = Field(examples=["tested", "production"])


class StabilityRequest(BaseModel):
    """One idea to improve `runs` times (1 to 10, else 400)."""

    model_config = ConfigDict(extra="forbid")

    idea: str = Field(examples=["Design a REST API for user management"])
    context: str = ""
    backend: BackendType | None = Field(default=None, description="Default: the configured one.")
    runs: int = Field(default=5, examples=[5])
    model: str | None = Field(default=None, description=MODEL_DESCRIPTION)


class ModelInfo(BaseModel):
    """A model a request can name: its id and a label for people."""

    id: str
    label: str


# -- dependencies ---------------------------------------------------------------------------


def _stored_run(history: History, run_id: RunId) -> int:
    """`run_id` when it names a stored run, else 404."""
    if history.get(run_id) is None:
        raise HTTPException(404, f"No run with id {run_id}.")
    return run_id


StoredRunId = Annotated[int, Depends(_stored_run)]


# -- runs -----------------------------------------------------------------------------------


@router.post(
    "/api/v1/runs/{run_id}/try",
    response_model=TrialResult,
    responses=errors(400, 404, 413, 503),
    tags=["crafting"],
)
def try_run(run_id: StoredRunId, service: Service, body: TryRequest | None = None) -> TrialResult:
    """Send the run's improved prompt and its original idea to a model; store the answers."""
    return service.crafting.try_run(run_id, body.model if body else None)


@router.get(
    "/api/v1/runs/{run_id}/trials",
    response_model=list[Trial],
    responses=errors(404, 503),
    tags=["crafting"],
)
def trials(run_id: StoredRunId, history: History) -> list[Trial]:
    """The run's stored trials, newest first."""
    return history.trials(run_id)


@router.post(
    "/api/v1/runs/{run_id}/refine",
    response_model=ImproveResult,
    responses=errors(400, 404, 413, 503),
    tags=["crafting"],
)
def refine(run_id: StoredRunId, body: RefineRequest, service: Service) -> ImproveResult:
    """A new version of the run that follows the feedback, stored with the run as its parent
    (`run.id` is null and `warnings` says why when it was not stored)."""
    return service.crafting.refine(run_id, body.feedback, body.model)


@router.get(
    "/api/v1/runs/{run_id}/versions",
    response_model=list[PromptRun],
    responses=errors(404, 503),
    tags=["crafting"],
)
def versions(run_id: StoredRunId, service: Service) -> list[PromptRun]:
    """Every version of the run's chain, oldest first."""
    return service.crafting.versions(run_id)


@router.post(
    "/api/v1/runs/{run_id}/keep",
    response_model=PromptRun,
    responses=errors(404, 503),
    tags=["crafting"],
)
def keep(run_id: StoredRunId, service: Service) -> PromptRun:
    """Make this version the keeper of its chain (exactly one per chain); the run as stored."""
    return service.crafting.keep(run_id)


@router.post(
    "/api/v1/runs/{run_id}/tags",
    response_model=PromptRun,
    responses=errors(400, 404, 413, 503),
    tags=["crafting"],
)
def add_tag(run_id: StoredRunId, body: TagRequest, service: Service) -> PromptRun:
    """Tag the run (lower case, spaces as '-'); the run as stored, with its tags."""
    return service.crafting.tag(run_id, body.tag)


@router.delete(
    "/api/v1/runs/{run_id}/tags/{tag}",
    response_model=PromptRun,
    responses=errors(400, 404, 503),
    tags=["crafting"],
)
def remove_tag(run_id: StoredRunId, tag: str, service: Service) -> PromptRun:
    """Remove a tag from the run (400 when it does not have it); the run with its tags."""
    return service.crafting.untag(run_id, tag)


# -- stability, the library and the models --------------------------------------------------


@router.post(
    "/api/v1/stability",
    response_model=StabilityResult,
    responses=errors(400, 413, 503),
    tags=["crafting"],
)
def stability(body: StabilityRequest, service: Service) -> StabilityResult:
    """Improve one idea `runs` times (each run stored) and the spread of the answers."""
    return service.crafting.stability(body.idea, body.context, body.backend, body.runs, body.model)


@router.get(
    "/api/v1/library",
    response_class=Response,
    responses={
        200: {
            "description": "The tagged keepers: Markdown, one section per prompt, or JSON.",
            "content": {
                "text/markdown": {"schema": {"type": "string"}},
                "application/json": {
                    "schema": {"type": "array", "items": LibraryEntry.model_json_schema()}
                },
            },
        },
        **errors(400, 503),
    },
    tags=["crafting"],
)
def library(
    history: History,
    service: Service,
    fmt: Annotated[Literal["md", "json"], Query(alias="format")] = "md",
    tag: Annotated[str | None, Query(description="Only keepers with this tag.")] = None,
) -> Response:
    """The prompt library: every keeper that carries a tag (or `tag`), newest first."""
    return Response(service.crafting.library(fmt, tag), media_type=LIBRARY_TYPES[fmt])


@router.get("/api/v1/models", response_model=list[ModelInfo], tags=["crafting"])
def models(service: Service) -> list[ModelInfo]:
    """The models try, refine, stability and improve can name, the configured one first."""
    return [ModelInfo(id=choice.id, label=choice.label) for choice in service.available_models()]


# -- the user trainset ----------------------------------------------------------------------


@router.post(
    "/api/v1/runs/{run_id}/trainset",
    response_model=UserExample,
    responses=errors(400, 404, 503),
    tags=["trainset"],
)
def add_to_trainset(run_id: StoredRunId, service: Service) -> UserExample:
    """Add a good run to the user trainset; few-shot draws demos from it from now on."""
    return service.crafting.add_to_trainset(run_id)


@router.get("/api/v1/trainset", response_model=list[UserExample], tags=["trainset"])
def trainset(service: Service) -> list[UserExample]:
    """The user trainset's examples in file order."""
    return service.crafting.trainset()


@router.delete(
    "/api/v1/trainset/{run_id}",
    response_model=UserExample,
    responses=errors(404, 503),
    tags=["trainset"],
)
def remove_from_trainset(run_id: RunId, service: Service) -> UserExample:
    """Remove the example made from run `run_id` (404 when none was); the one removed."""
    if all(example.source_run_id != run_id for example in service.crafting.trainset()):
        raise HTTPException(404, f"No example of the user trainset comes from run {run_id}.")
    return service.crafting.remove_from_trainset(run_id=run_id)
