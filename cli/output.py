"""How commands print: runs, tables and figures for people; JSON for scripts.

Stored and model text is printed with its control characters shown as escapes.
"""

from __future__ import annotations

import json
from typing import Any

import typer

from promptimp.models import ImproveResult, PromptRun
from promptimp.text import for_terminal, one_line_for_terminal


def echo(text: str, err: bool = False) -> None:
    typer.echo(for_terminal(text), err=err)


def echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def run_dict(run: PromptRun) -> dict[str, Any]:
    return run.model_dump(mode="json")


def print_run(run: PromptRun) -> None:
    confidence = "n/a" if run.confidence is None else f"{run.confidence:.2f}"
    latency = "n/a" if run.latency_ms is None else f"{run.latency_ms:,} ms"
    echo(
        f"#{run.id if run.id is not None else '-'}  {run.backend.value}  "
        f"confidence {confidence}  {latency}  {run.model_version}"
    )
    if run.damaged:
        echo(f"Damaged:   {run.damaged} (shown as stored)")
    if run.parent_id is not None:
        echo(f"Refines:   #{run.parent_id}, feedback: {run.feedback}")
    if run.keeper:
        echo("Keeper:    yes, the version kept of its chain")
    if run.tags:
        echo(f"Tags:      {', '.join(run.tags)}")
    echo(f"Role:      {run.role}")
    echo(f"Directive: {run.directive}")
    echo(f"Framework: {run.framework}")
    echo("Guardrails:")
    for rule in run.guardrails:
        echo(f"  - {rule}")
    if run.reasoning:
        echo(f"Reasoning: {run.reasoning}")
    echo("\n" + run.improved_prompt)


def print_result(result: ImproveResult, as_json: bool) -> None:
    """A new run as JSON (with its warnings), or printed with its warnings on stderr."""
    if as_json:
        echo_json({**run_dict(result.run), "warnings": list(result.warnings)})
        return
    print_run(result.run)
    for warning in result.warnings:
        echo(f"warning: {warning}", err=True)


def print_table(runs: list[PromptRun]) -> None:
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


def stderr_console():  # noqa: ANN201 - rich.console.Console, imported lazily
    from rich.console import Console

    return Console(stderr=True)


def figure(value: Any, unit: str = "") -> str:
    """A statistic for people: n/a when unknown, 2 decimals, thousands separated."""
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:,.0f}{unit}" if unit else f"{value:.2f}"
    return f"{value:,}{unit}"
