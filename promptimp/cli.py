"""The `promptimp` command line: one service or store call per command.

Commands that only read the history never import DSPy or litellm, so they start fast.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import datetime
from enum import StrEnum
from importlib.metadata import PackageNotFoundError, version
from typing import Annotated, Any

import typer
from typer._click import Context
from typer._click.exceptions import NoArgsIsHelpError, UsageError  # Typer vendors click
from typer.core import TyperCommand

from eval.cli import eval_app
from promptimp.models import BackendType, InputError, PromptImpError, PromptRun
from promptimp.settings import Settings, SettingsError, load_settings
from promptimp.text import for_terminal, one_line_for_terminal


class _Command(TyperCommand):
    """A command whose usage line names arguments plainly (IDEA, not {idea})."""

    def collect_usage_pieces(self, ctx: Context) -> list[str]:
        return [
            piece[1:-1].upper() if piece.startswith("{") else piece
            for piece in super().collect_usage_pieces(ctx)
        ]


app = typer.Typer(
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,  # plain help: flags without a "<bool>" type column
)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
HISTORY_PAGE = 20
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
    def store(self):  # noqa: ANN201 - HistoryStore, for reading
        return self.service.history


state = _State()
app.add_typer(eval_app, name="eval")
for _info in eval_app.registered_commands:  # the same plain usage lines for `promptimp eval`
    _info.cls = _Command
history_app = typer.Typer(help="List stored runs; `history copy` moves a whole history.")
app.add_typer(history_app, name="history")


def _echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _run_dict(run: PromptRun) -> dict[str, Any]:
    return run.model_dump(mode="json")


def _echo(text: str, err: bool = False) -> None:
    """Print stored or model text with its control characters shown as escapes."""
    typer.echo(for_terminal(text), err=err)


def _print_run(run: PromptRun) -> None:
    confidence = "n/a" if run.confidence is None else f"{run.confidence:.2f}"
    latency = "n/a" if run.latency_ms is None else f"{run.latency_ms:,} ms"
    _echo(
        f"#{run.id if run.id is not None else '-'}  {run.backend.value}  "
        f"confidence {confidence}  {latency}  {run.model_version}"
    )
    if run.damaged:
        _echo(f"Damaged:   {run.damaged} (shown as stored)")
    _echo(f"Role:      {run.role}")
    _echo(f"Directive: {run.directive}")
    _echo(f"Framework: {run.framework}")
    _echo("Guardrails:")
    for rule in run.guardrails:
        _echo(f"  - {rule}")
    if run.reasoning:
        _echo(f"Reasoning: {run.reasoning}")
    _echo("\n" + run.improved_prompt)


def _print_table(runs: list[PromptRun]) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table("id", "when (UTC)", "backend", "conf.", "ms", "idea")
    for run in runs:
        confidence = "" if run.confidence is None else f"{run.confidence:.2f}"
        idea = one_line_for_terminal(run.original_idea)[:60]
        table.add_row(
            str(run.id),
            run.timestamp.strftime("%Y-%m-%d %H:%M"),
            run.backend.value,
            confidence,
            "" if run.latency_ms is None else f"{run.latency_ms:,}",
            Text(idea + (" (damaged)" if run.damaged else "")),  # Text: no markup parsing
        )
    Console().print(table)


def _stderr_console():  # noqa: ANN202 - rich.console.Console, imported lazily
    from rich.console import Console

    return Console(stderr=True)


def _figure(value: Any, unit: str = "") -> str:
    """A statistic for people: n/a when unknown, 2 decimals, thousands separated."""
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:,.0f}{unit}" if unit else f"{value:.2f}"
    return f"{value:,}{unit}"


@app.command(cls=_Command)
def improve(
    idea: Annotated[str, typer.Argument(help="The rough idea to improve.", metavar="IDEA")],
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
        _echo(f"warning: {warning}", err=True)


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
    runs = state.store.query(filters, limit=limit, offset=offset)
    if as_json:
        _echo_json([_run_dict(run) for run in runs])
        return
    if not runs:
        typer.echo("No runs match." if offset == 0 else "No runs on this page.", err=True)
        return
    _print_table(runs)
    total = state.store.count(filters)
    if offset + len(runs) < total:
        typer.echo(
            f"Runs {offset + 1}-{offset + len(runs)} of {total:,}; see more with"
            f" --offset {offset + len(runs)} or a larger --limit.",
            err=True,
        )


@history_app.command("copy", cls=_Command)
def copy(
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

    from promptimp.history import open_store
    from promptimp.history.transfer import copy_history

    if (to is None) == (source is None):
        raise InputError("Give exactly one of --to URL or --from URL.")
    other = open_store(to or source or "")
    origin, target = (state.store, other) if to else (other, state.store)
    with Progress(transient=True, console=_stderr_console()) as progress:
        task = progress.add_task(f"Copying runs to {target.location}", total=None)
        report = copy_history(
            origin,
            target,
            on_runs=lambda done, total: progress.update(task, completed=done, total=total),
        )
    typer.echo(f"Copied {origin.location} -> {target.location}: {report.summary()}.")


@app.command(cls=_Command)
def show(
    run_id: Annotated[int, typer.Argument(help="Run id.", metavar="ID")], as_json: JsonFlag = False
) -> None:
    """Show one stored run."""
    run = state.store.get(run_id)
    if run is None:
        raise InputError(f"No run with id {run_id}.")
    if as_json:
        _echo_json(_run_dict(run))
    else:
        _print_run(run)


@app.command(cls=_Command)
def stats(as_json: JsonFlag = False) -> None:
    """Totals, averages and latency percentiles, overall and per backend."""
    figures = state.store.statistics()
    if as_json:
        _echo_json(figures.model_dump(mode="json"))
        return
    typer.echo(f"Runs stored:         {_figure(figures.total_count)}")
    typer.echo(f"Average confidence:  {_figure(figures.average_confidence)}")
    typer.echo(f"Average latency:     {_figure(figures.average_latency_ms, ' ms')}")
    typer.echo(f"Median latency:      {_figure(figures.p50_latency_ms, ' ms')}")
    typer.echo(f"95th pct latency:    {_figure(figures.p95_latency_ms, ' ms')}")
    for backend_name, group in figures.by_backend.items():
        typer.echo(
            f"{backend_name + ':':<20} {_figure(group.count)} runs, confidence"
            f" {_figure(group.average_confidence)}, latency"
            f" {_figure(group.average_latency_ms, ' ms')}"
        )


@app.command(cls=_Command)
def cleanup(
    days: Annotated[int, typer.Option(help="Delete runs older than this (1-36500).")],
) -> None:
    """Delete runs older than DAYS days."""
    removed = state.service.delete_old_runs(days)
    typer.echo(f"Deleted {removed:,} run{'' if removed == 1 else 's'} older than {days:,} days.")


@app.command(cls=_Command)
def export(
    fmt: Annotated[ExportFormat, typer.Option("--format", help="csv or json.")] = ExportFormat.CSV,
    output: Annotated[str | None, typer.Option(help="File to write; stdout if absent.")] = None,
) -> None:
    """Export every stored run as CSV or JSON."""
    writer = state.store.export_csv if fmt is ExportFormat.CSV else state.store.export_json
    if output is None:
        writer(sys.stdout)
        return
    count = writer(output)
    typer.echo(f"Wrote {count:,} run{'' if count == 1 else 's'} to {output}.", err=True)


@app.command(cls=_Command)
def health(as_json: JsonFlag = False) -> None:
    """Storage status, record count, averages, breaker state, provider and model."""
    report = state.service.health()
    if as_json:
        _echo_json(report.model_dump(mode="json"))
    else:
        for name, value in report.model_dump().items():
            _echo(f"{name}: {'n/a' if value is None else value}")
    if report.status == "unhealthy":
        raise typer.Exit(1)


@app.command(cls=_Command)
def serve(
    host: Annotated[str | None, typer.Option(help="Default: API_HOST.")] = None,
    port: Annotated[int | None, typer.Option(help="Default: API_PORT.")] = None,
) -> None:
    """Start the HTTP API (FastAPI on uvicorn)."""
    from promptimp.api import serve as serve_api

    serve_api(state.service, host=host, port=port)


@app.command("compile-fewshot", cls=_Command)
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


def _version(show: bool) -> None:
    if show:
        try:
            typer.echo(f"promptimp {version('promptimp')}")
        except PackageNotFoundError:  # running from a checkout that is not installed
            typer.echo("promptimp (not installed)")
        raise typer.Exit()


@app.callback()
def _options(
    show_version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Turn rough ideas into structured, high-quality prompts."""


def _fail(message: str, code: int) -> None:
    typer.echo(f"error: {for_terminal(message)}", err=True)
    sys.exit(code)


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so the exit's flush cannot fail again."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _os_failure(error: OSError) -> str:
    """One line on an OSError no command handled: one naming a file is about that file; one
    naming none came from writing the output (stdout on a full disk), so stdout is silenced."""
    reason = error.strerror or str(error)
    if error.filename:
        return f"{reason}: {error.filename}"
    _silence_stdout()
    return f"Cannot write the output: {reason}"


def main() -> None:
    """Console-script entry: every error is one line on stderr; exit 2 for bad input or
    usage, 1 for failures. Warnings reach the user on the results, so only errors are logged."""
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s: %(message)s")
    try:
        code = app(standalone_mode=False)
    except NoArgsIsHelpError as error:  # a bare `promptimp` or `promptimp eval`
        typer.echo(error.format_message())
        sys.exit(2)
    except UsageError as error:
        command = error.ctx.command_path if error.ctx else "promptimp"
        first = " ".join(error.format_message().split())
        _fail(f"{first} (see '{command} --help')", 2)
    except typer.TyperException as error:
        _fail(" ".join(error.format_message().split()), error.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        _fail("interrupted", 130)
    except (InputError, SettingsError) as error:
        _fail(str(error), 2)
    except PromptImpError as error:
        _fail(str(error), 1)
    except BrokenPipeError:  # the reader (head, less) went away: nothing left to say
        _silence_stdout()
        sys.exit(1)
    except OSError as error:  # standard output on a full disk, say
        _fail(_os_failure(error), 1)
    sys.exit(code if isinstance(code, int) else 0)
