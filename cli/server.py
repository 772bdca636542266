"""Commands about the running system: health, the HTTP API and the compiled few-shot program."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.context import JsonFlag, PlainCommand, service_of
from cli.output import echo, echo_json

server_app = typer.Typer()


@server_app.command(cls=PlainCommand)
def health(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Storage status, record count, averages, breaker state, provider and model."""
    report = service_of(ctx).health()
    if as_json:
        echo_json(report.model_dump(mode="json"))
    else:
        for name, value in report.model_dump().items():
            echo(f"{name}: {'n/a' if value is None else value}")
    if report.status == "unhealthy":
        raise typer.Exit(1)


@server_app.command(cls=PlainCommand)
def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Default: API_HOST.")] = None,
    port: Annotated[int | None, typer.Option(help="Default: API_PORT.")] = None,
) -> None:
    """Start the HTTP API (FastAPI on uvicorn)."""
    from promptimp.api import serve as serve_api

    serve_api(service_of(ctx), host=host, port=port)


@server_app.command("compile-fewshot", cls=PlainCommand)
def compile_fewshot(ctx: typer.Context) -> None:
    """Compile the few-shot program from the trainset and save it as JSON."""
    from tqdm import tqdm

    from promptimp.fewshot import compile_fewshot as compile_program

    with tqdm(desc="Compiling few-shot demos", unit="example") as bar:

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        path = compile_program(service_of(ctx).settings, progress=progress)
    typer.echo(f"Saved the compiled few-shot program to {path}.")
