"""ImproveService: validate -> run the program -> time -> save (behind a breaker) -> result.

This module imports DSPy only when a prompt is actually improved, so commands that just read
the history stay fast.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from promptimp.assembly import to_improved_prompt
from promptimp.breaker import BreakerState, CircuitBreaker
from promptimp.models import (
    BackendType,
    ImprovedPrompt,
    ImproveResult,
    InputError,
    ModelError,
    PromptRun,
    RepositoryError,
)
from promptimp.settings import Provider, Settings
from promptimp.store import RunStore

if TYPE_CHECKING:
    import dspy

log = logging.getLogger(__name__)

MIN_IDEA_CHARS = 5
MAX_TEXT_CHARS = 20_000
STORAGE_FAILURE_THRESHOLD = 5
STORAGE_COOLDOWN_S = 300.0

ProgramFactory = Callable[[BackendType], "dspy.Module"]


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
    """The stripped idea and context, or InputError naming what to fix."""
    idea = (idea or "").strip()
    context = (context or "").strip()
    if len(idea) < MIN_IDEA_CHARS:
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
    """The one entry point for improving prompts; pages, CLI and API all call it."""

    def __init__(
        self,
        settings: Settings,
        *,
        lm: Any = None,
        adapter: Any = None,
        program_factory: ProgramFactory | None = None,
        store: RunStore | None = None,
        breaker: CircuitBreaker | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        if self.store is None and settings.SQLITE_ENABLED:
            self.store = RunStore(settings.db_path, wal=settings.SQLITE_WAL_MODE)
        self.breaker = breaker or CircuitBreaker(STORAGE_FAILURE_THRESHOLD, STORAGE_COOLDOWN_S)
        self._lm = lm
        self._adapter = adapter
        self._program_factory = program_factory
        self._programs: dict[BackendType, dspy.Module] = {}
        self._lock = threading.Lock()

    @property
    def model_version(self) -> str:
        return f"{self.settings.LLM_PROVIDER.value}/{self.settings.model_name}"

    @property
    def assembles_locally(self) -> bool:
        """Small local models give the parts; the prompt is assembled from them."""
        return self.settings.LLM_PROVIDER is Provider.LOCAL

    # -- improving -------------------------------------------------------------------------

    def improve(
        self, idea: str, context: str = "", backend: str | BackendType | None = None
    ) -> ImproveResult:
        """Improve `idea`; the result always comes back, with warnings if it was not stored."""
        idea, context = validate_input(idea, context)
        chosen = parse_backend(backend, self.settings.default_backend)
        started = time.perf_counter()
        improved = self.generate(chosen, idea, context)
        latency_ms = round((time.perf_counter() - started) * 1000)
        run = PromptRun(
            original_idea=idea,
            context=context,
            backend=chosen,
            latency_ms=latency_ms,
            model_version=self.model_version,
            **improved.model_dump(),
        )
        return self._save(run)

    def generate(self, backend: BackendType, idea: str, context: str = "") -> ImprovedPrompt:
        """Run the backend's program and normalise its answer; nothing is timed or stored."""
        fields = self._run_program(backend, idea, context)
        return to_improved_prompt(fields, idea, context, assemble=self.assembles_locally)

    def _run_program(self, backend: BackendType, idea: str, context: str) -> dict[str, Any]:
        import dspy

        program = self._program(backend)
        try:
            with dspy.context(lm=self._get_lm(), adapter=self._get_adapter()):
                prediction = program(original_idea=idea, context=context)
        except ModelError:
            raise
        except Exception as error:  # any provider, parsing or engine failure
            reason = (
                str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            )
            raise ModelError(
                f"The language model {self.model_version} failed: {reason[:300]}"
            ) from error
        return dict(prediction.items())

    def _get_lm(self) -> Any:
        with self._lock:
            if self._lm is None:
                from promptimp.lm import build_lm

                try:
                    self._lm = build_lm(self.settings)
                except (OSError, ValueError) as error:
                    raise ModelError(str(error)) from error
            return self._lm

    def _get_adapter(self) -> Any:
        with self._lock:
            if self._adapter is None:
                from promptimp.lm import build_adapter

                self._adapter = build_adapter(self.settings)
            return self._adapter

    def _program(self, backend: BackendType) -> dspy.Module:
        with self._lock:
            if backend not in self._programs:
                factory = self._program_factory or self._default_program_factory
                self._programs[backend] = factory(backend)
            return self._programs[backend]

    def _default_program_factory(self, backend: BackendType) -> dspy.Module:
        from promptimp.improver import build_program

        select_demos = None
        if backend is BackendType.FEW_SHOT:
            from promptimp.fewshot import load_demo_selector

            select_demos = load_demo_selector(self.settings)
        program = build_program(
            backend, assemble_locally=self.assembles_locally, select_demos=select_demos
        )
        compiled = self.settings.DSPY_COMPILED_PATH
        if backend is BackendType.ZERO_SHOT and compiled:
            if not Path(compiled).is_file():
                raise InputError(f"DSPY_COMPILED_PATH={compiled} is not a file; fix or unset it.")
            program.load(compiled)
        return program

    # -- storing ---------------------------------------------------------------------------

    def _save(self, run: PromptRun) -> ImproveResult:
        if self.store is None:
            return ImproveResult(run=run)
        if not self.breaker.allow():
            wait = round(self.breaker.seconds_until_retry())
            return ImproveResult(
                run=run,
                warnings=(
                    f"Not saved: history storage failed {self.breaker.failure_threshold} times "
                    f"in a row; it is paused for {wait} s more.",
                ),
            )
        try:
            stored = self.store.save(run)
        except RepositoryError as error:
            self.breaker.record_failure()
            log.warning("saving a run failed: %s", error)
            return ImproveResult(run=run, warnings=(f"Not saved to history: {error}",))
        self.breaker.record_success()
        return ImproveResult(run=stored)

    # -- housekeeping ----------------------------------------------------------------------

    def startup_cleanup(self) -> int | None:
        """Apply the retention policy once; the number of rows removed, None if not run."""
        if self.store is None or not self.settings.SQLITE_AUTO_CLEANUP:
            return None
        try:
            removed = self.store.delete_old(self.settings.SQLITE_RETENTION_DAYS)
        except RepositoryError as error:
            log.warning("retention clean-up skipped: %s", error)
            return None
        log.info(
            "retention clean-up removed %d runs older than %d days",
            removed,
            self.settings.SQLITE_RETENTION_DAYS,
        )
        return removed

    def health(self) -> Health:
        """Status of storage plus provider and model (never a key)."""
        common = {
            "database_path": str(self.settings.db_path),
            "breaker_state": self.breaker.state.value,
            "provider": self.settings.LLM_PROVIDER.value,
            "model": self.settings.model_name,
        }
        empty = {"total_records": None, "average_confidence": None, "average_latency_ms": None}
        if self.store is None:
            return Health(status="disabled", **empty, **common)
        try:
            stats = self.store.statistics()
        except RepositoryError as error:
            return Health(status="unhealthy", reason=str(error), **empty, **common)
        status = "healthy" if self.breaker.state is not BreakerState.OPEN else "unhealthy"
        reason = "" if status == "healthy" else "history storage is paused after repeated failures"
        return Health(
            status=status,
            reason=reason,
            total_records=stats["total_count"],
            average_confidence=stats["average_confidence"],
            average_latency_ms=stats["average_latency_ms"],
            **common,
        )
