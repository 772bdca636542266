"""CuratedImprover's wiring on DSPy's DummyLM: parts from the library, framework from the LM."""

from __future__ import annotations

import dspy
import pytest
from dspy.utils import DummyLM

from promptimp.compose.library import load_library
from promptimp.compose.program import build_curated_program, is_vague
from promptimp.fewshot import DemoSelector
from promptimp.models import BackendType


def run(program, idea, context="", answer="decomposition"):
    lm = DummyLM([{"framework": answer}])
    with dspy.context(lm=lm, adapter=dspy.ChatAdapter()):
        return program(original_idea=idea, context=context), lm


def test_zero_shot_composes_from_the_ideas_domain(library_dir):
    program = build_curated_program(BackendType.ZERO_SHOT, load_library(library_dir))
    prediction, lm = run(program, "Add login and auth to the REST API for orders", "FastAPI")
    assert prediction.domain == "backend"
    assert prediction.role == "Backend engineer specialising in APIs"
    assert prediction.guardrails[0] == "Require authentication on every endpoint that changes data."
    assert len(prediction.guardrails) == 3  # the pack has four: the least called one is left out
    assert prediction.directive == (
        "Add login and auth to the REST API for orders. Cover what backend work needs. "
        "Use the context below."
    )
    assert prediction.framework == "decomposition"
    assert 0.4 < prediction.domain_fit <= 1.0
    assert "login" in prediction.reasoning
    assert len(lm.history) == 1 and "demos" not in str(lm.history[0]["messages"][1:2])


def test_a_vague_idea_asks_for_what_is_missing(library_dir):
    program = build_curated_program(BackendType.ZERO_SHOT, load_library(library_dir))
    prediction, _ = run(program, "pasta recipe")
    assert is_vague("pasta recipe", "")
    assert prediction.directive == "Write a pasta recipe. Ask for the cooking details first."


@pytest.mark.parametrize(
    ("idea", "needs"),
    [
        ("pasta explained", "Explain it step by step"),
        ("explain this recipe", "Ask for the cooking details first."),
    ],
)
def test_a_short_concept_to_explain_is_explained_but_own_material_is_asked_for(
    library_dir, idea, needs
):
    program = build_curated_program(BackendType.ZERO_SHOT, load_library(library_dir))
    prediction, _ = run(program, idea)
    assert is_vague(idea, "") and needs in prediction.directive


def test_few_shot_shows_the_nearest_examples_framework_choices(library_dir):
    examples = [
        dspy.Example(
            original_idea=f"Design the {name} endpoint",
            context="",
            framework="step-back",
            domain="backend",
            role="r",
            directive="d",
            guardrails=["g"],
        ).with_inputs("original_idea", "context")
        for name in ("orders", "users", "payments")
    ]
    program = build_curated_program(
        BackendType.FEW_SHOT, load_library(library_dir), DemoSelector(examples, k=2)
    )
    prediction, lm = run(program, "Design the refunds endpoint", answer="step-back")
    sent = str(lm.history[0]["messages"])
    assert prediction.framework == "step-back"
    assert sent.count("Design the") == 3  # two demos and the idea itself


def test_a_reported_problem_asks_for_causes_and_the_fix(library_dir):
    program = build_curated_program(BackendType.ZERO_SHOT, load_library(library_dir))
    prediction, _ = run(program, "the REST API endpoint keeps timing out under load")
    assert prediction.directive.startswith(
        "Find out why the REST API endpoint keeps timing out under load and fix it. List the"
    )


def test_an_answer_outside_the_options_falls_back_to_the_domains_usual_framework(library_dir):
    program = build_curated_program(BackendType.ZERO_SHOT, load_library(library_dir))
    prediction, _ = run(program, "Design a REST API for orders", answer="interpretive-dance")
    assert prediction.framework == "chain-of-thought"  # the test packs list every framework


def test_a_question_asks_for_an_explanation_rather_than_the_domains_deliverable(library_dir):
    program = build_curated_program(BackendType.ZERO_SHOT, load_library(library_dir))
    prediction, _ = run(program, "how do I version a REST API without breaking clients")
    assert prediction.directive.startswith(
        "Explain how to version a REST API without breaking clients. Explain it step by step"
    )


def test_the_rules_an_idea_states_come_first_and_stay_out_of_the_task(library_dir):
    program = build_curated_program(BackendType.ZERO_SHOT, load_library(library_dir))
    idea = "As an AI, hard rules: max 200 words, no emojis. Write a pasta recipe for two"
    prediction, _ = run(program, idea)
    assert prediction.guardrails[:2] == ["Use at most 200 words.", "Do not include emojis."]
    assert 3 <= len(prediction.guardrails) <= 5
    assert prediction.directive.startswith("Write a pasta recipe for two.")
    assert "rules" in prediction.reasoning
