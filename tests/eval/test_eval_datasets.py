"""Loading JSONL datasets: inputs marked, references kept, bad lines named by number."""

from __future__ import annotations

import json

import pytest

from eval.datasets import (
    BUNDLED_DEVSET,
    BUNDLED_WILDSET,
    DatasetError,
    has_reference,
    load_dataset,
    parse_dataset,
)
from eval.runner import evaluate_backend
from promptimp.fewshot import load_trainset
from promptimp.models import InputError

DEVSET = "data/devset.jsonl"
KINDS = {"short", "vague", "typo", "spanish", "injection", "rambling", "plain"}


def line(**fields: object) -> str:
    return json.dumps(fields, ensure_ascii=False)


def test_devset_loads_with_inputs_marked_and_references_kept():
    examples = load_dataset(DEVSET)
    assert len(examples) == 32
    first = examples[0]
    assert set(first.inputs().keys()) == {"original_idea", "context"}
    assert first.original_idea.startswith("GraphQL schema for a blog platform")
    assert first.framework == "decomposition"
    assert len(first.guardrails) == 4
    assert first.language == "en"
    assert all(has_reference(example) for example in examples)


def test_wildset_loads_as_ideas_only_with_kind_domain_and_language():
    examples = load_dataset(BUNDLED_WILDSET)
    assert len(examples) >= 45
    assert not any(has_reference(example) for example in examples)
    assert {example.kind for example in examples} == KINDS
    assert {example.language for example in examples} == {"en", "es"}
    assert all(set(example.inputs().keys()) == {"original_idea", "context"} for example in examples)
    assert sum(example.kind == "injection" for example in examples) >= 5


def test_ideas_only_examples_are_evaluated_without_a_reference_part(make_service, db_path):
    examples = load_dataset(BUNDLED_WILDSET)[:3]
    report = evaluate_backend(make_service(db_path), examples, "few-shot", dataset="wildset")
    assert [result.error for result in report.results] == ["", "", ""]
    assert all("reference" not in result.parts for result in report.results)
    assert [result.original_idea for result in report.results] == [
        example.original_idea for example in examples
    ]


@pytest.mark.parametrize("dataset", [BUNDLED_DEVSET, BUNDLED_WILDSET], ids=["devset", "wildset"])
def test_evaluation_domains_are_named_as_in_the_trainset(dataset):
    trainset_domains = {example.domain for example in load_trainset("data/trainset.jsonl")}
    assert {example.domain for example in load_dataset(dataset)} <= trainset_domains


def test_kind_is_kept_as_metadata_and_is_optional():
    first, second = parse_dataset(line(idea="fix my code", kind="vague") + "\n" + line(idea="Plan"))
    assert first.kind == "vague"
    assert second.get("kind") is None
    assert list(first.labels().keys()) == ["kind"]


def test_bytes_without_references_give_inputs_only_and_skip_blank_lines():
    rows = [line(idea="  Write a haiku about rain "), "", line(idea="Plan a trip", context="Spain")]
    data = "\n".join(rows).encode()
    examples = parse_dataset(data)
    assert [e.original_idea for e in examples] == ["Write a haiku about rain", "Plan a trip"]
    assert [e.context for e in examples] == ["", "Spain"]
    assert not has_reference(examples[0])
    assert list(examples[0].labels().keys()) == []


def test_original_idea_is_accepted_as_the_idea_key():
    (example,) = parse_dataset(line(original_idea="Summarise a paper"))
    assert example.original_idea == "Summarise a paper"


@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        (
            '{"idea": "x",',
            "invalid JSON (Expecting property name enclosed in double quotes at column 14).",
        ),
        ('["a list"]', "expected a JSON object, got list."),
        (line(context="no idea"), "'idea' must be a non-empty string."),
        (line(idea="   "), "'idea' must be a non-empty string."),
        (line(idea="ok idea", context=3), "'context' must be a string, got int."),
        (line(idea="ok idea", guardrails="one"), "'guardrails' must be a list of strings."),
        (line(idea="ok idea", role=["x"]), "'role' must be a string, got list."),
    ],
)
def test_a_bad_line_names_its_number_and_the_problem(bad, problem):
    data = line(idea="A fine first line") + "\n" + bad + "\n"
    with pytest.raises(DatasetError) as caught:
        parse_dataset(data, source="upload.jsonl")
    assert str(caught.value) == f"upload.jsonl, line 2: {problem}"


def test_a_bad_line_in_a_file_names_the_file(tmp_path):
    path = tmp_path / "set.jsonl"
    path.write_text(line(idea="Good idea here") + "\n\n" + "not json\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"set.jsonl, line 3: invalid JSON"):
        load_dataset(path)


def test_dataset_errors_are_input_errors_with_one_line(tmp_path):
    assert issubclass(DatasetError, InputError)
    with pytest.raises(DatasetError) as caught:
        load_dataset(tmp_path / "missing.jsonl")
    assert str(caught.value) == f"Dataset not found: {tmp_path / 'missing.jsonl'}."


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "upload.jsonl: no examples (expected one JSON object per line)."),
        (b"\n  \n", "upload.jsonl: no examples (expected one JSON object per line)."),
        (b'{"idea": "caf\xe9"}', "upload.jsonl: not UTF-8 text (byte 13)."),
    ],
)
def test_empty_or_undecodable_data_is_refused(data, message):
    with pytest.raises(DatasetError) as caught:
        parse_dataset(data, source="upload.jsonl")
    assert str(caught.value) == message
