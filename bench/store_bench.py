"""History store figures on filled databases: `python bench/store_bench.py [--rows N] [--url URL]`.

Fills a fresh SQLite database in a temp dir with synthetic runs (one bulk transaction) and,
with --url, an empty PostgreSQL database with the same runs (COPY); then prints the median
and 90th percentile of each operation over --repeat repetitions on each backend, side by
side, next to its target, and a plain sqlite3 INSERT+commit into the same schema as a
baseline. `python -m tests.pg_server` starts a throwaway server and prints a URL for --url.
"""

from __future__ import annotations

import argparse
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
    path: Path, rows: int, words: list[str], rng: random.Random
) -> tuple[SQLiteStore, float]:
    """A migrated store at `path` holding `rows` synthetic runs, and the seconds it took."""
    store = SQLiteStore(path)
    store.check()
    started = time.perf_counter()
    db = Database(path)
    with db.atomic():
        db.table("prompt_history").insert_all(synthetic_rows(rows, words, rng), batch_size=500)
    db.close()
    return store, time.perf_counter() - started


def timed(operation: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median and 90th percentile of `operation`, in milliseconds."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        operation()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(0.9 * (len(samples) - 1))]


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


def bench_cases(store, rows: int, words: list[str], run: PromptRun, quick: int, slow: int):
    """(name, operation, repetitions) for every operation of a filled store."""
    common, rare = words[COMMON_RANK - 1], words[RARE_RANK - 1]
    by_common, by_rare = RunFilter(text=common), RunFilter(text=rare)
    slider = RunFilter(min_confidence=0.0, max_confidence=1.0)
    page = RunFilter(backend="few-shot", min_confidence=0.8)
    text_page = RunFilter(text=rare, model_version="gpt-4o-mini")
    return [
        ("save one run (committed)", lambda: store.save(run), quick),
        ("get(id)", lambda: store.get(rows // 2), quick),
        ("recent(50)", lambda: store.recent(50), quick),
        ("recent(50, offset=5000)", lambda: store.recent(50, offset=5000), quick),
        (f"search common word ({store.count(by_common)} hits)",
         lambda: store.search(common), quick),
        (f"search rare word ({store.count(by_rare)} hits)", lambda: store.search(rare), quick),
        ("statistics()", store.statistics, slow),
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
        ("count() all", store.count, quick),
        ("daily_summary()", store.daily_summary, slow),
        ("model_summary()", store.model_summary, slow),
        ("histogram('latency_ms')", lambda: store.histogram("latency_ms"), slow),
        ("share_at_least(0.7)", lambda: store.share_at_least(0.7), slow),
        ("model_versions()", store.model_versions, quick),
        (f"export {rows} rows to CSV", lambda: store.export_csv(io.StringIO()), 3),
        (f"export {rows} rows to JSON", lambda: store.export_json(io.StringIO()), 3),
    ]  # fmt: skip


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
    args = parser.parse_args()
    words = make_words(random.Random(42))
    run = PromptRun(
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
    quick, slow = args.repeat, max(3, args.repeat // 20)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "history.db"
        stores = {}
        stores["sqlite"], fill_s = filled_store(path, args.rows, words, random.Random(7))
        size_mb = path.stat().st_size / 1e6
        print(f"SQLite: {args.rows} rows, {size_mb:.1f} MB, filled in {fill_s:.1f} s")
        if args.url:
            stores["postgres"], fill_s = filled_postgres(
                args.url, args.rows, words, random.Random(7)
            )
            where = stores["postgres"].location
            print(f"PostgreSQL: {args.rows} rows at {where}, filled in {fill_s:.1f} s")

        plans = {
            backend: bench_cases(store, args.rows, words, run, quick, slow)
            for backend, store in stores.items()
        }
        header = "".join(f" {backend + ' ms':>12} {'p90':>8} {'target':>10}" for backend in plans)
        print(f"{'operation (median)':<50} {'n':>4}{header}")
        saves: dict[str, float] = {}
        for index, (label, _, repeat) in enumerate(plans["sqlite"]):
            line = f"{label:<50} {repeat:>4}"
            for backend, plan in plans.items():
                median, p90 = timed(plan[index][1], repeat)
                if index == 0:
                    saves[backend] = median
                target = target_of(backend, label)
                verdict = (
                    ""
                    if target is None
                    else f"<={target:g} " + ("ok" if median <= target else "MISS")
                )
                line += f" {median:>12.3f} {p90:>8.3f} {verdict:>10}"
            print(line)
        for store in stores.values():
            store.close()
        print_baselines(Path(tmp), words, quick, saves["sqlite"])
        print_cli_figures(path, words[COMMON_RANK - 1])


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
