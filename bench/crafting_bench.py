"""Crafting-loop figures: `python bench/crafting_bench.py [--runs 3] [--versions 20]`.

1. On the embedded model (a fresh tmp database): the median seconds of an improve (the
   baseline), of "Try it" (the original idea and the improved prompt, each answered) and of
   a refine with quick feedback, each over --runs runs, as ImproveService runs them for the
   workbench. Each refine refines the version before it.
2. The page time of a run with --versions versions: a full AppTest run (app.py and History)
   with that run's view open (its trials, version table, diff and controls), against a run
   with one version in the same database; read caches cleared before each run, median of 5.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import streamlit as st  # noqa: E402
from app_bench import route_through_app  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from promptimp.crafting.feedback import QUICK_FEEDBACK  # noqa: E402
from promptimp.history import SQLiteStore  # noqa: E402
from promptimp.models import BackendType, PromptRun  # noqa: E402
from promptimp.service import ImproveService  # noqa: E402
from promptimp.settings import Settings  # noqa: E402
from ui import resources  # noqa: E402

IDEA = "Design a REST API for user management"
PAGE_REPEAT = 5


def timed(operation: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = operation()
    return time.perf_counter() - started, result


def model_figures(folder: Path, runs: int) -> None:
    settings = Settings(LLM_PROVIDER="local", LLM_MODEL="", SQLITE_DB_PATH=str(folder / "model.db"))
    service = ImproveService(settings)
    service.warm_up()
    improves, tries, refines = [], [], []
    run_id = None
    crafting = service.crafting
    for number in range(runs):
        seconds, result = timed(partial(service.improve, IDEA, backend="zero-shot"))
        improves.append(seconds)
        run_id = run_id or result.run.id
        seconds, _ = timed(partial(crafting.try_run, result.run.id))
        tries.append(seconds)
        feedback = QUICK_FEEDBACK[number % len(QUICK_FEEDBACK)]
        seconds, refined = timed(partial(crafting.refine, run_id, feedback))
        refines.append(seconds)
        run_id = refined.run.id
    service.close()
    base = statistics.median(improves)
    print(f"Embedded model ({service.model_version}), {runs} runs each")
    print(f"{'operation':<36} {'median s':>9} {'min s':>7} {'max s':>7} {'x improve':>10}")
    for name, samples in (
        ("improve (zero-shot), baseline", improves),
        ("try it (idea + improved prompt)", tries),
        ("refine (quick feedback)", refines),
    ):
        median = statistics.median(samples)
        print(
            f"{name:<36} {median:>9.2f} {min(samples):>7.2f} {max(samples):>7.2f}"
            f" {median / base:>10.2f}"
        )


def fill_versions(store: SQLiteStore, count: int) -> tuple[int, int]:
    """A lone run, then a chain of `count` versions; (lone id, newest version id)."""

    def run(number: int, parent: int | None) -> PromptRun:
        words = " ".join(f"word{(number * 7 + n) % 50}" for n in range(60))
        return store.save(
            PromptRun(
                original_idea=IDEA,
                improved_prompt=f"You are a senior backend engineer.\n\n## Task\n{words}",
                role="Senior backend engineer",
                directive=f"Design a REST API, version {number}.",
                framework="decomposition",
                guardrails=("Use plural nouns", "Return RFC 7807 errors", "Never log tokens"),
                backend=BackendType.ZERO_SHOT,
                confidence=0.8,
                latency_ms=1000,
                model_version="local/bench",
                parent_id=parent,
                feedback=QUICK_FEEDBACK[number % len(QUICK_FEEDBACK)] if parent else "",
            )
        )

    lone = run(0, None).id
    newest = None
    for number in range(1, count + 1):
        newest = run(number, newest).id
    return lone, newest


def page_figures(folder: Path, versions: int) -> None:
    path = folder / "page.db"
    store = SQLiteStore(path)
    lone, newest = fill_versions(store, versions)
    store.close()
    os.environ.update(
        SQLITE_DB_PATH=str(path), SQLITE_AUTO_CLEANUP="false", LLM_PROVIDER="local", LLM_MODEL=""
    )
    os.chdir(ROOT)
    route_through_app()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.switch_page("pages/history.py").run()  # AppTest's one-off scan, imports
    resources.warm_up().join()  # the model loads in the background once; not while timed

    def view(row: int) -> float:
        at.session_state["history_table"] = {"selection": {"rows": [row], "columns": []}}
        st.cache_data.clear()
        seconds, _ = timed(at.run)
        if at.exception:
            raise RuntimeError(at.exception[0].message)
        return seconds

    rows = {lone: versions, newest: 0}  # newest first: the lone run is the last row
    print(f"\nPage time, History with a run's view open (median of {PAGE_REPEAT}, cold caches)")
    print(f"{'run shown':<36} {'median s':>9} {'x 1 version':>12}")
    medians = {}
    for run_id, label in ((lone, "1 version"), (newest, f"{versions} versions")):
        view(rows[run_id])  # first draw of this view's widgets
        medians[run_id] = statistics.median(view(rows[run_id]) for _ in range(PAGE_REPEAT))
        shown = at.subheader[0].value
        print(f"{label + ' (' + shown + ')':<36} {medians[run_id]:>9.3f}", end="")
        print(f" {medians[run_id] / medians[lone]:>12.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--versions", type=int, default=20)
    parser.add_argument("--skip-model", action="store_true", help="only the page figures")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_model:
            model_figures(Path(tmp), args.runs)
        page_figures(Path(tmp), args.versions)


if __name__ == "__main__":
    main()
