"""The `promptimp` command line: one service or store call per command.

Commands that only read the history never import DSPy or litellm, so they start fast.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from eval.cli import eval_app
from promptimp.models import BackendType, InputError, PromptImpError, PromptRun
from promptimp.settings import Settings, SettingsError, load_settings

app = typer.Typer(
    help="Turn rough ideas into structured, high-quality prompts.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
BackendOption = Annotated[
    BackendType | None, typer.Option("--backend", help="zero-shot or few-shot.")
]


class ExportFormat(StrEnum):
    CSV = "csv"
    JSON = "json"


class _State:
    """Settings and service, built on first use (so `--help` needs neither)."""

    def __init__(self) -> None:
        self._service: Any = None

    @property
    def settings(self) -> Settings:
        return self.service.settings

    @property
    def service(self):  # noqa: ANN201 - ImproveService, imported lazily
        if self._service is None:
            from promptimp.service import ImproveService

            self._service = ImproveService(load_settings())
            self._service.startup_cleanup()
        return self._service

    @property
    def store(self):  # noqa: ANN201 - RunStore
        store = self.service.store
        if store is None:
            raise InputError("History is disabled (SQLITE_ENABLED=false).")
        return store


state = _State()
app.add_typer(eval_app, name="eval")


def _echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _run_dict(run: PromptRun) -> dict[str, Any]:
    return run.model_dump(mode="json")


def _print_run(run: PromptRun) -> None:
    confidence = "n/a" if run.confidence is None else f"{run.confidence:.2f}"
    typer.echo(
        f"#{run.id if run.id is not None else '-'}  {run.backend.value}  "
        f"confidence {confidence}  {run.latency_ms} ms  {run.model_version}"
    )
    typer.echo(f"Role:      {run.role}")
    typer.echo(f"Directive: {run.directive}")
    typer.echo(f"Framework: {run.framework}")
    typer.echo("Guardrails:")
    for rule in run.guardrails:
        typer.echo(f"  - {rule}")
    if run.reasoning:
        typer.echo(f"Reasoning: {run.reasoning}")
    typer.echo("\n" + run.improved_prompt)


def _print_table(runs: list[PromptRun]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table("id", "when (UTC)", "backend", "conf.", "ms", "idea")
    for run in runs:
        confidence = "" if run.confidence is None else f"{run.confidence:.2f}"
        table.add_row(
            str(run.id),
            run.timestamp.strftime("%Y-%m-%d %H:%M"),
            run.backend.value,
            confidence,
            str(run.latency_ms or ""),
            run.original_idea[:60],
        )
    Console().print(table)


@app.command()
def improve(
    idea: Annotated[str, typer.Argument(help="The rough idea to improve.")],
    context: Annotated[str, typer.Option("--context", "-c", help="Optional context.")] = "",
    backend: BackendOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Improve IDEA into a structured prompt and store the run."""
    result = state.service.improve(idea, context, backend)
    if as_json:
        _echo_json({**_run_dict(result.run), "warnings": list(result.warnings)})
        return
    _print_run(result.run)
    for warning in result.warnings:
        typer.echo(f"warning: {warning}", err=True)


@app.command()
def history(
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 20,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    backend: BackendOption = None,
    search: Annotated[str | None, typer.Option(help="Full-text search.")] = None,
    since: Annotated[datetime | None, typer.Option(help="Runs at or after (UTC).")] = None,
    until: Annotated[datetime | None, typer.Option(help="Runs before (UTC).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """List stored runs, newest first."""
    from promptimp.store import RunFilter

    filters = RunFilter(text=search or "", backend=backend, since=since, until=until)
    runs = state.store.query(filters, limit=limit, offset=offset)
    if as_json:
        _echo_json([_run_dict(run) for run in runs])
    else:
        _print_table(runs)


@app.command()
def show(run_id: Annotated[int, typer.Argument(help="Run id.")], as_json: JsonFlag = False) -> None:
    """Show one stored run."""
    run = state.store.get(run_id)
    if run is None:
        raise InputError(f"No run with id {run_id}.")
    if as_json:
        _echo_json(_run_dict(run))
    else:
        _print_run(run)


@app.command()
def stats(as_json: JsonFlag = False) -> None:
    """Totals, averages and latency percentiles, overall and per backend."""
    figures = state.store.statistics()
    if as_json:
        _echo_json(figures)
        return
    for name, value in figures.items():
        if name != "by_backend":
            typer.echo(f"{name}: {value}")
    for backend_name, group in figures["by_backend"].items():
        typer.echo(f"{backend_name}: {group}")


@app.command()
def cleanup(days: Annotated[int, typer.Option(min=1, help="Delete runs older than this.")]) -> None:
    """Delete runs older than DAYS days."""
    removed = state.store.delete_old(days)
    typer.echo(f"Deleted {removed} runs older than {days} days.")


@app.command()
def export(
    fmt: Annotated[ExportFormat, typer.Option("--format", help="csv or json.")] = ExportFormat.CSV,
    output: Annotated[Path | None, typer.Option(help="File to write; stdout if absent.")] = None,
) -> None:
    """Export every stored run as CSV or JSON."""
    writer = state.store.export_csv if fmt is ExportFormat.CSV else state.store.export_json
    if output is None:
        writer(sys.stdout)
        return
    with output.open("w", encoding="utf-8", newline="") as handle:
        count = writer(handle)
    typer.echo(f"Wrote {count} runs to {output}.", err=True)


@app.command()
def health(as_json: JsonFlag = False) -> None:
    """Storage status, record count, averages, breaker state, provider and model."""
    report = state.service.health()
    if as_json:
        _echo_json(report.model_dump(mode="json"))
    else:
        for name, value in report.model_dump().items():
            typer.echo(f"{name}: {value}")
    if report.status == "unhealthy":
        raise typer.Exit(1)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Default: API_HOST.")] = None,
    port: Annotated[int | None, typer.Option(help="Default: API_PORT.")] = None,
) -> None:
    """Start the HTTP API (FastAPI on uvicorn)."""
    from promptimp.api import serve as serve_api

    serve_api(state.service, host=host, port=port)


@app.command("compile-fewshot")
def compile_fewshot() -> None:
    """Compile the few-shot program from the trainset and save it as JSON."""
    from tqdm import tqdm

    from promptimp.fewshot import compile_fewshot as compile_program

    with tqdm(desc="Compiling few-shot demos", unit="example") as bar:

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        path = compile_program(state.settings, progress=progress)
    typer.echo(f"Saved the compiled few-shot program to {path}.")


def main() -> None:
    """Console-script entry: one-line errors, exit 2 for bad input, 1 for failures."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    try:
        app()
    except (InputError, SettingsError) as error:
        typer.echo(f"error: {error}", err=True)
        sys.exit(2)
    except PromptImpError as error:
        typer.echo(f"error: {error}", err=True)
        sys.exit(1)
