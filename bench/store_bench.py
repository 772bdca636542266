"""History store figures on filled databases, each backend side by side.

`python bench/store_bench.py [--rows N] [--url URL] [--baseline-commit REV]`

Fills a fresh SQLite database in a temp dir with synthetic runs (one bulk transaction) and,
with --url, an empty PostgreSQL database with the same runs (COPY); then prints the median
and 90th percentile of each operation over --repeat repetitions on each backend, side by
side, next to its target, and a plain sqlite3 INSERT+commit into the same schema as a
baseline. `python -m tests.pg_server` starts a throwaway server and prints a URL for --url.

--baseline-commit measures the SQLite store of an older commit in the same run (its
`promptimp` package, taken with `git archive` into the temp dir), on its own file holding the
same runs: save, recent(50), both searches and statistics, with the ratio new / old. The
single RunStore (promptimp/store.py) last existed at c7b0b34
(`git log --oneline -- promptimp/store.py`).
"""

from __future__ import annotations

import argparse
import importlib
import io
import itertools
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from sqlite_utils import Database

from promptimp.history import RunFilter, SQLiteStore
from promptimp.history.postgres import PostgresStore
from promptimp.models import BackendType, PromptRun

WORDS = 2000  # vocabulary size; word frequencies follow Zipf's law
COMMON_RANK, RARE_RANK = 50, 1000


def make_words(rng: random.Random) -> list[str]:
    syllables = ["ka", "lo", "mi", "ten", "ra", "su", "vel", "dor", "pri", "ox", "an", "qui"]
    words: set[str] = set()
    while len(words) < WORDS:
        words.add("".join(rng.choices(syllables, k=rng.randint(2, 4))))
    return sorted(words, key=lambda word: (len(word), word))


def synthetic_rows(count: int, words: list[str], rng: random.Random) -> Iterator[dict]:
    """Rows as SQLiteStore stores them, spread over the last 90 days."""
    cumulative = list(itertools.accumulate(1 / rank for rank in range(1, len(words) + 1)))
    now = datetime.now(UTC)

    def text(low: int, high: int) -> str:
        return " ".join(rng.choices(words, cum_weights=cumulative, k=rng.randint(low, high)))

    for index in range(count):
        moment = now - timedelta(seconds=(count - index) * 90 * 86400 / count)
        yield {
            "timestamp": moment.strftime("%Y-%m-%d %H:%M:%S.%f"),
            "original_idea": text(6, 14),
            "context": text(0, 12),
            "improved_prompt": text(40, 90),
            "role": "Senior engineer",
            "directive": text(5, 10),
            "framework": rng.choice(["chain-of-thought", "decomposition", "react"]),
            "guardrails": json.dumps([text(3, 6) for _ in range(rng.randint(3, 5))]),
            "backend": rng.choice(["zero-shot", "few-shot"]),
            "confidence": None if rng.random() < 0.05 else round(rng.random(), 3),
            "reasoning": text(10, 20),
            "latency_ms": None if rng.random() < 0.05 else int(rng.lognormvariate(7, 0.6)),
            "model_version": rng.choice(["llama-3.2-1b", "gpt-4o-mini", "smollm2-360m"]),
        }


def filled_store(
    path: Path, rows: int, words: list[str], rng: random.Random, store_class: type = SQLiteStore
) -> tuple[SQLiteStore, float]:
    """A migrated store at `path` holding `rows` synthetic runs, and the seconds it took."""
    store = store_class(path)
    store.check()
    started = time.perf_counter()
    db = Database(path)
    with db.atomic():
        db.table("prompt_history").insert_all(synthetic_rows(rows, words, rng), batch_size=500)
    db.close()
    return store, time.perf_counter() - started


def timed(operation: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median and 90th percentile of `operation`, in milliseconds."""
    return timed_in_turn([operation], repeat)[0]


def timed_in_turn(operations: list[Callable[[], object]], repeat: int) -> list[tuple[float, float]]:
    """Median and 90th percentile of each operation, in milliseconds, taking turns: each
    repetition runs every operation once, so a busy moment of the machine hits all alike."""
    samples: list[list[float]] = [[] for _ in operations]
    for _ in range(repeat):
        for operation, times in zip(operations, samples, strict=True):
            start = time.perf_counter()
            operation()
            times.append((time.perf_counter() - start) * 1000)
    return [
        (statistics.median(times), sorted(times)[int(0.9 * (len(times) - 1))]) for times in samples
    ]


def baseline_insert(path: Path, row: dict, *, wal: bool) -> Callable[[], None]:
    """A plain sqlite3 INSERT+commit into a copy of the store's schema (indexes, FTS)."""
    schema = SQLiteStore(path, wal=wal)
    schema.check()  # creates the same schema
    schema.close()
    conn = sqlite3.connect(path)
    if wal:
        conn.execute("PRAGMA synchronous=NORMAL")
    sql = f"INSERT INTO prompt_history ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})"
    values = list(row.values())

    def insert() -> None:
        conn.execute(sql, values)
        conn.commit()

    return insert


def filled_postgres(
    url: str, rows: int, words: list[str], rng: random.Random
) -> tuple[PostgresStore, float]:
    """A PostgresStore at `url` (an empty database) holding `rows` synthetic runs (COPY)."""
    store = PostgresStore(url)
    store.check()
    if store.total_count():
        sys.exit(f"--url must name an empty history database; {store.location} has runs")
    started = time.perf_counter()
    columns = ", ".join(next(synthetic_rows(1, words, random.Random(0))))
    with psycopg.connect(url) as conn:
        with conn.cursor().copy(f"COPY prompt_history ({columns}) FROM STDIN") as copy:
            for row in synthetic_rows(rows, words, rng):
                utc = {**row, "timestamp": f"{row['timestamp']}+00"}  # the text is UTC
                copy.write_row(list(utc.values()))
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE prompt_history")  # as autovacuum would, soon after
    return store, time.perf_counter() - started


def core_cases(store, words: list[str], run, quick: int, slow: int):
    """(name, operation, repetitions) of the operations every SQLite store version has."""
    common, rare = words[COMMON_RANK - 1], words[RARE_RANK - 1]
    return [
        ("save one run (committed)", lambda: store.save(run), quick),
        ("recent(50)", lambda: store.recent(50), quick),
        ("search common word", lambda: store.search(common), quick),
        ("search rare word", lambda: store.search(rare), quick),
        ("statistics()", store.statistics, slow),
    ]


def bench_cases(store, rows: int, words: list[str], run: PromptRun, quick: int, slow: int):
    """(name, operation, repetitions) for every operation of a filled store."""
    common, rare = words[COMMON_RANK - 1], words[RARE_RANK - 1]
    by_common, by_rare = RunFilter(text=common), RunFilter(text=rare)
    slider = RunFilter(min_confidence=0.0, max_confidence=1.0)
    page = RunFilter(backend="few-shot", min_confidence=0.8)
    text_page = RunFilter(text=rare, model_version="gpt-4o-mini")
    return core_cases(store, words, run, quick, slow) + [
        ("get(id)", lambda: store.get(rows // 2), quick),
        ("recent(50, offset=5000)", lambda: store.recent(50, offset=5000), quick),
        ("page: confidence 0-1, newest first", lambda: store.query(slider), quick),
        ("  count of it", lambda: store.count(slider), quick),
        ("page: backend+min_confidence, by confidence",
         lambda: store.query(page, sort="confidence desc"), quick),
        ("  count of it", lambda: store.count(page), quick),
        ("page: rare word+model, by latency",
         lambda: store.query(text_page, sort="latency_ms asc"), quick),
        ("  count of it", lambda: store.count(text_page), quick),
        ("page: common word, newest first, offset 1000",
         lambda: store.query(by_common, offset=1000), quick),
        ("  count of it", lambda: store.count(by_common), quick),
        ("  count of rare word", lambda: store.count(by_rare), quick),
        ("count() all", store.count, quick),
        ("daily_summary()", store.daily_summary, slow),
        ("model_summary()", store.model_summary, slow),
        ("histogram('latency_ms')", lambda: store.histogram("latency_ms"), slow),
        ("share_at_least(0.7)", lambda: store.share_at_least(0.7), slow),
        ("model_versions()", store.model_versions, quick),
        (f"export {rows} rows to CSV", lambda: store.export_csv(io.StringIO()), 3),
        (f"export {rows} rows to JSON", lambda: store.export_json(io.StringIO()), 3),
    ]  # fmt: skip


@contextmanager
def imports_from(root: Path) -> Iterator[None]:
    """Inside, `import promptimp...` loads the package under `root`; afterwards the current
    one is back. Objects made inside keep using the code they were loaded from."""

    def ours() -> dict[str, object]:
        return {
            name: module
            for name, module in sys.modules.items()
            if name == "promptimp" or name.startswith("promptimp.")
        }

    current = ours()
    for name in current:
        del sys.modules[name]
    sys.path.insert(0, str(root))
    try:
        yield
    finally:
        sys.path.remove(str(root))
        for name in ours():
            del sys.modules[name]
        sys.modules.update(current)


def baseline_store(commit: str, tmp: Path, rows: int, words: list[str]):
    """The SQLite store of `commit` at tmp/baseline.db holding the same runs, and a run of
    its own PromptRun model to save."""
    code = tmp / "baseline-code"
    code.mkdir()
    archive = subprocess.run(
        ["git", "archive", commit, "promptimp"],
        cwd=Path(__file__).resolve().parents[1], check=True, capture_output=True,
    ).stdout  # fmt: skip
    subprocess.run(["tar", "-x", "-C", str(code)], input=archive, check=True)
    with imports_from(code):
        old = importlib.import_module("promptimp.store")
        old_models = importlib.import_module("promptimp.models")
    store, _ = filled_store(tmp / "baseline.db", rows, words, random.Random(7), old.RunStore)
    fields = bench_run(words).model_dump(include=set(old_models.PromptRun.model_fields))
    return store, old_models.PromptRun(**{**fields, "id": None})


def bench_run(words: list[str]) -> PromptRun:
    """The run every save stores."""
    return PromptRun(
        original_idea=f"Design a REST API for {words[COMMON_RANK - 1]} management",
        context="Small team",
        improved_prompt=" ".join(words[:60]),
        role="Senior API architect",
        directive="Design the endpoints",
        framework="decomposition",
        guardrails=("Use REST", "Cover errors", "Version it"),
        backend=BackendType.FEW_SHOT,
        confidence=0.8,
        reasoning="Concrete deliverable",
        latency_ms=1200,
        model_version="bench",
    )


TARGETS = {
    "sqlite": {"save one run (committed)": 1.2, "recent(50)": 10.0, "statistics()": 100.0},
    "postgres": {"save one run (committed)": 2.0, "statistics()": 150.0},
}
"""Median targets in ms; every search has a 20 ms target on both backends."""


def target_of(backend: str, name: str) -> float | None:
    return 20.0 if name.startswith("search") else TARGETS[backend].get(name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument(
        "--url", default="", help="an empty PostgreSQL database to fill and measure next to SQLite"
    )
    parser.add_argument(
        "--baseline-commit", default="", help="also measure the SQLite store of this commit"
    )
    args = parser.parse_args()
    words = make_words(random.Random(42))
    run = bench_run(words)
    quick, slow = args.repeat, max(3, args.repeat // 20)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "history.db"
        plans = {}
        store, fill_s = filled_store(path, args.rows, words, random.Random(7))
        stores = [store]
        plans["sqlite"] = bench_cases(store, args.rows, words, run, quick, slow)
        size_mb = path.stat().st_size / 1e6
        print(f"SQLite: {args.rows} rows, {size_mb:.1f} MB, filled in {fill_s:.1f} s")
        common, rare = (RunFilter(text=words[rank - 1]) for rank in (COMMON_RANK, RARE_RANK))
        print(
            f"search words: common {common.text!r} ({store.count(common)} hits),"
            f" rare {rare.text!r} ({store.count(rare)} hits)"
        )
        if args.baseline_commit:
            old_store, old_run = baseline_store(args.baseline_commit, Path(tmp), args.rows, words)
            stores.append(old_store)
            plans[f"sqlite@{args.baseline_commit[:7]}"] = core_cases(
                old_store, words, old_run, quick, slow
            )
        if args.url:
            pg_store, fill_s = filled_postgres(args.url, args.rows, words, random.Random(7))
            stores.append(pg_store)
            plans["postgres"] = bench_cases(pg_store, args.rows, words, run, quick, slow)
            print(f"PostgreSQL: {args.rows} rows at {pg_store.location}, filled in {fill_s:.1f} s")
        medians = print_table(plans)
        for opened in stores:
            opened.close()
        print_baselines(Path(tmp), words, quick, medians["sqlite"]["save one run (committed)"])
        print_cli_figures(path, words[COMMON_RANK - 1])


def print_table(plans: dict[str, list]) -> dict[str, dict[str, float]]:
    """Measure every plan's operations, the backends taking turns; one row per operation
    with each backend's median, p90 and target (for a baseline: the ratio sqlite / baseline);
    the medians by backend."""
    header = "".join(f" {backend + ' ms':>15} {'p90':>8} {'target':>11}" for backend in plans)
    print(f"{'operation (median)':<46} {'n':>4}{header}")
    medians: dict[str, dict[str, float]] = {backend: {} for backend in plans}
    for label, _, repeat in plans["sqlite"]:
        operations = {
            backend: operation
            for backend, plan in plans.items()
            for name, operation, _ in plan
            if name == label
        }
        timings = timed_in_turn(list(operations.values()), repeat)
        figures = dict(zip(operations, timings, strict=True))
        line = f"{label:<46} {repeat:>4}"
        for backend in plans:
            if backend not in figures:
                line += " " * 36
                continue
            median, p90 = figures[backend]
            medians[backend][label] = median
            line += f" {median:>15.3f} {p90:>8.3f} {verdict(backend, label, medians):>11}"
        print(line)
    return medians


def verdict(backend: str, label: str, medians: dict[str, dict[str, float]]) -> str:
    """'<=T ok' or '<=T MISS' against the target; for a baseline, the new / old ratio."""
    if backend.startswith("sqlite@"):
        ratio = medians["sqlite"][label] / medians[backend][label]
        return f"{ratio:.2f}x " + ("ok" if ratio <= 1 else "MISS")
    target = target_of(backend, label)
    if target is None:
        return ""
    return f"<={target:g} " + ("ok" if medians[backend][label] <= target else "MISS")


def print_baselines(tmp: Path, words: list[str], repeat: int, save_ms: float) -> None:
    """SQLite's save next to a plain sqlite3 INSERT+commit into the same schema."""
    raw_row = next(synthetic_rows(1, words, random.Random(3)))
    for label, wal in (("WAL", True), ("defaults", False)):
        median, _ = timed(baseline_insert(tmp / f"{label}.db", raw_row, wal=wal), repeat)
        print(
            f"baseline: sqlite3 INSERT+commit, {label}: {median:.3f} ms;"
            f" SQLite save / baseline: {save_ms / median:.2f}x"
        )


def process_seconds(command: list[str], env: dict[str, str], repeat: int = 5) -> float:
    """Median wall time of a whole process, in seconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(command, env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def print_cli_figures(path: Path, word: str) -> None:
    """`promptimp history --search WORD --json` as a whole process vs `import dspy` alone."""
    env = {**os.environ, "SQLITE_DB_PATH": str(path), "SQLITE_AUTO_CLEANUP": "false"}
    cli = [sys.executable, "-m", "cli", "history", "--search", word, "--json"]
    cli_s = process_seconds(cli, env)
    dspy_s = process_seconds([sys.executable, "-c", "import dspy"], env)
    for label, seconds in (
        ("promptimp history --search WORD --json (whole process)", cli_s),
        ("python -c 'import dspy' (whole process)", dspy_s),
    ):
        print(f"{label:<60} {seconds * 1000:>15.0f} ms")
    print(f"CLI / import dspy: {cli_s / dspy_s:.2f}x (target <= 1)")


if __name__ == "__main__":
    main()
