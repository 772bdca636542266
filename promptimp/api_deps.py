"""What the API's routers share: the service and history dependencies, the run id a path
names, and the one-line error body their OpenAPI responses document."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request
from pydantic import BaseModel

from promptimp.history import HistoryReader
from promptimp.models import HistoryDisabledError
from promptimp.service import ImproveService

SQLITE_MAX_INT = 2**63 - 1


class ErrorDetail(BaseModel):
    """Every error but 422: one line naming what went wrong or what to fix."""

    detail: str


def errors(*codes: int) -> dict[int | str, dict[str, object]]:
    """OpenAPI `responses` documenting `codes` with the ErrorDetail body."""
    return {code: {"model": ErrorDetail} for code in codes}


def _service(request: Request) -> ImproveService:
    return request.app.state.service


Service = Annotated[ImproveService, Depends(_service)]


def _history(service: Service) -> HistoryReader:
    try:
        return service.history
    except HistoryDisabledError as error:
        raise HTTPException(503, str(error)) from None


History = Annotated[HistoryReader, Depends(_history)]
RunId = Annotated[int, Path(ge=1, le=SQLITE_MAX_INT)]
