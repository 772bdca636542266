"""ImproveService: validate -> run the program -> time -> save (behind a breaker) -> result.

This module imports DSPy only when a prompt is actually improved, so commands that just read
the history stay fast.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ConfigDict

from promptimp.assembly import DEFAULT_FRAMEWORK, to_improved_prompt
from promptimp.breaker import BreakerState, CircuitBreaker
from promptimp.history import HistoryReader, HistoryStore, open_history, open_store
from promptimp.history.records import EvalReport
from promptimp.model_choice import (
    ModelChoice,
    available_models,
    default_choice,
    parse_model,
    settings_for,
)
from promptimp.models import (
    FRAMEWORKS,
    BackendType,
    HistoryDisabledError,
    ImprovedPrompt,
    ImproveResult,
    InputError,
    ModelError,
    PromptImpError,
    PromptRun,
    RepositoryError,
    StoragePausedError,
)
from promptimp.runtime import ModelRuntime, ProgramFactory
from promptimp.settings import Settings
from promptimp.text import first_line, is_valid_unicode, strip_control, visible_length

if TYPE_CHECKING:
    from promptimp.crafting_loop import CraftingLoop
    from promptimp.history.transfer import CopyReport

log = logging.getLogger(__name__)

MIN_IDEA_CHARS = 5
MAX_TEXT_CHARS = 20_000
STORAGE_FAILURE_THRESHOLD = 5
STORAGE_COOLDOWN_S = 300.0

T = TypeVar("T")
HISTORY_DISABLED = (
    "History is disabled (SQLITE_ENABLED=false and no HISTORY_DATABASE_URL); enable it to"
    " keep and browse runs."
)


class Health(BaseModel):
    """What the health check reports; never contains a secret."""

    model_config = ConfigDict(frozen=True)

    status: str  # healthy | unhealthy | disabled
    total_records: int | None
    database_path: str
    average_confidence: float | None
    average_latency_ms: float | None
    breaker_state: str
    provider: str
    model: str
    reason: str = ""


def validate_input(idea: str, context: str) -> tuple[str, str]:
    """The idea and context without control characters and outer whitespace, or InputError
    naming what to fix. Only visible characters count towards the idea's minimum length."""
    for text, what in ((idea, "idea"), (context, "context")):
        if text and not is_valid_unicode(text):
            raise InputError.invalid_unicode(what)
    idea = strip_control(idea or "").strip()
    context = strip_control(context or "").strip()
    if visible_length(idea) < MIN_IDEA_CHARS:
        raise InputError(f"The idea must be at least {MIN_IDEA_CHARS} characters long.")
    if len(idea) > MAX_TEXT_CHARS:
        raise InputError(f"The idea is {len(idea):,} characters; the limit is {MAX_TEXT_CHARS:,}.")
    if len(context) > MAX_TEXT_CHARS:
        raise InputError(
            f"The context is {len(context):,} characters; the limit is {MAX_TEXT_CHARS:,}."
        )
    return idea, context


def parse_backend(value: str | BackendType | None, default: str) -> BackendType:
    """A BackendType from user text, or InputError listing the choices."""
    try:
        return BackendType(value or default)
    except ValueError:
        choices = ", ".join(b.value for b in BackendType)
        raise InputError(f"Unknown backend {value!r}; choose one of: {choices}.") from None


class ImproveService:
    """The one entry point for improving prompts; pages, CLI and API all call it.

    Every model call takes an optional `model` (a ModelChoice id from available_models());
    empty means the configured one. `lm`, `adapter` and `program_factory` replace what the
    settings would build for the configured model (tests pass DSPy's DummyLM).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        lm: Any = None,
        adapter: Any = None,
        program_factory: ProgramFactory | None = None,
        store: HistoryStore | None = None,
        breaker: CircuitBreaker | None = None,
    ) -> None:
        self.settings = settings
        self._store = store if store is not None else open_history(settings)
        self.breaker = breaker or CircuitBreaker(STORAGE_FAILURE_THRESHOLD, STORAGE_COOLDOWN_S)
        self._replacements = {"lm": lm, "adapter": adapter, "program_factory": program_factory}
        default = ModelRuntime(settings, **self._replacements)
        self._runtimes: dict[str, ModelRuntime] = {default_choice(settings).id: default}
        self._lock = threading.Lock()
        self._last_storage_error = ""

    @property
    def model_version(self) -> str:
        """The configured model, as runs record it ('provider/model')."""
        return self.runtime().model_version

    def available_models(self) -> list[ModelChoice]:
        """The configured model first, the embedded one, and every provider with a key."""
        return available_models(self.settings)

    def runtime(self, model: str | None = None) -> ModelRuntime:
        """The runtime of `model` (the configured one when empty), built once per model."""
        choice = parse_model(self.settings, model)
        with self._lock:
            if choice.id not in self._runtimes:
                self._runtimes[choice.id] = ModelRuntime(settings_for(self.settings, choice))
            return self._runtimes[choice.id]

    def variant(self, **changes: Any) -> ImproveService:
        """A service on these settings with `changes` that keep the model (e.g.
        DSPY_FEWSHOT_USER_TRAINSET_PATH="" for few-shot without the user trainset), sharing
        this one's history, breaker and the LM, adapter or programs it was given. Close this
        service, not the variant."""
        return ImproveService(
            self.settings.model_copy(update=changes),
            store=self._store,
            breaker=self.breaker,
            **self._replacements,
        )

    def trainset_changed(self) -> None:
        """Few-shot draws its demos again from the trainsets on its next run."""
        with self._lock:
            runtimes = list(self._runtimes.values())
        for runtime in runtimes:
            runtime.forget_programs()

    @property
    def crafting(self) -> CraftingLoop:
        """Try, refine, versions, stability, tags, the library and the user trainset."""
        from promptimp.crafting_loop import CraftingLoop

        return CraftingLoop(self)

    # -- improving -------------------------------------------------------------------------

    def improve(
        self,
        idea: str,
        context: str = "",
        backend: str | BackendType | None = None,
        author: str | None = None,
        model: str | None = None,
    ) -> ImproveResult:
        """Improve `idea`; the result always comes back, with warnings if it was not stored.

        The run is recorded as made by `author` (the signed-in user), else the settings'
        default author (PROMPTIMP_USER or the OS user name).

        The recorded latency is the program's run alone: DSPy, the LM and the program are
        loaded before the clock starts. A run over MAX_LATENCY_MS is kept and flagged.
        """
        idea, context = validate_input(idea, context)
        chosen = parse_backend(backend, self.settings.default_backend)
        runtime = self.runtime(model)
        fields, latency_ms = runtime.run(
            runtime.program(chosen), original_idea=idea, context=context
        )
        improved, warnings = self.to_prompt(runtime, fields, idea, context)
        warnings += self._budget_warning(latency_ms)
        run = PromptRun(
            original_idea=idea,
            context=context,
            backend=chosen,
            latency_ms=latency_ms,
            model_version=runtime.model_version,
            author=author or self.settings.default_author,
            **improved.model_dump(),
        )
        result = self.save_run(run)
        return result.model_copy(update={"warnings": (*warnings, *result.warnings)})

    def generate(
        self, backend: BackendType, idea: str, context: str = "", model: str | None = None
    ) -> ImprovedPrompt:
        """Run the backend's program and normalise its answer; nothing is timed or stored."""
        runtime = self.runtime(model)
        fields, _ = runtime.run(runtime.program(backend), original_idea=idea, context=context)
        return self.to_prompt(runtime, fields, idea, context)[0]

    def warm_up(self, model: str | None = None) -> None:
        """Import DSPy and build the LM, the adapter and both programs without running them.

        Idempotent and thread-safe, so the workbench can call it from a background thread at
        start; a failure is logged and met again, as a one-line error, by the first improve.
        """
        try:
            self.runtime(model).warm_up()
        except PromptImpError as error:
            log.warning("warming up the model failed: %s", error)
        except Exception as error:  # a background thread must not end in a traceback
            log.warning(
                "warming up the model failed: %s: %s", type(error).__name__, first_line(error)
            )

    def to_prompt(
        self, runtime: ModelRuntime, fields: dict[str, Any], idea: str, context: str
    ) -> tuple[ImprovedPrompt, list[str]]:
        """The normalised answer and what was changed in it; ModelError when it has no
        prompt (no role, directive or guardrails). A framework outside the known set is
        replaced by the default one."""
        improved = to_improved_prompt(fields, idea, context, assemble=runtime.assembles_locally)
        missing = [
            name
            for name, value in (
                ("role", improved.role),
                ("directive", improved.directive),
                ("guardrails", improved.guardrails),
            )
            if not value
        ]
        if missing:
            raise ModelError(
                f"The language model {runtime.model_version} answered without a prompt"
                f" (no {' and no '.join(missing)}); nothing was stored. Try again or"
                " choose another model."
            )
        if improved.framework in FRAMEWORKS:
            return improved, []
        warning = (
            f"The model chose the framework {improved.framework[:60]!r}, which is not one of"
            f" the known ones; it was stored as {DEFAULT_FRAMEWORK}."
        )
        return improved.model_copy(update={"framework": DEFAULT_FRAMEWORK}), [warning]

    def _budget_warning(self, latency_ms: int) -> list[str]:
        budget = self.settings.MAX_LATENCY_MS
        if latency_ms <= budget:
            return []
        return [
            f"This run took {latency_ms:,} ms, over the latency budget of {budget:,} ms"
            " (MAX_LATENCY_MS)."
        ]

    # -- storing ---------------------------------------------------------------------------

    @property
    def history_enabled(self) -> bool:
        return self._store is not None

    @property
    def history(self) -> HistoryReader:
        """The history to read from; HistoryDisabledError (the one place that decides it)
        when it is off. Write through the methods below, so every write passes the breaker."""
        if self._store is None:
            raise HistoryDisabledError(HISTORY_DISABLED)
        return self._store

    def delete_run(self, run_id: int) -> bool:
        """Delete one stored run; False when there was none."""
        return self.write(lambda store: store.delete(run_id))

    def delete_old_runs(self, days: int) -> int:
        """Delete runs older than `days` days; how many."""
        return self.write(lambda store: store.delete_old(days))

    def save_comparison(
        self, zero_shot_run_id: int, few_shot_run_id: int, verdict: str, idea: str
    ) -> int:
        """Store a verdict on one idea improved by both backends; its id."""
        return self.write(
            lambda store: store.save_comparison(zero_shot_run_id, few_shot_run_id, verdict, idea)
        )

    def save_eval_report(self, report: EvalReport) -> EvalReport:
        """`report` with its stored id, or unchanged with a warning saying why it is not."""
        if self._store is None:
            return report.model_copy(update={"warnings": ("History is disabled; not stored.",)})
        try:
            run_id = self.write(lambda store: store.save_eval_run(report))
        except RepositoryError as error:
            return report.model_copy(update={"warnings": (f"Evaluation run not stored: {error}",)})
        return report.model_copy(update={"id": run_id})

    def copy_history(
        self, other: str, *, into_other: bool, on_runs: Callable[[int, int], None] | None = None
    ) -> CopyReport:
        """Copy this whole history into `other` (a postgresql:// URL or SQLite file), or, with
        into_other=False, the other one into this; ids are kept and copying again adds nothing."""
        from promptimp.history.transfer import copy_history

        if into_other:
            return copy_history(self.history, open_store(other), on_runs=on_runs)
        return self.write(lambda store: copy_history(open_store(other), store, on_runs=on_runs))

    def write(self, change: Callable[[HistoryStore], T]) -> T:
        """`change(store)` unless the breaker holds writes back; its outcome counts there."""
        if self._store is None:
            raise HistoryDisabledError(HISTORY_DISABLED)
        store = self._store
        if not self.breaker.allow():
            raise StoragePausedError(self._paused_reason())
        try:
            result = change(store)
        except RepositoryError as error:
            self.breaker.record_failure()
            self._last_storage_error = str(error)
            raise
        self.breaker.record_success()
        self._last_storage_error = ""
        return result

    def save_run(self, run: PromptRun) -> ImproveResult:
        if self._store is None:
            return ImproveResult(run=run)
        try:
            stored = self.write(lambda store: store.save(run))
        except StoragePausedError as error:
            return ImproveResult(run=run, warnings=(f"Not saved: {error}",))
        except RepositoryError as error:
            log.info("saving a run failed: %s", error)  # the caller gets it as a warning
            return ImproveResult(run=run, warnings=(f"Not saved to history: {error}",))
        return ImproveResult(run=stored)

    def _paused_reason(self) -> str:
        wait = round(self.breaker.seconds_until_retry())
        return (
            f"history storage failed {self.breaker.failure_threshold} times in a row and is"
            f" paused for {wait} s more; last error: {self._last_storage_error}"
        )

    # -- housekeeping ----------------------------------------------------------------------

    def close(self) -> None:
        """Release the history's connections; the next call opens them again."""
        if self._store is not None:
            self._store.close()

    def startup_cleanup(self) -> int | None:
        """Apply the retention policy once; the number of rows removed, None if not run."""
        if self._store is None or not self.settings.SQLITE_AUTO_CLEANUP:
            return None
        try:
            removed = self.delete_old_runs(self.settings.SQLITE_RETENTION_DAYS)
        except RepositoryError as error:
            log.warning("retention clean-up skipped: %s", error)
            return None
        log.info(
            "retention clean-up removed %d runs older than %d days",
            removed,
            self.settings.SQLITE_RETENTION_DAYS,
        )
        return removed

    def storage_answers(self) -> bool:
        """Whether history is off, or answers a count with the breaker closed: cheap enough to
        poll (health() also checks the file's integrity and a test write)."""
        if self._store is None:
            return True
        try:
            self._store.total_count()
        except RepositoryError:
            return False
        return self.breaker.state is not BreakerState.OPEN

    def health(self) -> Health:
        """Status of storage plus provider and model (never a key)."""
        common = {
            "database_path": self._store.location
            if self._store
            else self.settings.history_location,
            "breaker_state": self.breaker.state.value,
            "provider": self.settings.LLM_PROVIDER.value,
            "model": self.settings.model_name,
        }
        empty = {"total_records": None, "average_confidence": None, "average_latency_ms": None}
        if self._store is None:
            return Health(status="disabled", **empty, **common)
        try:
            stats = self._store.statistics()
        except RepositoryError as error:
            return Health(status="unhealthy", reason=str(error), **empty, **common)
        reason = ""
        try:
            self._store.check()  # integrity and a rolled-back test write
        except RepositoryError as error:
            reason = str(error)
        if not reason and self.breaker.state is BreakerState.OPEN:
            reason = self._paused_reason()
        status = "unhealthy" if reason else "healthy"
        return Health(
            status=status,
            reason=reason,
            total_records=stats.total_count,
            average_confidence=stats.average_confidence,
            average_latency_ms=stats.average_latency_ms,
            **common,
        )
