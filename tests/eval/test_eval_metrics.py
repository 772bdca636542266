"""Each metric part prefers a hand-made good output to a bad one; junk never scores as good."""

from __future__ import annotations

import dspy
import pytest
from dspy.utils import DummyLM

from eval.metrics import (
    WEIGHTS,
    PromptJudge,
    composite,
    composite_metric,
    consistency_score,
    grounding_score,
    key_terms,
    length_score,
    make_metric,
    reference_score,
    repetition_score,
    score_prediction,
    structure_score,
    token_f1,
)
from promptimp.quality import JUNK_CEILING
from tests.quality_cases import CONTEXT as JUNK_CONTEXT
from tests.quality_cases import GOOD as JUNK_BASE
from tests.quality_cases import IDEA as JUNK_IDEA
from tests.quality_cases import JUNK_SHAPES, report_for

IDEA = "Design a REST API for user management"
CONTEXT = "Python FastAPI service, PostgreSQL database, JWT authentication"
ROLE = "Senior backend engineer specialising in REST API design"
DIRECTIVE = "Design a versioned REST API for user management with CRUD endpoints and JWT auth."
GUARDRAILS = [
    "Use plural nouns for the user resource paths",
    "Return RFC 7807 problem details for errors",
    "Never log passwords or tokens",
]
GOOD_PROMPT = (
    f"You are a {ROLE}.\n\n## Task\n{DIRECTIVE}\n\n## Context\n{CONTEXT}\n\n"
    "## Approach\nUse decomposition: list the user resources, then the endpoints, then the "
    "request and response schemas, then the authentication flow with JWT in FastAPI.\n\n"
    "## Guardrails\n" + "\n".join(f"- {rule}" for rule in GUARDRAILS) + "\n\n"
    "## Output\nAn OpenAPI outline with every endpoint, its method, path, status codes and an "
    "example payload stored in PostgreSQL."
)
GOOD = {
    "role": ROLE,
    "directive": DIRECTIVE,
    "framework": "decomposition",
    "guardrails": GUARDRAILS,
    "reasoning": "An API design splits naturally into resources and operations.",
    "confidence": 0.85,
    "improved_prompt": GOOD_PROMPT,
}
LOOP = "please write the answer in a clear and helpful way for me "
BAD = {
    "role": "assistant",
    "directive": "help",
    "framework": "magic",
    "guardrails": ["be nice"],
    "reasoning": "",
    "confidence": 1.7,
    "improved_prompt": "As an AI, [insert topic here] lorem ipsum TODO. " + LOOP * 2,
}
EXAMPLE = dspy.Example(
    original_idea=IDEA,
    context=CONTEXT,
    role=ROLE,
    directive=DIRECTIVE,
    framework="decomposition",
    guardrails=GUARDRAILS,
    improved_prompt=GOOD_PROMPT,
).with_inputs("original_idea", "context")


def test_structure_counts_every_check():
    assert structure_score(GOOD) == 1.0
    assert structure_score(BAD) == pytest.approx(1 / 7)  # only the prompt is present
    assert structure_score({**GOOD, "guardrails": GUARDRAILS * 2}) == pytest.approx(6 / 7)
    assert structure_score({**GOOD, "confidence": None}) == pytest.approx(6 / 7)
    assert structure_score({**GOOD, "confidence": True}) == pytest.approx(6 / 7)


def test_grounding_keeps_the_key_terms_of_idea_and_context():
    assert grounding_score(IDEA, CONTEXT, GOOD_PROMPT) == 1.0
    assert grounding_score(IDEA, CONTEXT, BAD["improved_prompt"]) == 0.0
    # idea fully kept (0.7), context half kept: python, fastapi, postg(resql), datab(ase),
    # authe(ntication), jwt, servi(ce) -> 3 of 7 found
    partial = "Design a REST API for user management in Python with FastAPI and JWT"
    assert grounding_score(IDEA, CONTEXT, partial) == pytest.approx(0.7 + 0.3 * 3 / 7)


def test_key_terms_drop_english_and_spanish_stop_words_and_match_word_forms():
    assert key_terms("Design the REST API for the users") == {"desig", "rest", "api", "user"}
    assert key_terms("Diseñar una API para los usuarios") == {"disen", "api", "usuar"}
    assert grounding_score("gestión de usuarios", "", "Gestiona el usuario") == 1.0


def test_consistency_wants_role_and_directive_in_the_prompt():
    assert consistency_score(ROLE, DIRECTIVE, GOOD_PROMPT) == 1.0
    assert consistency_score(ROLE, DIRECTIVE, "Write something nice.") == 0.0
    assert consistency_score(ROLE, DIRECTIVE, f"You are a {ROLE}.") == pytest.approx(
        (1.0 + 3 / 10) / 2  # the role brings 3 of the directive's 10 key terms
    )


def test_placeholders_and_filler_fail_the_quality_part():
    result = score_prediction(EXAMPLE, BAD)
    assert not result.acceptable
    assert result.parts["acceptable"] == 0.0
    assert any("program's own words" in reason for reason in result.failures)
    assert any("echoes 'As an AI'" in reason for reason in result.failures)


@pytest.mark.parametrize(("changes", "check"), JUNK_SHAPES)
def test_every_junk_shape_scores_as_junk(changes, check):
    fields = {**JUNK_BASE, **changes}
    prompt = report_for(**changes)  # the same prompt the quality tests check
    prediction = {**fields, "reasoning": "r", "confidence": 0.9, "improved_prompt": ""}
    prediction["improved_prompt"] = _assembled(fields)
    example = dspy.Example(original_idea=JUNK_IDEA, context=JUNK_CONTEXT)
    result = score_prediction(example, prediction)
    assert check in {c.name for c in prompt.failures}
    assert not result.acceptable
    assert result.parts["acceptable"] == 0.0
    assert result.score <= JUNK_CEILING


def _assembled(fields: dict) -> str:
    from promptimp.assembly import assemble_prompt

    return assemble_prompt(
        fields["role"], fields["directive"], fields["framework"], fields["guardrails"],
        JUNK_CONTEXT, "en",
    )  # fmt: skip


def test_parts_the_template_guarantees_carry_no_weight():
    result = score_prediction(EXAMPLE, GOOD)
    for name in ("structure", "consistency", "length", "no_repetition", "acceptable"):
        assert name in result.parts
        assert name not in WEIGHTS
    assert composite({"structure": 0.0, "quality": 1.0}) == 1.0
    assert composite({"quality": 0.9, "grounding": 1.0}, acceptable=False) == JUNK_CEILING


@pytest.mark.parametrize(
    ("count", "expected"), [(0, 0.0), (20, 0.5), (40, 1.0), (600, 1.0), (900, 0.5), (1500, 0.0)]
)
def test_length_is_full_within_bounds(count, expected):
    assert length_score(" ".join(["word"] * count)) == pytest.approx(expected)


def test_repetition_loops_are_penalised():
    assert repetition_score(GOOD_PROMPT) == 1.0
    assert repetition_score("") == 1.0
    # 12-word phrase three times: 36 words, the last 24 lie in a repeated run
    assert repetition_score(LOOP * 3) == pytest.approx(1 - 24 / 36)
    assert repetition_score(BAD["improved_prompt"]) == pytest.approx(1 - 12 / 33)
    seven = "one two three four five six seven"
    assert repetition_score(f"{seven} x {seven} y") == 1.0  # runs shorter than 8 are fine


def test_reference_similarity_needs_a_reference():
    assert reference_score(GOOD, EXAMPLE) == 1.0
    assert reference_score(BAD, EXAMPLE) < 0.1
    assert reference_score(GOOD, dspy.Example(original_idea=IDEA)) is None
    assert token_f1("users api design", "design api for users") == 1.0
    assert token_f1("", "") == 1.0
    assert token_f1("alpha beta", "gamma delta") == 0.0


def test_the_composite_is_a_weighted_mean_in_zero_one():
    good = score_prediction(EXAMPLE, GOOD)
    bad = score_prediction(EXAMPLE, BAD)
    assert good.acceptable and good.failures == ()
    assert good.score >= 0.9
    assert good.parts["acceptable"] == 1.0
    assert list(good.parts) == [
        "quality", "acceptable", "grounding", "reference", "structure", "consistency", "length",
        "no_repetition",
    ]  # fmt: skip
    assert 0.0 <= bad.score < 0.25
    for name, value in good.parts.items():
        assert value > bad.parts[name], name
    assert composite({"quality": 1.0, "grounding": 0.0}) == pytest.approx(0.6 / 0.75)
    assert composite({}) == 0.0


def test_without_a_reference_the_part_is_left_out():
    bare = dspy.Example(original_idea=IDEA, context=CONTEXT).with_inputs("original_idea")
    assert "reference" not in score_prediction(bare, GOOD).parts
    assert score_prediction(bare, GOOD).score >= 0.9


def test_a_failed_prediction_scores_zero_everywhere():
    failed = dspy.Prediction(error="The language model failed", prompt_run_id=None)
    result = score_prediction(EXAMPLE, failed)
    assert result.score == 0.0
    assert result.parts == dict.fromkeys(result.parts, 0.0)


def test_the_dspy_metric_returns_the_composite_float():
    prediction = dspy.Prediction(**GOOD)
    assert composite_metric(EXAMPLE, prediction) == score_prediction(EXAMPLE, GOOD).score
    assert composite_metric(EXAMPLE, dspy.Prediction(**BAD), trace=[]) == (
        score_prediction(EXAMPLE, BAD).score
    )


def test_the_judge_part_comes_from_the_lm_and_is_off_by_default():
    judge = PromptJudge(DummyLM([{"score": "0.4"}]), dspy.ChatAdapter())
    result = score_prediction(EXAMPLE, GOOD, judge)
    assert result.parts["judge"] == 0.4
    without = score_prediction(EXAMPLE, GOOD)
    others = sum(WEIGHTS[name] for name in without.parts if name in WEIGHTS)
    assert result.score == pytest.approx(
        (without.score * others + 0.4 * WEIGHTS["judge"]) / (others + WEIGHTS["judge"])
    )
    metric = make_metric(judge=PromptJudge(DummyLM([{"score": "1.0"}]), dspy.ChatAdapter()))
    assert metric(EXAMPLE, GOOD) > without.score
    assert "judge" not in score_prediction(EXAMPLE, GOOD).parts


def test_a_failing_judge_is_left_out():
    judge = PromptJudge(DummyLM([{"unrelated": "x"}] * 3), dspy.ChatAdapter())
    assert "judge" not in score_prediction(EXAMPLE, GOOD, judge).parts
