"""Commands over runs: improve one, show, list and copy the history, figures, retention, export.

Commands that only read the history never import DSPy or litellm, so they start fast.
"""

from __future__ import annotations

import sys
from datetime import datetime
from enum import StrEnum
from typing import Annotated

import typer

from cli.context import BackendOption, JsonFlag, ModelOption, PlainCommand, service_of
from cli.output import (
    echo_json,
    figure,
    print_result,
    print_run,
    print_table,
    run_dict,
    stderr_console,
)
from promptimp.models import InputError
from promptimp.text import plural

HISTORY_PAGE = 20

runs_app = typer.Typer()
history_app = typer.Typer(help="List stored runs; `history copy` moves a whole history.")


class ExportFormat(StrEnum):
    CSV = "csv"
    JSON = "json"


@runs_app.command(cls=PlainCommand)
def improve(
    ctx: typer.Context,
    idea: Annotated[str, typer.Argument(help="The rough idea to improve.", metavar="IDEA")],
    context: Annotated[str, typer.Option("--context", "-c", help="Optional context.")] = "",
    backend: BackendOption = None,
    model: ModelOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Improve IDEA into a structured prompt and store the run."""
    print_result(service_of(ctx).improve(idea, context, backend, model=model), as_json)


@history_app.callback(invoke_without_command=True)
def history(
    ctx: typer.Context,
    limit: Annotated[
        int, typer.Option(min=1, max=10_000, help="How many runs to list.")
    ] = HISTORY_PAGE,
    offset: Annotated[int, typer.Option(min=0, help="How many newest runs to skip.")] = 0,
    backend: BackendOption = None,
    search: Annotated[str | None, typer.Option(help="Full-text search.")] = None,
    since: Annotated[datetime | None, typer.Option(help="Runs at or after (UTC).")] = None,
    until: Annotated[datetime | None, typer.Option(help="Runs at or before (UTC).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """List stored runs, newest first, a page at a time (20 unless --limit says otherwise)."""
    if ctx.invoked_subcommand:
        return
    from promptimp.history import RunFilter

    filters = RunFilter(text=search or "", backend=backend, since=since, until=until)
    history = service_of(ctx).history
    runs = history.query(filters, limit=limit, offset=offset)
    if as_json:
        echo_json([run_dict(run) for run in runs])
        return
    if not runs:
        typer.echo("No runs match." if offset == 0 else "No runs on this page.", err=True)
        return
    print_table(runs)
    total = history.count(filters)
    if offset + len(runs) < total:
        typer.echo(
            f"Runs {offset + 1}-{offset + len(runs)} of {total:,}; see more with"
            f" --offset {offset + len(runs)} or a larger --limit.",
            err=True,
        )


@history_app.command("copy", cls=PlainCommand)
def copy(
    ctx: typer.Context,
    to: Annotated[
        str | None, typer.Option("--to", help="postgresql:// URL or SQLite file to copy into.")
    ] = None,
    source: Annotated[
        str | None, typer.Option("--from", help="postgresql:// URL or SQLite file to copy from.")
    ] = None,
) -> None:
    """Copy this whole history (runs, comparisons, evaluation runs) --to another database, or
    one --from another into this one. Ids are kept; copying again adds nothing."""
    from rich.progress import Progress

    if (to is None) == (source is None):
        raise InputError("Give exactly one of --to URL or --from URL.")
    with Progress(transient=True, console=stderr_console()) as progress:
        task = progress.add_task("Copying runs", total=None)
        report = service_of(ctx).copy_history(
            to or source or "",
            into_other=to is not None,
            on_runs=lambda done, total: progress.update(task, completed=done, total=total),
        )
    typer.echo(f"Copied {report.source} -> {report.target}: {report.summary()}.")


@runs_app.command(cls=PlainCommand)
def show(
    ctx: typer.Context,
    run_id: Annotated[int, typer.Argument(help="Run id.", metavar="ID")],
    as_json: JsonFlag = False,
) -> None:
    """Show one stored run."""
    run = service_of(ctx).history.get(run_id)
    if run is None:
        raise InputError(f"No run with id {run_id}.")
    if as_json:
        echo_json(run_dict(run))
    else:
        print_run(run)


@runs_app.command(cls=PlainCommand)
def stats(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Totals, averages and latency percentiles, overall and per backend."""
    figures = service_of(ctx).history.statistics()
    if as_json:
        echo_json(figures.model_dump(mode="json"))
        return
    typer.echo(f"Runs stored:         {figure(figures.total_count)}")
    typer.echo(f"Average confidence:  {figure(figures.average_confidence)}")
    typer.echo(f"Average latency:     {figure(figures.average_latency_ms, ' ms')}")
    typer.echo(f"Median latency:      {figure(figures.p50_latency_ms, ' ms')}")
    typer.echo(f"95th pct latency:    {figure(figures.p95_latency_ms, ' ms')}")
    for backend_name, group in figures.by_backend.items():
        typer.echo(
            f"{backend_name + ':':<20} {figure(group.count)} runs, confidence"
            f" {figure(group.average_confidence)}, latency"
            f" {figure(group.average_latency_ms, ' ms')}"
        )


@runs_app.command(cls=PlainCommand)
def cleanup(
    ctx: typer.Context,
    days: Annotated[int, typer.Option(help="Delete runs older than this (1-36500).")],
) -> None:
    """Delete runs older than DAYS days."""
    removed = service_of(ctx).delete_old_runs(days)
    typer.echo(f"Deleted {plural(removed, 'run')} older than {days:,} days.")


@runs_app.command(cls=PlainCommand)
def export(
    ctx: typer.Context,
    fmt: Annotated[ExportFormat, typer.Option("--format", help="csv or json.")] = ExportFormat.CSV,
    output: Annotated[str | None, typer.Option(help="File to write; stdout if absent.")] = None,
) -> None:
    """Export every stored run as CSV or JSON."""
    history = service_of(ctx).history
    writer = history.export_csv if fmt is ExportFormat.CSV else history.export_json
    if output is None:
        writer(sys.stdout)
        return
    count = writer(output)
    typer.echo(f"Wrote {plural(count, 'run')} to {output}.", err=True)
