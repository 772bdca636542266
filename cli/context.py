"""What every command shares: the service on the Typer context, options, plain usage lines.

The service is built on first use, so `--help` needs neither settings nor a database. Tests
hand their own in: `CliRunner().invoke(app, args, obj=CliState(service))`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from typer._click import Context  # Typer vendors click; pinned in requirements.txt
from typer.core import TyperCommand

from promptimp.models import BackendType
from promptimp.settings import load_settings

if TYPE_CHECKING:
    from promptimp.service import ImproveService

JsonFlag = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
BackendOption = Annotated[
    BackendType | None, typer.Option("--backend", help="zero-shot or few-shot.")
]
ModelOption = Annotated[
    str | None, typer.Option("--model", help="A model id from `promptimp models`.")
]


class PlainCommand(TyperCommand):
    """A command whose usage line names arguments plainly (IDEA, not {idea})."""

    def collect_usage_pieces(self, ctx: Context) -> list[str]:
        return [
            piece[1:-1].upper() if piece.startswith("{") else piece
            for piece in super().collect_usage_pieces(ctx)
        ]


class CliState:
    """The service one `promptimp` invocation uses, built from the settings on first use."""

    def __init__(self, service: ImproveService | None = None) -> None:
        self._service = service

    @property
    def service(self) -> ImproveService:
        if self._service is None:
            from promptimp.service import ImproveService  # DSPy-free until a prompt is improved

            self._service = ImproveService(load_settings())
            self._service.startup_cleanup()
        return self._service


def service_of(ctx: typer.Context) -> ImproveService:
    """The invocation's service (its history is read as `service.history`)."""
    return ctx.ensure_object(CliState).service
