"""The DSPy programs that improve a prompt: a signature, zero-shot and few-shot modules."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import dspy

from promptimp.models import FRAMEWORKS, BackendType


class ImprovePromptParts(dspy.Signature):
    """Turn a rough idea into the parts of a high-quality prompt for an AI assistant.

    Choose the expert role best suited to the task, write a precise directive that says exactly
    what to produce, pick the reasoning framework that fits, and give 3 to 5 concrete guardrails
    specific to this task. Stay in the language of the idea. Never use placeholders.
    """

    original_idea: str = dspy.InputField(desc="the user's rough idea")
    context: str = dspy.InputField(
        desc="optional background, constraints or audience; may be empty"
    )
    role: str = dspy.OutputField(desc="the expert the assistant should be, 4-15 words")
    directive: str = dspy.OutputField(desc="one or two precise sentences: what exactly to produce")
    framework: str = dspy.OutputField(desc="one of: " + ", ".join(FRAMEWORKS))
    guardrails: list[str] = dspy.OutputField(desc="3 to 5 concrete constraints for this task")
    reasoning: str = dspy.OutputField(desc="one or two sentences on why these choices fit")
    confidence: float = dspy.OutputField(desc="how well the prompt captures the idea, 0.0 to 1.0")


class ImprovePrompt(ImprovePromptParts):
    """Turn a rough idea into a structured, high-quality prompt for an AI assistant.

    Choose the expert role best suited to the task, write a precise directive that says exactly
    what to produce, pick the reasoning framework that fits, and give 3 to 5 concrete guardrails
    specific to this task. Then write the complete improved prompt, which must state the role,
    the directive, how to apply the framework, and every guardrail. Stay in the language of the
    idea. Never use placeholders.
    """

    improved_prompt: str = dspy.OutputField(
        desc="the complete prompt: role, directive, framework and guardrails, ready to paste"
    )


DemoSelector = Callable[[str, str], Sequence[dspy.Example]]
"""Returns the demos to show for (idea, context), most relevant first."""


class ZeroShotImprover(dspy.Module):
    """Improves a prompt from the instructions alone."""

    def __init__(self, signature: type[dspy.Signature] = ImprovePrompt) -> None:
        super().__init__()
        self.predict = dspy.Predict(signature)

    def forward(self, original_idea: str, context: str = "") -> dspy.Prediction:
        return self.predict(original_idea=original_idea, context=context)


class FewShotImprover(dspy.Module):
    """Improves a prompt after seeing worked examples.

    With a `select_demos` callable the demos are picked per idea (the most similar examples) and
    shown most similar last, next to the idea: a small model follows the nearest demo most.
    Without one, the predictor's own demos are used (for example, loaded from a compiled file).
    """

    def __init__(
        self,
        signature: type[dspy.Signature] = ImprovePrompt,
        select_demos: DemoSelector | None = None,
    ) -> None:
        super().__init__()
        self.predict = dspy.Predict(signature)
        self.select_demos = select_demos

    def forward(self, original_idea: str, context: str = "") -> dspy.Prediction:
        if self.select_demos is None:
            return self.predict(original_idea=original_idea, context=context)
        demos = list(reversed(self.select_demos(original_idea, context)))
        return self.predict(original_idea=original_idea, context=context, demos=demos)


def build_program(
    backend: BackendType,
    *,
    assemble_locally: bool = False,
    select_demos: DemoSelector | None = None,
) -> dspy.Module:
    """The program for a backend.

    `assemble_locally` asks the model only for the parts; the service then assembles the
    improved prompt from them with a template (better for small local models).
    """
    signature = ImprovePromptParts if assemble_locally else ImprovePrompt
    if backend is BackendType.FEW_SHOT:
        return FewShotImprover(signature, select_demos)
    return ZeroShotImprover(signature)
