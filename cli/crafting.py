"""Commands of the crafting loop: try a run, refine it, its versions and keeper, stability,
tags, the prompt library, the user trainset, and the models to choose from.

Each command parses, calls `service.crafting` (or the service) and prints; the loop decides
everything else, so its InputError is the one line a person sees.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from cli.context import BackendOption, JsonFlag, ModelOption, PlainCommand, service_of
from cli.output import echo, echo_json, figure, print_result, run_dict, stderr_console
from promptimp.models import InputError, OutputError
from promptimp.text import one_line_for_terminal, plural

if TYPE_CHECKING:
    from promptimp.crafting.diff import WordDiff
    from promptimp.crafting.stability import Spread, Stability, Variety
    from promptimp.history.records import TrialAnswer
    from promptimp.models import PromptRun

PREVIEW_WORDS = 12
DIFF_MARKS = {"=": "{}", "-": "[-{}-]", "+": "{{+{}+}}"}

crafting_app = typer.Typer()
library_app = typer.Typer(
    no_args_is_help=True, help="The prompt library: the tagged keepers, for a team."
)
trainset_app = typer.Typer(
    no_args_is_help=True, help="The user trainset few-shot draws demos from."
)

RunId = Annotated[int, typer.Argument(help="Run id.", metavar="ID")]


class LibraryFormat(StrEnum):
    MD = "md"
    JSON = "json"


# -- try and refine -------------------------------------------------------------------------


@crafting_app.command("try", cls=PlainCommand)
def try_(
    ctx: typer.Context, run_id: RunId, model: ModelOption = None, as_json: JsonFlag = False
) -> None:
    """Try run ID's improved prompt and its original idea on a model; store the answers."""
    result = service_of(ctx).crafting.try_run(run_id, model)
    trial = result.trial
    if as_json:
        echo_json({**trial.model_dump(mode="json"), "warnings": list(result.warnings)})
        return
    stored = f"trial #{trial.id}" if trial.id is not None else "trial (not stored)"
    echo(f"Run #{trial.run_id} on {trial.target_model}: {stored}")
    _print_answer("Original idea", trial.original)
    _print_answer("Improved prompt", trial.improved)
    for warning in result.warnings:
        echo(f"warning: {warning}", err=True)


def _print_answer(title: str, answer: TrialAnswer) -> None:
    tokens = f"{figure(answer.prompt_tokens)} in, {figure(answer.completion_tokens)} out"
    echo(f"\n== {title}: {figure(answer.latency_ms, ' ms')}, tokens {tokens}")
    echo(answer.answer or "(empty answer)")


@crafting_app.command(cls=PlainCommand)
def refine(
    ctx: typer.Context,
    run_id: RunId,
    feedback: Annotated[
        str, typer.Option("--feedback", "-f", help="What to change, e.g. 'Shorter'.")
    ],
    model: ModelOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Refine run ID with feedback into a new version (stored with ID as its parent)."""
    print_result(service_of(ctx).crafting.refine(run_id, feedback, model), as_json)


# -- versions and the keeper ----------------------------------------------------------------


@crafting_app.command(cls=PlainCommand)
def versions(
    ctx: typer.Context,
    run_id: RunId,
    diff: Annotated[
        tuple[int, int] | None,
        typer.Option("--diff", metavar="A B", help="Word diff of two versions of the chain."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """The version chain run ID belongs to, oldest first (* marks the keeper)."""
    chain = service_of(ctx).crafting.versions(run_id)
    if diff is not None:
        _print_diff(chain, *diff, as_json=as_json)
    elif as_json:
        echo_json([run_dict(run) for run in chain])
    else:
        _print_chain(chain)


def _print_chain(chain: list[PromptRun]) -> None:
    for run in chain:
        mark = "*" if run.keeper else " "
        origin = "first version" if run.parent_id is None else f"refines #{run.parent_id}"
        feedback = f": {one_line_for_terminal(run.feedback)[:60]}" if run.feedback else ""
        echo(f"#{run.id:<5} {mark} {origin}{feedback}")
        echo(f"         Role:   {one_line_for_terminal(run.role)[:70]}")
        echo(f"         Prompt: {_first_words(run.improved_prompt)}")
    if any(run.keeper for run in chain):
        echo("* the keeper")


def _print_diff(chain: list[PromptRun], old_id: int, new_id: int, as_json: bool) -> None:
    """How version `new_id` differs from `old_id`: the parts changed and the prompt's words
    ([-removed-] {+added+})."""
    from promptimp.crafting.diff import changed_parts, word_diff  # difflib only

    by_id = {run.id: run for run in chain}
    for wanted in (old_id, new_id):
        if wanted not in by_id:
            ids = ", ".join(str(run.id) for run in chain)
            raise InputError(f"Run {wanted} is not a version of this chain ({ids}).")
    old, new = by_id[old_id], by_id[new_id]
    words = word_diff(old.improved_prompt, new.improved_prompt)
    parts = changed_parts(old, new)
    if as_json:
        chunks = [{"op": op, "words": list(chunk)} for op, chunk in words.chunks]
        echo_json(
            {
                "from": old_id,
                "to": new_id,
                "changed_parts": parts,
                "similarity": words.similarity,
                "chunks": chunks,
            }
        )
        return
    summary = f"changed {', '.join(parts) or 'nothing'}"
    echo(f"#{old_id} -> #{new_id}: {summary}; {words.removed} words removed, {words.added} added")
    echo(_marked(words))


def _marked(diff: WordDiff) -> str:
    """The new text with removed words as [-…-] and added ones as {+…+}; line breaks only
    in the old text are dropped."""
    lines: list[list[str]] = [[]]
    for op, chunk in diff.chunks:
        words: list[str] = []
        for token in (*chunk, None):
            if token is not None and token != "\n":
                words.append(token)
                continue
            if words:
                lines[-1].append(DIFF_MARKS[op].format(" ".join(words)))
                words = []
            if token == "\n" and op != "-":
                lines.append([])
    return "\n".join(" ".join(line) for line in lines)


def _first_words(text: str) -> str:
    words = text.split()
    more = " …" if len(words) > PREVIEW_WORDS else ""
    return one_line_for_terminal(" ".join(words[:PREVIEW_WORDS]))[:70] + more


@crafting_app.command(cls=PlainCommand)
def keep(ctx: typer.Context, run_id: RunId, as_json: JsonFlag = False) -> None:
    """Make run ID the keeper of its version chain (the one version kept)."""
    run = service_of(ctx).crafting.keep(run_id)
    if as_json:
        echo_json(run_dict(run))
    else:
        echo(f"Run #{run.id} is now the keeper of its version chain.")


# -- stability ------------------------------------------------------------------------------


@crafting_app.command(cls=PlainCommand)
def stability(
    ctx: typer.Context,
    idea: Annotated[str, typer.Argument(help="The rough idea to repeat.", metavar="IDEA")],
    runs: Annotated[int, typer.Option("--runs", "-n", help="How many times (1-10).")] = 5,
    context: Annotated[str, typer.Option("--context", "-c", help="Optional context.")] = "",
    backend: BackendOption = None,
    model: ModelOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Improve IDEA --runs times (each run stored) and show how much the answers agree."""
    from rich.progress import Progress

    console = stderr_console()
    with Progress(transient=True, console=console, disable=not console.is_terminal) as progress:
        task = progress.add_task("Improving", total=runs)
        result = service_of(ctx).crafting.stability(
            idea,
            context,
            backend,
            runs,
            model,
            progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    if as_json:
        echo_json(
            {
                **result.stability.model_dump(mode="json"),
                "run_ids": [run.id for run in result.runs],
                "warnings": list(result.warnings),
            }
        )
        return
    ids = ", ".join(f"#{run.id}" for run in result.runs if run.id is not None)
    echo(f"{plural(result.stability.runs, 'run')}{f' ({ids})' if ids else ''}")
    _print_stability(result.stability)
    for warning in result.warnings:
        echo(f"warning: {warning}", err=True)


def _print_stability(summary: Stability) -> None:
    echo(f"Confidence:  {_spread(summary.confidence, '')}")
    echo(f"Latency:     {_spread(summary.latency_ms, ' ms')}")
    echo(f"Role:        {_variety(summary.role)}")
    echo(f"Framework:   {_variety(summary.framework)}")
    echo(f"Acceptable:  {summary.acceptable_share:.0%} of runs pass every quality check")
    echo("Guardrails (runs that have each):")
    for rule, count in summary.guardrails.items():
        echo(f"  {count}/{summary.runs}  {one_line_for_terminal(rule)}")


def _spread(spread: Spread | None, unit: str) -> str:
    if spread is None:
        return "n/a"
    parts = (figure(value, unit) for value in (spread.minimum, spread.median, spread.maximum))
    return "min {} / median {} / max {}".format(*parts)


def _variety(variety: Variety) -> str:
    return (
        f"{variety.distinct} distinct, changed in {variety.changed_share:.0%} of runs"
        f" (most often: {one_line_for_terminal(variety.most_common)})"
    )


# -- tags and the library -------------------------------------------------------------------


@crafting_app.command(cls=PlainCommand)
def tag(
    ctx: typer.Context,
    run_id: RunId,
    text: Annotated[str, typer.Argument(help="The tag, e.g. tested.", metavar="TAG")],
    as_json: JsonFlag = False,
) -> None:
    """Tag run ID (lower case, spaces become '-')."""
    _print_tags(service_of(ctx).crafting.tag(run_id, text), as_json)


@crafting_app.command(cls=PlainCommand)
def untag(
    ctx: typer.Context,
    run_id: RunId,
    text: Annotated[str, typer.Argument(help="The tag to remove.", metavar="TAG")],
    as_json: JsonFlag = False,
) -> None:
    """Remove a tag from run ID."""
    _print_tags(service_of(ctx).crafting.untag(run_id, text), as_json)


def _print_tags(run: PromptRun, as_json: bool) -> None:
    if as_json:
        echo_json(run_dict(run))
    else:
        echo(f"Run #{run.id} tags: {', '.join(run.tags) or 'none'}")


@library_app.command("export", cls=PlainCommand)
def library_export(
    ctx: typer.Context,
    fmt: Annotated[LibraryFormat, typer.Option("--format", help="md or json.")] = LibraryFormat.MD,
    tag_filter: Annotated[
        str | None, typer.Option("--tag", help="Only keepers with this tag.")
    ] = None,
    output: Annotated[str | None, typer.Option(help="File to write; stdout if absent.")] = None,
) -> None:
    """Export the tagged keepers as a prompt library (Markdown or JSON)."""
    text = service_of(ctx).crafting.library(fmt.value, tag_filter)
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as error:
        raise OutputError(f"Cannot write {output}: {error.strerror or error}.") from None
    typer.echo(f"Wrote the prompt library to {output}.", err=True)


# -- the user trainset ----------------------------------------------------------------------


@trainset_app.command("add", cls=PlainCommand)
def trainset_add(ctx: typer.Context, run_id: RunId, as_json: JsonFlag = False) -> None:
    """Add run ID to the user trainset; few-shot draws demos from it from now on."""
    crafting = service_of(ctx).crafting
    example = crafting.add_to_trainset(run_id)
    if as_json:
        echo_json(example.model_dump(mode="json"))
    else:
        echo(f"Added run #{run_id} to the user trainset {crafting.trainset_path}.")


@trainset_app.command("list", cls=PlainCommand)
def trainset_list(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """The user trainset's examples, numbered as `trainset remove --number` takes them."""
    crafting = service_of(ctx).crafting
    examples = crafting.trainset()
    if as_json:
        echo_json([example.model_dump(mode="json") for example in examples])
        return
    if not examples:
        echo(f"The user trainset {crafting.trainset_path} is empty.", err=True)
        return
    for number, example in enumerate(examples, start=1):
        source = "-" if example.source_run_id is None else f"#{example.source_run_id}"
        echo(f"{number:>3}  run {source:<6} {one_line_for_terminal(example.idea)[:70]}")


@trainset_app.command("remove", cls=PlainCommand)
def trainset_remove(
    ctx: typer.Context,
    run_id: Annotated[
        int | None, typer.Argument(help="The run the example came from.", metavar="ID")
    ] = None,
    number: Annotated[
        int | None, typer.Option("--number", help="The example's number in `trainset list`.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Remove the example made from run ID, or the one at --number."""
    removed = service_of(ctx).crafting.remove_from_trainset(run_id=run_id, index=number)
    if as_json:
        echo_json(removed.model_dump(mode="json"))
    else:
        echo(f"Removed the example of '{one_line_for_terminal(removed.idea)[:70]}'.")


# -- models ---------------------------------------------------------------------------------


@crafting_app.command(cls=PlainCommand)
def models(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """The models --model can name: the configured one (first), the embedded one, and every
    provider with a key."""
    choices = service_of(ctx).available_models()
    if as_json:
        echo_json([{"id": choice.id, "label": choice.label} for choice in choices])
        return
    for number, choice in enumerate(choices):
        echo(f"{choice.id:<40} {choice.label}{'  (default)' if number == 0 else ''}")
