"""The refine program's wiring on DummyLM, its signatures, and the feedback checks."""

import json

import dspy
import pytest
from dspy.utils import DummyLM

from promptimp.assembly import to_improved_prompt
from promptimp.crafting.feedback import MAX_FEEDBACK_CHARS, QUICK_FEEDBACK, validate_feedback
from promptimp.crafting.refine import RefinePrompt, RefinePromptParts, build_refiner
from promptimp.improver import ImprovePrompt, ImprovePromptParts
from promptimp.local.adapter import LocalJSONAdapter
from promptimp.models import InputError
from tests.support import ANSWER

PARTS = {key: value for key, value in ANSWER.items() if key != "improved_prompt"}


def fields_of(signature):
    return {
        name: (info.annotation, info.json_schema_extra["desc"])
        for name, info in signature.output_fields.items()
    }


def test_refine_answers_with_the_improvers_own_output_fields():
    assert fields_of(RefinePromptParts) == fields_of(ImprovePromptParts)
    assert fields_of(RefinePrompt) == fields_of(ImprovePrompt)
    assert RefinePromptParts.instructions != ImprovePromptParts.instructions
    assert list(RefinePrompt.input_fields) == ["original_idea", "context", "previous", "feedback"]


def test_the_previous_version_is_a_turn_of_conversation_before_the_feedback(make_run):
    previous = make_run(guardrails=("Use REST conventions", "Cover errors", "Version the API"))
    lm = DummyLM([ANSWER])
    with dspy.context(lm=lm, adapter=dspy.ChatAdapter()):
        prediction = build_refiner()(previous=previous, feedback="Add a guardrail about security")
    system, asked, answered, request = lm.history[-1]["messages"]
    assert [system["role"], asked["role"], answered["role"], request["role"]] == [
        "system", "user", "assistant", "user",
    ]  # fmt: skip
    assert previous.original_idea in asked["content"] and "feedback" not in asked["content"]
    for part in (previous.role, previous.directive, previous.improved_prompt, *previous.guardrails):
        assert part in answered["content"]
    assert previous.reasoning in answered["content"]
    assert "Add a guardrail about security" in request["content"]
    assert previous.directive not in request["content"]
    assert dict(prediction.items()) == ANSWER


def test_local_refiner_asks_for_the_parts_and_the_service_path_assembles_them(make_run):
    previous = make_run()
    adapter = LocalJSONAdapter()
    lm = DummyLM([PARTS], adapter=adapter)
    with dspy.context(lm=lm, adapter=adapter):
        prediction = build_refiner(assemble_locally=True)(previous=previous, feedback="Shorter")
    system, asked, answered, request = (
        message["content"] for message in lm.history[-1]["messages"]
    )
    assert "improved_prompt" not in system + answered
    assert asked == f"original_idea: {previous.original_idea}\ncontext: {previous.context}"
    assert json.loads(answered) == {
        "role": previous.role,
        "directive": previous.directive,
        "framework": previous.framework,
        "guardrails": list(previous.guardrails),
        "reasoning": previous.reasoning,
        "confidence": previous.confidence,
    }
    assert request == f"{asked}\nfeedback: Shorter"
    improved = to_improved_prompt(
        dict(prediction.items()), previous.original_idea, previous.context, assemble=True
    )
    assert improved.role == PARTS["role"] and improved.guardrails == tuple(PARTS["guardrails"])
    assert improved.improved_prompt.startswith("You are a senior backend engineer")
    assert previous.context in improved.improved_prompt


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("  Shorter  ", "Shorter"),
        ("More\x00 formal\x1b", "More formal"),
        ("line one\r\nline two", "line one\nline two"),
        ("x" * MAX_FEEDBACK_CHARS, "x" * MAX_FEEDBACK_CHARS),
    ],
)
def test_feedback_is_kept_without_control_characters(typed, kept):
    assert validate_feedback(typed) == kept


def test_quick_feedback_is_valid_feedback():
    assert [validate_feedback(choice) for choice in QUICK_FEEDBACK] == list(QUICK_FEEDBACK)
    assert "Add a guardrail about security" in QUICK_FEEDBACK


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "The feedback is empty"),
        (" \n\t ", "The feedback is empty"),
        ("\u200b\u200d", "The feedback is empty"),
        ("\x00\x07", "The feedback is empty"),
        ("y" * (MAX_FEEDBACK_CHARS + 1), "2,001 characters; the limit is 2,000"),
        ("bad \ud800 bytes", "not valid UTF-8"),
    ],
)
def test_bad_feedback_gets_one_line(typed, message):
    with pytest.raises(InputError, match=message) as caught:
        validate_feedback(typed)
    assert "\n" not in str(caught.value)
