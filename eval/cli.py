"""`promptimp eval ...`: run, list, show and compare evaluation runs, and label agreement.

Every `promptimp` command imports this module, so DSPy (through eval.runner) is imported only
by `run`; list, show and compare read stored runs through eval.reports, which is DSPy-free.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cli.context import JsonFlag, PlainCommand, service_of
from cli.output import echo_json

if TYPE_CHECKING:
    from eval.agreement import Agreement, GoldAcceptance
    from eval.reports import Comparison
    from promptimp.history.records import EvalReport

eval_app = typer.Typer(help="Evaluate the improver on datasets.", no_args_is_help=True)

DEFAULT_DATASET = Path("data/devset.jsonl")
DEFAULT_JUDGMENTS = Path("data/judgments.jsonl")
DEFAULT_TRAINSET = Path("data/trainset.jsonl")
SHOWN_EXAMPLES = 5


class BackendChoice(StrEnum):
    ZERO_SHOT = "zero-shot"
    FEW_SHOT = "few-shot"
    BOTH = "both"

    def backends(self) -> list[str]:
        return ["zero-shot", "few-shot"] if self is BackendChoice.BOTH else [self.value]


def _progress_bar(total: int) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, unit="example", desc="evaluating", disable=None)


@eval_app.command("run", cls=PlainCommand)
def run(
    ctx: typer.Context,
    dataset: Annotated[Path, typer.Option(help="JSONL dataset.")] = DEFAULT_DATASET,
    backend: Annotated[BackendChoice, typer.Option(help="Which backend(s).")] = BackendChoice.BOTH,
    limit: Annotated[int | None, typer.Option(min=1, help="Only the first N examples.")] = None,
    threads: Annotated[int, typer.Option(min=1, max=64, help="Examples at a time.")] = 1,
    judge: Annotated[bool, typer.Option(help="Add the LLM-as-judge part (hosted LM).")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Evaluate backend(s) over DATASET, storing every prompt run and the evaluation runs."""
    from eval.datasets import load_dataset
    from eval.reports import compare_reports
    from eval.runner import evaluate_backends, judge_for

    examples = load_dataset(dataset)[:limit]
    service = service_of(ctx)
    prompt_judge = judge_for(service.settings) if judge else None
    backends = backend.backends()
    with _progress_bar(len(examples) * len(backends)) as bar:
        reports = evaluate_backends(
            service,
            examples,
            backends,
            dataset=str(dataset),
            threads=threads,
            judge=prompt_judge,
            progress=lambda done, total: bar.update(done - bar.n),
        )
    comparison = compare_reports(*reports) if len(reports) == 2 else None
    if as_json:
        echo_json(
            {
                "runs": [report.model_dump(mode="json") for report in reports],
                "comparison": comparison and comparison.model_dump(mode="json"),
            }
        )
        return
    _print_reports(reports)
    _print_parts(reports)
    if comparison is not None:
        _print_comparison(comparison)
    for report in reports:
        for warning in report.warnings:
            typer.echo(f"warning: {warning}", err=True)


@eval_app.command("list", cls=PlainCommand)
def list_runs(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 50,
    as_json: JsonFlag = False,
) -> None:
    """Stored evaluation runs, newest first."""
    from eval.reports import list_reports

    reports = list_reports(service_of(ctx).history, limit=limit)
    if as_json:
        echo_json([report.model_dump(mode="json", exclude={"results"}) for report in reports])
    else:
        _print_reports(reports)


@eval_app.command("show", cls=PlainCommand)
def show(
    ctx: typer.Context,
    run_id: Annotated[int, typer.Argument(help="Evaluation run id.")],
    as_json: JsonFlag = False,
) -> None:
    """One evaluation run with its per-example scores."""
    from eval.reports import load_report

    report = load_report(service_of(ctx).history, run_id)
    if as_json:
        echo_json(report.model_dump(mode="json"))
        return
    _print_reports([report])
    _print_parts([report])
    _print_examples(report)


@eval_app.command("compare", cls=PlainCommand)
def compare(
    ctx: typer.Context,
    first_id: Annotated[int, typer.Argument(help="Baseline evaluation run id.")],
    second_id: Annotated[int, typer.Argument(help="Evaluation run id compared to it.")],
    as_json: JsonFlag = False,
) -> None:
    """Per-part deltas (second - first) and per-example wins/losses/ties."""
    from eval.reports import compare_runs

    comparison = compare_runs(service_of(ctx).history, first_id, second_id)
    if as_json:
        echo_json(comparison.model_dump(mode="json"))
    else:
        _print_comparison(comparison)


@eval_app.command("agreement", cls=PlainCommand)
def agreement(
    judgments: Annotated[Path, typer.Option(help="Labeled outputs (JSONL).")] = DEFAULT_JUDGMENTS,
    trainset: Annotated[
        Path, typer.Option(help="Few-shot examples whose copied guardrails are caught.")
    ] = DEFAULT_TRAINSET,
    gold: Annotated[
        list[Path] | None,
        typer.Option(
            help="Hand-written prompts the verdict should accept (default: the "
            "bundled trainset and devset); repeat for several files."
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """How often the quality verdict agrees with people's labels, per split, and how many
    hand-written gold prompts it accepts."""
    from eval.agreement import (
        BUNDLED_GOLD,
        example_guardrails,
        gold_acceptance,
        load_judgments,
        measure_all,
    )

    rows = load_judgments(judgments)
    demos = example_guardrails(trainset)
    results = measure_all(rows, demos)
    golds = [gold_acceptance(path) for path in gold or BUNDLED_GOLD]
    if as_json:
        echo_json(
            {
                "agreement": [result.model_dump(mode="json") for result in results],
                "gold_acceptance": [result.model_dump(mode="json") for result in golds],
            }
        )
        return
    _print_agreement(results)
    _print_gold(golds)


# -- printing --------------------------------------------------------------------------------


def _print(table: Any) -> None:
    from rich.console import Console

    Console().print(table)


def _print_reports(reports: list[EvalReport]) -> None:
    from rich.table import Table

    table = Table(
        "id", "started (UTC)", "backend", "model", "dataset", "n", "s", "score", "acceptable"
    )
    for report in reports:
        table.add_row(
            _label(report),
            report.started.strftime("%Y-%m-%d %H:%M"),
            report.backend,
            report.model,
            report.dataset,
            str(report.example_count),
            f"{report.seconds:.1f}",
            f"{report.score:.3f}",
            "" if report.acceptable_share is None else f"{report.acceptable_share:.0%}",
        )
    _print(table)


def _print_parts(reports: list[EvalReport]) -> None:
    from rich.table import Table

    names = list(dict.fromkeys(name for report in reports for name in report.parts))
    table = Table("part", *(f"{_label(r)} {r.backend}" for r in reports))
    for name in names:
        table.add_row(name, *(_number(report.parts.get(name)) for report in reports))
    table.add_row("score", *(f"{report.score:.3f}" for report in reports))
    _print(table)


def _print_examples(report: EvalReport) -> None:
    from rich.table import Table

    table = Table("#", "score", "prompt run", "idea", "error")
    for result in report.results:
        table.add_row(
            str(result.example_index),
            f"{result.score:.3f}",
            str(result.prompt_run_id or "-"),
            result.original_idea[:60],
            result.error[:60],
        )
    _print(table)


def _print_comparison(comparison: Comparison) -> None:
    from rich.table import Table

    first, second = comparison.first_id, comparison.second_id
    table = Table("part", f"delta (#{second} - #{first})")
    table.add_row("score", f"{comparison.score_delta:+.3f}")
    for name, delta in comparison.part_deltas.items():
        table.add_row(name, f"{delta:+.3f}")
    _print(table)
    typer.echo(
        f"#{second} wins {comparison.second_wins}, #{first} wins {comparison.first_wins}, "
        f"ties {comparison.ties}."
    )
    for diff in comparison.examples[:SHOWN_EXAMPLES]:
        typer.echo(
            f"  example {diff.example_index}: {diff.first_score:.3f} -> {diff.second_score:.3f}"
            f"  {diff.original_idea[:60]}"
        )


def _label(report: EvalReport) -> str:
    return f"#{report.id}" if report.id is not None else "-"


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def _print_agreement(results: list[Agreement]) -> None:
    typer.echo(
        f"{'split':<8} {'n':>4} {'agree':>7} {'junk mean':>9} {'ok mean':>8} {'ok=ok':>6} "
        f"{'junk=junk':>9} {'junk->ok':>8} {'ok->junk':>8} {'AUC':>6} {'shown':>6}"
    )
    for r in results:
        typer.echo(
            f"{r.split:<8} {r.count:>4} {r.agreement:>7.1%} {_number(r.junk_mean_score):>9} "
            f"{_number(r.acceptable_mean_score):>8} {r.both_acceptable:>6} {r.both_junk:>9} "
            f"{r.passed_junk:>8} {r.rejected_good:>8} {_number(r.confidence_auc):>6} "
            f"{_number(r.shown_confidence_auc):>6}"
        )
    typer.echo(
        "ok=ok / junk=junk: label and verdict agree; junk->ok: labeled junk, verdict acceptable; "
        "ok->junk: the reverse. AUC: the quality score ranking acceptable above junk; shown: the "
        "same for the confidence the workbench showed. model: the embedded model's outputs only."
    )
    for disagreement in results[-2].disagreements:
        label = "acceptable" if disagreement.label else "junk"
        verdict = "acceptable" if disagreement.verdict else "junk"
        typer.echo(
            f"  labeled {label}, verdict {verdict} ({disagreement.score:.2f}) "
            f"[{disagreement.split}, {disagreement.source}] {disagreement.idea[:60]}"
        )
        typer.echo(f"    label: {disagreement.label_reason}")
        for reason in disagreement.checks_failed[:3]:
            typer.echo(f"    check: {reason}")


def _print_gold(results: list[GoldAcceptance]) -> None:
    typer.echo("\ngold prompts (hand-written, acceptable by the labeling standard) accepted:")
    for r in results:
        failing = ", ".join(f"{name} {count}" for name, count in r.failing_checks.items())
        typer.echo(
            f"  {r.dataset:<16} {r.accepted:>4} / {r.total:<4} {r.share:>6.1%}"
            + (f"  failing: {failing}" if failing else "")
        )
