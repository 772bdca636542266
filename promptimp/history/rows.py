"""Stored rows <-> runs, the same on every backend: UTC text, guardrails JSON, damaged rows,
and where an export writes."""

from __future__ import annotations

import errno
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from pydantic import ValidationError

from promptimp.history.filters import STORED_COLUMNS
from promptimp.history.records import Trial, TrialAnswer
from promptimp.models import OutputError, PromptRun, RepositoryConstraintError, RepositoryError

REPAIRS: dict[str, Any] = {
    "timestamp": datetime(1970, 1, 1, tzinfo=UTC),
    "original_idea": "(empty)",
    "improved_prompt": "(empty)",
    "guardrails": ("(none stored)",),
    "confidence": None,
    "latency_ms": None,
}
"""What a damaged row shows for a field that cannot be read as stored."""


def timestamp_text(moment: datetime) -> str:
    """UTC text as SQLite stores it and exports show it; a naive datetime is UTC already."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(" ", "microseconds")  # years zero-padded to 4 digits


def as_utc(moment: datetime) -> datetime:
    """An aware UTC datetime; a naive one is taken to be UTC already."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def json_array_text(items: Sequence[str]) -> str:
    """Guardrails (or tags) as SQLite stores and exports show them: a JSON array of strings."""
    return json.dumps(list(items), ensure_ascii=False)


def decode_tags(stored: Any) -> list[str]:
    """A run's tags, sorted, from the JSON array text (SQLite) or list (PostgreSQL) that the
    stores' tag subqueries return."""
    tags = json.loads(stored) if isinstance(stored, str | bytes) else stored
    return sorted(tags or ())


def decode_guardrails(stored: Any) -> tuple[list[str], str]:
    """The stored guardrails as a list and '' or, for a damaged value, what is there and why."""
    try:
        value = json.loads(stored) if isinstance(stored, str | bytes) else stored
    except ValueError:
        return ([str(stored)] if str(stored or "").strip() else []), "guardrails are not JSON"
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value, ""
    return [json.dumps(value, ensure_ascii=False)], "guardrails are not a list of texts"


def to_run(row: dict[str, Any]) -> PromptRun:
    """The stored row as a run; a damaged row is shown as far as it reads, marked `damaged`."""
    guardrails, problem = decode_guardrails(row["guardrails"])
    fields = {
        **row,
        "guardrails": guardrails,
        "context": row["context"] or "",
        "reasoning": row["reasoning"] or "",
        "model_version": row["model_version"] or "",
        "tags": decode_tags(row["tags"]),
    }
    problems = [problem] if problem else []
    try:
        return PromptRun.model_validate({**fields, "damaged": "; ".join(problems)})
    except ValidationError as error:
        for detail in error.errors():
            name = str(detail["loc"][0]) if detail["loc"] else ""
            if name not in REPAIRS:
                raise RepositoryError(
                    f"Run #{row.get('id')} in the history database is damaged beyond reading"
                    f" ({name}: {detail['msg']})."
                ) from None
            fields[name] = REPAIRS[name]
            problems.append(f"{name} is not valid as stored")
    return PromptRun.model_validate({**fields, "damaged": "; ".join(problems)})


def other_runs_error(location: str, ids: Sequence[int]) -> RepositoryConstraintError:
    """A copy refused because the target holds different runs under some of its ids."""
    shown = ", ".join(str(run_id) for run_id in ids[:10]) + (", ..." if len(ids) > 10 else "")
    return RepositoryConstraintError(
        f"{location} already holds other runs with ids {shown}; copy into an empty database."
    )


SAME_RUN_COLUMNS: tuple[str, ...] = tuple(c for c in STORED_COLUMNS if c != "keeper")
"""What a copy compares to tell a run already in the target from another run under its id
(the keeper is a later choice, so a copied run may have gained or lost it since)."""


def unknown_run_error(location: str, run_id: int, what: str) -> RepositoryConstraintError:
    """A write refused because it names a run the history does not hold."""
    return RepositoryConstraintError(
        f"History database {location} holds no run #{run_id}, so it cannot store {what}."
    )


ANSWER_FIELDS: tuple[str, ...] = (
    "prompt",
    "answer",
    "latency_ms",
    "prompt_tokens",
    "completion_tokens",
)
SIDES: tuple[str, ...] = ("original", "improved")
TRIAL_COLUMNS: tuple[str, ...] = (
    "id",
    "run_id",
    "timestamp",
    "target_model",
    *(f"{side}_{field}" for side in SIDES for field in ANSWER_FIELDS),
)
"""A trial's stored columns, in table order: each answer's fields flattened with its side."""


def trial_row(trial: Trial) -> dict[str, Any]:
    """The trial as one row of TRIAL_COLUMNS (timestamp as given; the store converts it)."""
    row: dict[str, Any] = trial.model_dump(include={"id", "run_id", "timestamp", "target_model"})
    for side in SIDES:
        answer = getattr(trial, side)
        row.update({f"{side}_{field}": getattr(answer, field) for field in ANSWER_FIELDS})
    return {column: row[column] for column in TRIAL_COLUMNS}


def to_trial(row: dict[str, Any], timestamp: datetime) -> Trial:
    """A row of TRIAL_COLUMNS as a Trial; `timestamp` is the row's, read as UTC."""
    return Trial(
        id=row["id"],
        run_id=row["run_id"],
        timestamp=timestamp,
        target_model=row["target_model"],
        **{
            side: TrialAnswer(**{field: row[f"{side}_{field}"] for field in ANSWER_FIELDS})
            for side in SIDES
        },
    )


def decode_parts(stored: Any) -> dict[str, float]:
    """An evaluation's stored parts (JSON text or already decoded); {} when damaged."""
    try:
        parts = json.loads(stored) if isinstance(stored, str | bytes) else stored
    except ValueError:
        return {}
    return parts if isinstance(parts, dict) else {}


@contextmanager
def text_output(target: str | Path | TextIO) -> Iterator[TextIO]:
    """A path is opened (UTF-8) and closed; an open text file is used as it is.

    A path that cannot be written is an OutputError naming it; a new file left incomplete
    by a failed export (whatever failed: the output or the database) is removed.
    """
    if not isinstance(target, str | Path):
        yield target
        return
    if not str(target).strip():
        raise OutputError("The output file name is empty; give a file path.")
    path = Path(target)
    created = not path.exists()
    try:
        with open(path, "w", encoding="utf-8", newline="") as out:
            yield out
    except BaseException as error:
        if created and path.is_file():
            path.unlink()
        if isinstance(error, OSError):
            raise OutputError(_write_failure(path, error)) from error
        raise


def _write_failure(path: Path, error: OSError) -> str:
    """One line on why `path` could not be written, naming it and what to do."""
    if isinstance(error, IsADirectoryError) or path.is_dir():
        return f"Cannot write {path}: it is a directory; give a file name."
    if isinstance(error, FileNotFoundError) and not path.parent.is_dir():
        return f"Cannot write {path}: the directory {path.parent} does not exist."
    if error.errno == errno.ENOSPC:
        return f"Cannot write {path}: the disk holding it is full."
    return f"Cannot write {path}: {error.strerror or error}."
