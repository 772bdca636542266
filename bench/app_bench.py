"""Page figures on a filled database: `python bench/app_bench.py [--rows 100000] [--keep PATH]`.

Fills a fresh database with synthetic runs (the generator of store_bench.py, one bulk
transaction), then prints the median time of a full AppTest run of the History and Insights
pages (app.py plus the page, in one AppTest session after a warm-up run that pays AppTest's
one-off scan of installed components; "cold" clears the read caches first, "warm" reuses
them) and of the store queries behind each page, next to the targets.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import streamlit as st  # noqa: E402
from store_bench import filled_store, make_words  # noqa: E402
from streamlit.runtime.pages_manager import PagesManager  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from promptimp.history import RunFilter  # noqa: E402

PAGE_TARGET_S = 1.5
THRESHOLD = 0.7


def median_s(operation: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        operation()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def route_through_app() -> None:
    """Make every AppTest run go through app.py, as a served app does (see tests/app)."""
    original = PagesManager.__init__

    def init(self, *args, **kwargs) -> None:
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init


def page_run(at: AppTest, page: str, *, cold: bool, search: str = "") -> Callable[[], float]:
    """A timed full script run (app.py and the page) of `page` in the session `at`."""

    def run() -> float:
        at.switch_page(f"pages/{page}.py")
        if search:
            at.run()
            at.text_input(key="history_search").input(search)
            at.selectbox(key="history_backend").set_value("few-shot")
        if cold:
            st.cache_data.clear()
        started = time.perf_counter()
        at.run()
        elapsed = time.perf_counter() - started
        if at.exception:
            raise RuntimeError(at.exception[0].message)
        at.session_state["history_search"] = ""
        return elapsed

    return run


def new_session(page: str) -> Callable[[], float]:
    """A timed first run of `page` in a new AppTest session, AppTest's own set-up included."""

    def run() -> float:
        st.cache_data.clear()
        started = time.perf_counter()
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.switch_page(f"pages/{page}.py").run()
        return time.perf_counter() - started

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument(
        "--keep",
        type=Path,
        help="fill a new database at this path and keep it, to look at the pages over it "
        "(SQLITE_DB_PATH=PATH make run)",
    )
    args = parser.parse_args()
    rng = random.Random(7)
    words = make_words(rng)

    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "history.db"
        if path.exists():
            parser.error(f"{path} exists; --keep fills a new database")
        os.environ.update(SQLITE_DB_PATH=str(path), SQLITE_AUTO_CLEANUP="false")
        os.chdir(ROOT)
        store, fill_s = filled_store(path, args.rows, words, rng)
        print(f"App benchmark: {args.rows:,} runs, filled in {fill_s:.1f} s")

        word = words[99]
        searched = RunFilter(text=word, backend="few-shot")
        history_queries = lambda: (  # noqa: E731 - what the History page asks, first page
            store.statistics(),  # sidebar health
            store.model_versions(),
            store.count(RunFilter()),
            store.query(RunFilter(), sort="timestamp desc", limit=50),
        )
        search_queries = lambda: (  # noqa: E731
            store.count(searched),
            store.query(searched, sort="timestamp desc", limit=50),
        )
        insights_queries = lambda: (  # noqa: E731
            store.statistics(),
            store.share_at_least(THRESHOLD),
            store.daily_summary(),
            store.model_summary(),
            store.histogram("confidence"),
            store.histogram("latency_ms"),
        )
        route_through_app()
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        page_run(at, "insights", cold=True)()  # AppTest's one-off component scan, imports
        cases = [
            ("History, cold caches", page_run(at, "history", cold=True), True),
            ("History, warm caches", page_run(at, "history", cold=False), False),
            (
                f"History, search '{word}' + backend",
                page_run(at, "history", cold=True, search=word),
                True,
            ),
            ("Insights, cold caches", page_run(at, "insights", cold=True), True),
            ("Insights, warm caches", page_run(at, "insights", cold=False), False),
            ("History, new AppTest session, cold", new_session("history"), False),
            ("Insights, new AppTest session, cold", new_session("insights"), False),
        ]
        print(f"{'full AppTest page run':<42} {'median s':>9} {'target':>12}")
        for name, run, checked in cases:
            median = statistics.median(run() for _ in range(args.repeat))
            verdict = f"<= {PAGE_TARGET_S} " + ("ok" if median <= PAGE_TARGET_S else "MISSED")
            print(f"{name:<42} {median:>9.3f} {verdict if checked else '':>12}")
        print(f"{'queries behind the page':<42} {'median ms':>9}")
        for name, queries in (
            ("History: stats, models, count, page 1", history_queries),
            ("History: search + backend, count, page 1", search_queries),
            ("Insights: six aggregates", insights_queries),
        ):
            print(f"{name:<42} {median_s(queries, args.repeat) * 1000:>9.1f}")
        store.close()


if __name__ == "__main__":
    main()
