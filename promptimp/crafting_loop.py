"""CraftingLoop: what a person does with a run after improving it, on top of the service.

Try it on a target model, refine it with feedback into a new version, pick the keeper among
its versions, repeat an idea to see how stable the answers are, tag runs, export the tagged
keepers as a prompt library, and add good runs to the user trainset few-shot learns from.
Every write goes through the service (and its breaker); every model call through one of
its runtimes, so `model` chooses among service.available_models() here too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict

from promptimp.crafting.library import render_json, render_markdown
from promptimp.crafting.stability import Stability, summarise, validate_repeats
from promptimp.crafting.tags import normalise_tag
from promptimp.history.filters import RunFilter
from promptimp.history.records import Trial
from promptimp.models import (
    BackendType,
    ImprovedPrompt,
    ImproveResult,
    InputError,
    ModelError,
    PromptRun,
    RepositoryError,
)

if TYPE_CHECKING:
    from promptimp.crafting.user_trainset import UserExample
    from promptimp.service import ImproveService

EMBEDDED_TRY_TOKENS = 300
"""How long an embedded-model answer to a tried prompt may be: a 135M model's answers add
little past this, and each token costs time on a CPU (providers answer at full length)."""


class TrialResult(BaseModel):
    """A trial, with its id when stored, and warnings (why it was not stored, say)."""

    model_config = ConfigDict(frozen=True)

    trial: Trial
    warnings: tuple[str, ...] = ()


class StabilityResult(BaseModel):
    """N improvements of one idea and their spread."""

    model_config = ConfigDict(frozen=True)

    stability: Stability
    runs: tuple[PromptRun, ...]
    warnings: tuple[str, ...] = ()


def _same_prompt(improved: ImprovedPrompt, previous: PromptRun) -> bool:
    """Whether a refined answer has every part of the version it refines."""
    parts = ("role", "directive", "framework", "guardrails", "improved_prompt")
    return all(getattr(improved, part) == getattr(previous, part) for part in parts)


class CraftingLoop:
    """The crafting operations of one service."""

    def __init__(self, service: ImproveService) -> None:
        self.service = service

    def run(self, run_id: int) -> PromptRun:
        """The stored run `run_id`, or InputError naming it."""
        run = self.service.history.get(run_id)
        if run is None:
            raise InputError(f"No run with id {run_id}.")
        return run

    # -- try ----------------------------------------------------------------------------

    def try_run(self, run_id: int, model: str | None = None) -> TrialResult:
        """Send the run's improved prompt and its original idea to `model`; store the answers."""
        from promptimp.crafting.trying import try_run

        run = self.run(run_id)
        runtime = self.service.runtime(model)
        lm = runtime.lm()
        try:
            with runtime.turn():  # answers are timed once it is this call's turn
                trial = try_run(
                    lm,
                    run,
                    target_model=runtime.model_version,
                    max_tokens=EMBEDDED_TRY_TOKENS if runtime.assembles_locally else None,
                )
        except (InputError, ModelError):
            raise
        except Exception as error:  # any provider or engine failure
            raise runtime.model_error(error) from error
        try:
            stored = self.service.write(lambda store: store.save_trial(trial))
        except RepositoryError as error:
            return TrialResult(trial=trial, warnings=(f"Answers not stored: {error}",))
        return TrialResult(trial=stored)

    # -- refine and versions ------------------------------------------------------------

    def refine(
        self,
        run_id: int,
        feedback: str,
        model: str | None = None,
        author: str | None = None,
    ) -> ImproveResult:
        """A new version of the run that follows `feedback`, stored with the run as parent."""
        from promptimp.crafting.feedback import validate_feedback

        feedback = validate_feedback(feedback)
        previous = self.run(run_id)
        runtime = self.service.runtime(model)
        fields, latency_ms = runtime.run(runtime.refiner(), previous=previous, feedback=feedback)
        improved, warnings = self.service.to_prompt(
            runtime, fields, previous.original_idea, previous.context
        )
        if _same_prompt(improved, previous):
            warnings.append(
                f"The model {runtime.model_version} gave the previous version back unchanged;"
                " try other feedback or another model."
            )
        run = PromptRun(
            original_idea=previous.original_idea,
            context=previous.context,
            backend=previous.backend,
            latency_ms=latency_ms,
            model_version=runtime.model_version,
            author=author or self.service.settings.default_author,
            parent_id=previous.id,
            feedback=feedback,
            **improved.model_dump(),
        )
        result = self.service.save_run(run)
        return result.model_copy(update={"warnings": (*warnings, *result.warnings)})

    def versions(self, run_id: int) -> list[PromptRun]:
        """Every version in the run's chain, oldest first."""
        chain = self.service.history.versions(run_id)
        if not chain:
            raise InputError(f"No run with id {run_id}.")
        return chain

    def keep(self, run_id: int) -> PromptRun:
        """Make this version its chain's keeper; the run as stored now."""
        if not self.service.write(lambda store: store.set_keeper(run_id)):
            raise InputError(f"No run with id {run_id}.")
        return self.run(run_id)

    # -- stability ----------------------------------------------------------------------

    def stability(
        self,
        idea: str,
        context: str = "",
        backend: str | BackendType | None = None,
        repeats: int = 5,
        model: str | None = None,
        author: str | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> StabilityResult:
        """Improve `idea` `repeats` times (1-10; each run stored) and summarise the spread.
        `progress(done, total)` after each run."""
        repeats = validate_repeats(repeats)
        results: list[ImproveResult] = []
        for done in range(1, repeats + 1):
            results.append(self.service.improve(idea, context, backend, author, model))
            if progress:
                progress(done, repeats)
        warnings = tuple(dict.fromkeys(w for result in results for w in result.warnings))
        runs = tuple(result.run for result in results)
        return StabilityResult(stability=summarise(runs), runs=runs, warnings=warnings)

    # -- tags and the library -----------------------------------------------------------

    def tag(self, run_id: int, text: str) -> PromptRun:
        """Tag the run (normalised: lower case, no spaces); the run as stored now."""
        tag = normalise_tag(text)
        if not self.service.write(lambda store: store.add_tag(run_id, tag)):
            raise InputError(f"No run with id {run_id}.")
        return self.run(run_id)

    def untag(self, run_id: int, text: str) -> PromptRun:
        """Remove a tag from the run; InputError when it does not have it."""
        tag = normalise_tag(text)
        run = self.run(run_id)
        if not self.service.write(lambda store: store.remove_tag(run_id, tag)):
            raise InputError(f"Run {run_id} has no tag {tag!r}.")
        return run.model_copy(update={"tags": tuple(t for t in run.tags if t != tag)})

    def library_runs(self, tag: str | None = None) -> list[PromptRun]:
        """The keepers that carry a tag (`tag` itself when given), newest first."""
        wanted = normalise_tag(tag) if tag else None
        keepers = self.service.history.query(RunFilter(keepers_only=True, tag=wanted), limit=None)
        return [run for run in keepers if run.tags]

    def library(self, fmt: Literal["md", "json"], tag: str | None = None) -> str:
        """The prompt library as Markdown (one section per prompt) or JSON."""
        runs = self.library_runs(tag)
        return render_markdown(runs) if fmt == "md" else render_json(runs)

    # -- the user trainset (its module loads DSPy: imported when used) ----------------

    @property
    def trainset_path(self) -> str:
        return self.service.settings.DSPY_FEWSHOT_USER_TRAINSET_PATH

    def add_to_trainset(self, run_id: int) -> UserExample:
        """Add a good run to the user trainset; few-shot draws demos from it from now on."""
        from promptimp.crafting.user_trainset import add_example  # loads DSPy, as few-shot does

        example = add_example(self.trainset_path, self.run(run_id))
        self.service.trainset_changed()
        return example

    def trainset(self) -> list[UserExample]:
        from promptimp.crafting.user_trainset import list_examples

        return list_examples(self.trainset_path)

    def remove_from_trainset(
        self, *, run_id: int | None = None, index: int | None = None
    ) -> UserExample:
        from promptimp.crafting.user_trainset import remove_example

        removed = remove_example(self.trainset_path, run_id=run_id, index=index)
        self.service.trainset_changed()
        return removed
