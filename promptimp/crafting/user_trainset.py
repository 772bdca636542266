"""The user trainset: good runs people added, as JSONL rows in the shipped trainset's format.

Each row also records the run it came from (`source_run_id`). Writes are atomic (a temp file
beside it, then os.replace), so a reader sees the old file or the new one, never half of one.
A missing file is an empty trainset.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

import dspy

from promptimp.assembly import detect_language
from promptimp.crafting.stability import normalise_text
from promptimp.fewshot import example_from_row, read_trainset_rows
from promptimp.models import InputError, OutputError, PromptRun, WrittenPrompt

_WRITE_LOCK = threading.Lock()
"""Serialises read-change-write of the file within one process (the workbench's sessions)."""


class UserExample(WrittenPrompt):
    """One row of the user trainset."""

    domain: str = ""
    language: str = ""
    source_run_id: int | None = None
    """The run it was made from; None for a row written by hand."""


def example_of(run: PromptRun) -> UserExample:
    """A stored run as a trainset row; InputError when it cannot teach (unstored, damaged,
    or not the shape a demo needs)."""
    if run.id is None:
        raise InputError("Only a stored run can become a trainset example; save it first.")
    if run.damaged:
        raise InputError(f"Run {run.id} is damaged ({run.damaged}); it cannot be an example.")
    row = {
        "idea": run.original_idea,
        "context": run.context,
        "role": run.role,
        "directive": run.directive,
        "framework": run.framework,
        "guardrails": list(run.guardrails),
        "improved_prompt": run.improved_prompt,
        "language": detect_language(run.original_idea),
        "source_run_id": run.id,
    }
    try:
        return _from_example(row, example_from_row(row))
    except ValueError as error:
        raise InputError(f"Run {run.id} cannot be a trainset example: {error}.") from None


def list_examples(path: str | Path) -> list[UserExample]:
    """The trainset's rows in file order; [] when the file does not exist.

    A malformed line raises FewShotError naming the file and the line.
    """
    path = Path(path)
    if not path.is_file():
        return []
    return [_from_example(row, example) for row, example in read_trainset_rows(path)]


def _from_example(row: dict[str, Any], example: dspy.Example) -> UserExample:
    """A row as read and checked by the trainset loader (its values trimmed)."""
    source = row.get("source_run_id")
    return UserExample(
        idea=example.original_idea,
        context=example.context,
        role=example.role,
        directive=example.directive,
        framework=example.framework,
        guardrails=tuple(example.guardrails),
        improved_prompt=example.improved_prompt,
        domain=str(example.domain),
        language=str(example.language),
        source_run_id=source if isinstance(source, int) and not isinstance(source, bool) else None,
    )


def add_example(path: str | Path, run: PromptRun) -> UserExample:
    """Append `run` as an example; InputError when that run or its idea is already there."""
    example = example_of(run)
    with _WRITE_LOCK:
        examples = list_examples(path)
        for number, present in enumerate(examples, start=1):
            if present.source_run_id == run.id:
                raise InputError(f"Run {run.id} is already example {number} of {path}.")
            if normalise_text(present.idea) == normalise_text(example.idea):
                raise InputError(f"Example {number} of {path} already has this idea.")
        _write(Path(path), [*examples, example])
    return example


def remove_example(
    path: str | Path, *, run_id: int | None = None, index: int | None = None
) -> UserExample:
    """Remove the example made from `run_id`, or the one at 1-based `index`; the one removed."""
    if (run_id is None) == (index is None):
        raise InputError("Name the example to remove by its run id or by its number, not both.")
    with _WRITE_LOCK:
        examples = list_examples(path)
        if index is not None:
            if not 1 <= index <= len(examples):
                raise InputError(
                    f"There is no example number {index}; {path} holds {len(examples)}."
                )
            position = index - 1
        else:
            found = [i for i, example in enumerate(examples) if example.source_run_id == run_id]
            if not found:
                raise InputError(f"No example of {path} comes from run {run_id}.")
            position = found[0]
        removed = examples.pop(position)
        _write(Path(path), examples)
    return removed


def _write(path: Path, examples: list[UserExample]) -> None:
    """Replace the file with `examples`, atomically; OutputError naming the file if it fails."""
    rows = [example.model_dump(mode="json") for example in examples]
    text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", delete=False
        ) as handle:
            temporary = handle.name
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as error:
        if temporary:
            Path(temporary).unlink(missing_ok=True)
        raise OutputError(
            f"Cannot write the user trainset {path}: {error.strerror or error}."
        ) from None
