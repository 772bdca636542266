"""The `promptimp` command: the Typer app built from its parts, and main(), which turns every
error into one line on stderr (exit 2 for bad input or usage, 1 for failures)."""

from __future__ import annotations

import logging
import os
import sys
from importlib.metadata import PackageNotFoundError, version
from typing import Annotated

import typer
from typer._click.exceptions import NoArgsIsHelpError, UsageError  # Typer vendors click

from cli.context import CliState
from cli.crafting import crafting_app, library_app, trainset_app
from cli.runs import history_app, runs_app
from cli.server import server_app
from eval.cli import eval_app
from promptimp.models import InputError, PromptImpError
from promptimp.settings import SettingsError
from promptimp.text import for_terminal

app = typer.Typer(
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,  # plain help: flags without a "<bool>" type column
)
app.add_typer(runs_app)
app.add_typer(server_app)
app.add_typer(crafting_app)
app.add_typer(library_app, name="library")
app.add_typer(trainset_app, name="trainset")
app.add_typer(history_app, name="history")
app.add_typer(eval_app, name="eval")


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


def main(state: CliState | None = None) -> None:
    """Console-script entry. Warnings reach the user on the results, so only errors are
    logged."""
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s: %(message)s")
    try:
        code = app(prog_name="promptimp", standalone_mode=False, obj=state or CliState())
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
