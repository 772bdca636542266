"""ModelRuntime: one model choice's LM, adapter and programs, each built once, and the timed
run of a program on them. The service keeps one runtime per model a person chose."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from promptimp.models import BackendType, InputError, ModelError
from promptimp.settings import Provider, Settings
from promptimp.text import first_line

if TYPE_CHECKING:
    import dspy

ProgramFactory = Callable[[BackendType], "dspy.Module"]


class ModelRuntime:
    """The LM, adapter and improve programs for `settings` (built lazily, thread-safe).

    `lm`, `adapter` and `program_factory` replace what the settings would build (tests pass
    DSPy's DummyLM and their own programs).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        lm: Any = None,
        adapter: Any = None,
        program_factory: ProgramFactory | None = None,
    ) -> None:
        self.settings = settings
        self._lm = lm
        self._adapter = adapter
        self._program_factory = program_factory or self._default_program
        self._programs: dict[BackendType, dspy.Module] = {}
        self._refiner: dspy.Module | None = None
        self._lock = threading.Lock()
        self._turns = threading.Lock()

    @property
    def model_version(self) -> str:
        return f"{self.settings.LLM_PROVIDER.value}/{self.settings.model_name}"

    @property
    def assembles_locally(self) -> bool:
        """Small local models give the parts; the prompt is assembled from them."""
        return self.settings.LLM_PROVIDER is Provider.LOCAL

    @property
    def built_backends(self) -> set[BackendType]:
        """The backends whose program is built."""
        return set(self._programs)

    def warm_up(self) -> None:
        """Build the LM, the adapter and both programs (ModelError or InputError if not)."""
        for backend in BackendType:
            self.program(backend)
        self.lm()
        self.adapter()

    @contextmanager
    def turn(self) -> Iterator[None]:
        """One call's turn on the model. The embedded model answers one call at a time, so
        calls queue here, before any clock starts: a recorded latency never includes waiting
        for another person's call. Providers take calls at once."""
        with self._turns if self.assembles_locally else nullcontext():
            yield

    def run(self, program: dspy.Module, **inputs: Any) -> tuple[dict[str, Any], int]:
        """`program(**inputs)` on this runtime's LM: its output fields and milliseconds taken.
        The clock starts once the LM and adapter are built and it is this call's turn; any
        failure is a ModelError."""
        import dspy

        lm, adapter = self.lm(), self.adapter()
        with self.turn():
            started = time.perf_counter()
            try:
                with dspy.context(lm=lm, adapter=adapter):
                    prediction = program(**inputs)
            except ModelError:
                raise
            except Exception as error:  # any provider, parsing or engine failure
                raise self.model_error(error) from error
            return dict(prediction.items()), round((time.perf_counter() - started) * 1000)

    def model_error(self, error: BaseException) -> ModelError:
        """A one-line ModelError for `error`, with every configured API key masked."""
        text = self.settings.redact(str(error)).strip()
        reason = text.splitlines()[0] if text else type(error).__name__
        return ModelError(f"The language model {self.model_version} failed: {reason[:300]}")

    def lm(self) -> Any:
        with self._lock:
            if self._lm is None:
                from promptimp.lm import build_lm

                try:
                    self._lm = build_lm(self.settings)
                except (OSError, ValueError) as error:
                    raise ModelError(self.settings.redact(str(error))) from error
            return self._lm

    def adapter(self) -> Any:
        with self._lock:
            if self._adapter is None:
                from promptimp.lm import build_adapter

                self._adapter = build_adapter(self.settings)
            return self._adapter

    def program(self, backend: BackendType) -> dspy.Module:
        with self._lock:
            if backend not in self._programs:
                self._programs[backend] = self._program_factory(backend)
            return self._programs[backend]

    def refiner(self) -> dspy.Module:
        """The refine program (promptimp.crafting.refine) for this model."""
        with self._lock:
            if self._refiner is None:
                from promptimp.crafting.refine import build_refiner

                self._refiner = build_refiner(assemble_locally=self.assembles_locally)
            return self._refiner

    def forget_programs(self) -> None:
        """Build the improve programs again on next use (a trainset changed)."""
        with self._lock:
            self._programs.clear()

    def _default_program(self, backend: BackendType) -> dspy.Module:
        from promptimp.improver import build_program

        select_demos = None
        if backend is BackendType.FEW_SHOT:
            from promptimp.fewshot import load_demo_selector

            select_demos = load_demo_selector(self.settings)
        if self.assembles_locally:
            return self._curated_program(backend, select_demos)
        program = build_program(
            backend, assemble_locally=self.assembles_locally, select_demos=select_demos
        )
        compiled = self.settings.DSPY_COMPILED_PATH
        if backend is BackendType.ZERO_SHOT and compiled:
            if not Path(compiled).is_file():
                raise InputError(f"DSPY_COMPILED_PATH={compiled} is not a file; fix or unset it.")
            try:
                program.load(compiled)
            except Exception as error:  # not JSON, or not a saved program
                raise InputError(
                    f"DSPY_COMPILED_PATH={compiled} cannot be loaded ({first_line(error)});"
                    " fix or unset it."
                ) from None
        return program

    def _curated_program(self, backend: BackendType, select_demos: Any) -> dspy.Module:
        """The embedded model's program: parts from the curated domain library."""
        from promptimp.compose.library import LibraryError, load_library
        from promptimp.compose.program import build_curated_program

        try:
            library = load_library(self.settings.DOMAIN_LIBRARY_PATH)
        except LibraryError as error:
            raise InputError(f"{error} Fix it or set DOMAIN_LIBRARY_PATH.") from None
        return build_curated_program(backend, library, select_demos)
