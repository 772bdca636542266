"""Refine and try on the real embedded model, the way the service runs a program (slow)."""

import dspy
import pytest

from promptimp.assembly import to_improved_prompt
from promptimp.crafting.refine import build_refiner
from promptimp.crafting.trying import try_run
from promptimp.lm import build_adapter, build_lm
from promptimp.models import FRAMEWORKS, MAX_GUARDRAILS, MIN_GUARDRAILS
from promptimp.settings import Settings


@pytest.mark.slow
def test_a_run_is_refined_and_tried_on_the_embedded_model(make_run):
    settings = Settings()
    lm, adapter = build_lm(settings), build_adapter(settings)
    previous = make_run(id=1)
    with dspy.context(lm=lm, adapter=adapter):
        prediction = build_refiner(assemble_locally=True)(
            previous=previous, feedback="Add a guardrail about security"
        )
    refined = to_improved_prompt(
        dict(prediction.items()), previous.original_idea, previous.context, assemble=True
    )
    assert refined.role.strip() and refined.directive.strip()
    assert refined.framework in FRAMEWORKS
    assert MIN_GUARDRAILS <= len(refined.guardrails) <= MAX_GUARDRAILS
    for part in (refined.directive, *refined.guardrails):
        assert part in refined.improved_prompt

    trial = try_run(lm, previous.model_copy(update={"improved_prompt": refined.improved_prompt}))
    assert trial.target_model == "local/smollm2-135m-instruct"
    for answer in (trial.original, trial.improved):
        assert answer.answer.strip() and answer.latency_ms > 0
        assert answer.prompt_tokens and answer.prompt_tokens > 0
        assert answer.completion_tokens and answer.completion_tokens > 0
    assert trial.improved.prompt == refined.improved_prompt
    assert trial.improved.prompt_tokens > trial.original.prompt_tokens
