"""`promptimp eval agreement`: the verdict against people's labels, on real JSONL files."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cli.app import app
from eval.agreement import (
    BUNDLED_GOLD,
    BUNDLED_JUDGMENTS,
    SPLITS,
    auc,
    gold_acceptance,
    load_gold,
    load_judgments,
    measure,
)
from promptimp.models import InputError
from tests.quality_cases import CONTEXT, GOOD, IDEA

GOOD_ROW = {
    "idea": IDEA,
    "context": CONTEXT,
    **GOOD,
    "improved_prompt": "",
    "source": "hand-good",
    "acceptable": True,
    "reason": "specific role and task",
}


def row(split: str = "tune", acceptable: bool = True, **changes) -> dict:
    fields = {**GOOD_ROW, **changes, "split": split, "acceptable": acceptable}
    fields["improved_prompt"] = _prompt(fields)
    return fields


def _prompt(fields: dict) -> str:
    from promptimp.assembly import assemble_prompt

    return assemble_prompt(
        fields["role"], fields["directive"], fields["framework"], fields["guardrails"],
        fields["context"], "en",
    )  # fmt: skip


@pytest.fixture
def judgments(tmp_path):
    rows = [
        row("tune", True),
        row("tune", False, role="Developer of the idea", source="hand-junk-generic-role"),
        row("holdout", True),
        # labeled junk, but the checks pass it: one disagreement on the holdout
        row("holdout", False, source="hand-junk-mislabeled", reason="a person disliked it"),
    ]
    path = tmp_path / "judgments.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def test_agreement_counts_each_split(judgments):
    rows = load_judgments(judgments)
    tune, holdout = (measure(rows, split) for split in SPLITS)
    assert (tune.count, tune.agreement, tune.both_acceptable, tune.both_junk) == (2, 1.0, 1, 1)
    assert tune.junk_mean_score <= 0.4 <= 0.7 <= tune.acceptable_mean_score
    assert (holdout.agreement, holdout.passed_junk, holdout.rejected_good) == (0.5, 1, 0)
    assert [d.source for d in holdout.disagreements] == ["hand-junk-mislabeled"]
    assert measure(rows, "all").count == 4


def test_auc_is_the_chance_a_good_one_ranks_above_junk():
    assert auc([0.9, 0.8], [0.1, 0.3]) == 1.0
    assert auc([0.5], [0.5]) == 0.5
    assert auc([0.2], [0.9, 0.1]) == 0.5
    assert auc([], [0.1]) is None


def test_the_command_prints_agreement_and_disagreements(judgments):
    result = CliRunner().invoke(app, ["eval", "agreement", "--judgments", str(judgments)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split()[:3] == ["split", "n", "agree"]
    assert lines[1].split()[:3] == ["tune", "2", "100.0%"]
    assert lines[2].split()[:3] == ["holdout", "2", "50.0%"]
    assert "labeled junk, verdict acceptable" in result.output
    assert "label: a person disliked it" in result.output


@pytest.fixture
def gold(tmp_path):
    good = {key: value for key, value in row().items() if key in GOLD_KEYS}
    junk = {**good, "role": "Developer of the idea"}
    junk["improved_prompt"] = _prompt({**junk, "context": CONTEXT})
    path = tmp_path / "trainset.jsonl"
    path.write_text(f"{json.dumps(good)}\n\n{json.dumps(junk)}\n", encoding="utf-8")
    return path


GOLD_KEYS = ("idea", "context", "role", "directive", "framework", "guardrails", "improved_prompt")


def test_gold_acceptance_counts_the_accepted_rows_and_the_checks_that_reject(gold):
    result = gold_acceptance(gold)
    assert (result.dataset, result.accepted, result.total) == ("trainset.jsonl", 1, 2)
    assert result.share == 0.5
    assert result.failing_checks["role is a profession"] == 1
    assert result.rejected == (IDEA,)


def test_a_bad_gold_line_is_named(tmp_path):
    path = tmp_path / "devset.jsonl"
    path.write_text('{"idea": "only an idea"}\n', encoding="utf-8")
    with pytest.raises(InputError, match="line 1: not one of the gold prompts"):
        load_gold(path)


def test_the_command_prints_gold_acceptance(judgments, gold):
    args = ["eval", "agreement", "--judgments", str(judgments), "--gold", str(gold)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if "trainset.jsonl" in line)
    assert line.split()[:5] == ["trainset.jsonl", "1", "/", "2", "50.0%"]
    assert "failing: role is a profession 1" in line


def test_the_command_gives_json(judgments, gold):
    args = ["eval", "agreement", "--judgments", str(judgments), "--gold", str(gold), "--json"]
    result = CliRunner().invoke(app, args)
    answer = json.loads(result.stdout)
    assert [split["split"] for split in answer["agreement"]] == [*SPLITS, "all", "model"]
    assert [(g["accepted"], g["total"], g["share"]) for g in answer["gold_acceptance"]] == [
        (1, 2, 0.5)
    ]


def test_a_bad_line_is_named(tmp_path):
    path = tmp_path / "judgments.jsonl"
    path.write_text(json.dumps(row()) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 2"):
        load_judgments(path)
    with pytest.raises(InputError, match="Cannot read judgments"):
        load_judgments(tmp_path / "missing.jsonl")


def test_the_bundled_judgments_cover_both_labels_splits_and_backends():
    rows = load_judgments(BUNDLED_JUDGMENTS)
    sources = {r.source for r in rows}
    assert {"local-zero-shot", "local-few-shot", "hand-good"} <= sources
    assert any(source.startswith("hand-junk-") for source in sources)
    assert {r.split for r in rows} == set(SPLITS)
    assert {r.acceptable for r in rows} == {True, False}
    assert all(r.reason.strip() and "\n" not in r.reason for r in rows)


def test_the_verdict_accepts_the_bundled_gold_and_agrees_with_the_labels():
    for path in BUNDLED_GOLD:
        gold = gold_acceptance(path)
        assert gold.share >= 0.95, (gold.dataset, gold.failing_checks, gold.rejected[:5])
    # A regression guard on the hand-written rows the checks were tuned on; the agreement on the
    # embedded model's labeled outputs is a figure that bench/quality_bench.py reports.
    result = measure(load_judgments(BUNDLED_JUDGMENTS), "all", source_prefix="hand-")
    assert result.agreement >= 0.96
    assert result.junk_mean_score <= 0.4 <= 0.7 <= result.acceptable_mean_score


def test_the_model_row_covers_model_outputs_and_their_shown_confidence():
    from eval.agreement import Judgment, measure_all

    rows = [
        Judgment(**row("tune", True, source="local-zero-shot-composed", confidence=0.9)),
        Judgment(**row("holdout", False, source="local-few-shot-composed", confidence=0.4)),
        Judgment(**row("tune", True, source="hand-good")),
    ]
    results = {result.split: result for result in measure_all(rows)}
    assert results["all"].count == 3 and results["model"].count == 2
    assert results["model"].shown_confidence_auc == 1.0
    assert results["tune"].shown_confidence_auc is None  # one shown confidence, no junk


def test_the_verdict_agrees_with_the_labels_on_the_composed_outputs_it_was_tuned_on():
    # A regression guard on the tune split of the embedded model's labeled outputs, labeled
    # twice (blind second read): 54.4% from the checks of the parts alone, 78.6% with the
    # confidence the model showed weighed too (CONFIDENT was chosen there); the holdout figure
    # is printed by `promptimp eval agreement`.
    judgments = load_judgments(BUNDLED_JUDGMENTS)
    result = measure(judgments, "tune", source_prefix="local-")
    assert result.count >= 360
    assert result.agreement >= 0.78
    parts_alone = [j.model_copy(update={"confidence": None}) for j in judgments]
    assert measure(parts_alone, "tune", source_prefix="local-").agreement < result.agreement
