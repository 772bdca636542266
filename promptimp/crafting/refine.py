"""Refine a run: a DSPy program that rewrites a version's parts as a person's feedback asks.

Its output fields are the improver's own (ImprovePromptParts, plus ImprovePrompt's
improved_prompt for strong providers), so the service turns an answer into a run through
promptimp.assembly exactly as it does an improved prompt, and the embedded engine tightens
the same schema (short spaced prose, 3-5 guardrails, a known framework). The previous version
goes in as one turn of conversation (dspy.History) before the feedback.
"""

from __future__ import annotations

import dspy

from promptimp.improver import ImprovePrompt, ImprovePromptParts
from promptimp.models import PromptRun


class RefinePromptParts(ImprovePromptParts):
    """Rewrite your previous answer for this idea so that it follows the person's feedback.

    Change what the feedback asks for and keep every part it does not mention as it was. Give 3
    to 5 concrete guardrails specific to this task. Stay in the language of the idea. Never use
    placeholders.
    """

    previous: dspy.History = dspy.InputField(desc="the previous version, as asked and answered")
    feedback: str = dspy.InputField(desc="what the person wants changed")


class RefinePrompt(RefinePromptParts):
    """Rewrite your previous answer for this idea so that it follows the person's feedback.

    Change what the feedback asks for and keep every part it does not mention as it was. Give 3
    to 5 concrete guardrails specific to this task. Then write the complete improved prompt,
    which must state the role, the directive, how to apply the framework, and every guardrail.
    Stay in the language of the idea. Never use placeholders.
    """

    improved_prompt: str = ImprovePrompt.output_fields["improved_prompt"]


class Refiner(dspy.Module):
    """Rewrites a previous version as the feedback asks.

    The previous version is one turn of conversation (its idea asked, its parts answered), so
    the model reads its own earlier answer and may keep parts of it word for word; the embedded
    engine forbids copying only from the last message (the idea and the feedback).
    """

    def __init__(self, signature: type[dspy.Signature] = RefinePrompt) -> None:
        super().__init__()
        self.predict = dspy.Predict(signature)

    def forward(self, previous: PromptRun, feedback: str) -> dspy.Prediction:
        turn = {
            "original_idea": previous.original_idea,
            "context": previous.context,
            **previous.model_dump(include=set(self.predict.signature.output_fields)),
        }
        turn["guardrails"] = list(previous.guardrails)
        return self.predict(
            original_idea=previous.original_idea,
            context=previous.context,
            previous=dspy.History(messages=[turn]),
            feedback=feedback,
        )


def build_refiner(*, assemble_locally: bool = False) -> Refiner:
    """The refine program; `assemble_locally` asks only for the parts (as build_program does)."""
    return Refiner(RefinePromptParts if assemble_locally else RefinePrompt)
