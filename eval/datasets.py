"""Load JSONL evaluation datasets (a file or uploaded bytes) into dspy.Example objects.

One JSON object per line. `idea` (or `original_idea`) is required; `context` is optional. The
reference outputs `role`, `directive`, `framework`, `guardrails` and `improved_prompt` are kept
when present, so the metric can compare against them; `domain`, `language` and `kind` (how the
idea is typed: short, vague, typo, spanish, injection, rambling or plain) ride along as metadata,
so a set of ideas without references, such as the wildset, loads too. Blank lines are skipped;
any other bad line raises DatasetError naming its number.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import dspy

from promptimp.models import InputError

INPUT_KEYS = ("original_idea", "context")
TEXT_REFERENCE_KEYS = ("role", "directive", "framework", "improved_prompt")
REFERENCE_KEYS = (*TEXT_REFERENCE_KEYS, "guardrails")
METADATA_KEYS = ("domain", "language", "kind")
BUNDLED_DEVSET = Path(__file__).resolve().parents[1] / "data" / "devset.jsonl"
"""The devset shipped with the workbench (data/devset.jsonl), wherever the process runs."""
BUNDLED_WILDSET = BUNDLED_DEVSET.with_name("wildset.jsonl")
"""Ideas as people type them, without references (data/wildset.jsonl), unseen in training."""


class DatasetError(InputError):
    """A dataset cannot be used; the one-line message names the source, line and problem."""


def load_dataset(path: str | Path) -> list[dspy.Example]:
    """The examples of the JSONL file at `path`."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DatasetError(f"Dataset not found: {path}.") from None
    except OSError as error:
        raise DatasetError(f"Cannot read dataset {path}: {error.strerror or error}.") from None
    return parse_dataset(data, source=str(path))


def parse_dataset(data: str | bytes, source: str = "uploaded file") -> list[dspy.Example]:
    """The examples of JSONL text or bytes; `source` names it in error messages."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise DatasetError(f"{source}: not UTF-8 text (byte {error.start}).") from None
    examples = []
    for number, line in enumerate(data.splitlines(), start=1):
        if line.strip():
            examples.append(parse_line(line, number, source))
    if not examples:
        raise DatasetError(f"{source}: no examples (expected one JSON object per line).")
    return examples


def parse_line(line: str, number: int, source: str = "uploaded file") -> dspy.Example:
    """One example from one JSONL line, or DatasetError naming the line and what is wrong."""
    try:
        row = json.loads(line)
    except json.JSONDecodeError as error:
        raise DatasetError(
            f"{source}, line {number}: invalid JSON ({error.msg} at column {error.colno})."
        ) from None
    try:
        return example_from_row(row)
    except ValueError as error:
        raise DatasetError(f"{source}, line {number}: {error}.") from None


def example_from_row(row: Any) -> dspy.Example:
    """An example with inputs (original_idea, context) marked; ValueError says what is wrong."""
    if not isinstance(row, dict):
        raise ValueError(f"expected a JSON object, got {type(row).__name__}")
    idea = row.get("idea", row.get("original_idea"))
    if not isinstance(idea, str) or not idea.strip():
        raise ValueError("'idea' must be a non-empty string")
    fields: dict[str, Any] = {
        "original_idea": idea.strip(),
        "context": _optional_text(row, "context"),
    }
    for key in (*TEXT_REFERENCE_KEYS, *METADATA_KEYS):
        if row.get(key) is not None:
            fields[key] = _optional_text(row, key)
    if row.get("guardrails") is not None:
        fields["guardrails"] = _guardrails(row["guardrails"])
    return dspy.Example(**fields).with_inputs(*INPUT_KEYS)


def has_reference(example: Any) -> bool:
    """True when the example carries at least one reference output."""
    return any(example.get(key) for key in REFERENCE_KEYS)


def _optional_text(row: dict[str, Any], key: str) -> str:
    value = row.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"'{key}' must be a string, got {type(value).__name__}")
    return value.strip()


def _guardrails(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError("'guardrails' must be a list of strings")
    return [item.strip() for item in value if item.strip()]
