"""RunStore figures on a filled database: `python bench/store_bench.py [--rows 100000]`.

Fills a fresh database in a temp dir with synthetic runs (one bulk transaction), then
prints the median and 90th percentile of each operation over --repeat repetitions, next
to its target, and a plain sqlite3 INSERT+commit into the same schema as a baseline.
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

from sqlite_utils import Database

from promptimp.models import BackendType, PromptRun
from promptimp.store import RunFilter, RunStore

WORDS = 2000  # vocabulary size; word frequencies follow Zipf's law
COMMON_RANK, RARE_RANK = 50, 1000


def make_words(rng: random.Random) -> list[str]:
    syllables = ["ka", "lo", "mi", "ten", "ra", "su", "vel", "dor", "pri", "ox", "an", "qui"]
    words: set[str] = set()
    while len(words) < WORDS:
        words.add("".join(rng.choices(syllables, k=rng.randint(2, 4))))
    return sorted(words, key=lambda word: (len(word), word))


def synthetic_rows(count: int, words: list[str], rng: random.Random) -> Iterator[dict]:
    """Rows as RunStore stores them, spread over the last 90 days."""
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
) -> tuple[RunStore, float]:
    """A migrated store at `path` holding `rows` synthetic runs, and the seconds it took."""
    store = RunStore(path)
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
    schema = RunStore(path, wal=wal)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=100)
    args = parser.parse_args()
    rng = random.Random(42)
    words = make_words(rng)
    common, rare = words[COMMON_RANK - 1], words[RARE_RANK - 1]

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "history.db"
        store, fill_s = filled_store(path, args.rows, words, rng)
        size_mb = path.stat().st_size / 1e6

        run = PromptRun(
            original_idea=f"Design a REST API for {common} management",
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
        raw_row = next(synthetic_rows(1, words, rng))
        slider = RunFilter(min_confidence=0.0, max_confidence=1.0)
        page = RunFilter(backend="few-shot", min_confidence=0.8)
        text_page = RunFilter(text=rare, model_version="gpt-4o-mini")
        quick, slow = args.repeat, max(3, args.repeat // 20)
        cases: list[tuple[str, Callable[[], object], int, float | None]] = [
            ("save one run (committed)", lambda: store.save(run), quick, 1.2),
            (
                "  baseline: sqlite3 INSERT+commit, WAL",
                baseline_insert(Path(tmp) / "wal.db", raw_row, wal=True),
                quick,
                None,
            ),
            (
                "  baseline: sqlite3 INSERT+commit, defaults",
                baseline_insert(Path(tmp) / "plain.db", raw_row, wal=False),
                quick,
                None,
            ),
            ("get(id)", lambda: store.get(args.rows // 2), quick, None),
            ("recent(50)", lambda: store.recent(50), quick, 10.0),
            ("recent(50, offset=5000)", lambda: store.recent(50, offset=5000), quick, None),
            (
                f"search common word ({store.count(RunFilter(text=common))} hits)",
                lambda: store.search(common),
                quick,
                20.0,
            ),  # fmt: skip
            (
                f"search rare word ({store.count(RunFilter(text=rare))} hits)",
                lambda: store.search(rare),
                quick,
                20.0,
            ),  # fmt: skip
            ("statistics()", store.statistics, slow, 100.0),
            ("page: confidence 0-1, newest first", lambda: store.query(slider), quick, None),
            ("  count of it", lambda: store.count(slider), quick, None),
            (
                "page: backend+min_confidence, by confidence",
                lambda: store.query(page, sort="confidence desc"),
                quick,
                None,
            ),
            ("  count of it", lambda: store.count(page), quick, None),
            (
                "page: rare word+model, by latency",
                lambda: store.query(text_page, sort="latency_ms asc"),
                quick,
                None,
            ),
            ("  count of it", lambda: store.count(text_page), quick, None),
            (
                "page: common word, newest first, offset 1000",
                lambda: store.query(RunFilter(text=common), offset=1000),
                quick,
                None,
            ),
            ("  count of it", lambda: store.count(RunFilter(text=common)), quick, None),
            ("count() all", store.count, quick, None),
            ("daily_summary()", store.daily_summary, slow, None),
            ("model_summary()", store.model_summary, slow, None),
            ("histogram('latency_ms')", lambda: store.histogram("latency_ms"), slow, None),
            ("share_at_least(0.7)", lambda: store.share_at_least(0.7), slow, None),
            ("model_versions()", store.model_versions, quick, None),
            (f"export {args.rows} rows to CSV", lambda: store.export_csv(io.StringIO()), 3, None),
            (f"export {args.rows} rows to JSON", lambda: store.export_json(io.StringIO()), 3, None),
        ]

        print(f"RunStore benchmark: {args.rows} rows, {size_mb:.1f} MB, filled in {fill_s:.1f} s")
        print(f"{'operation':<60} {'n':>4} {'median ms':>10} {'p90 ms':>9} {'target':>8}")
        results: dict[str, float] = {}
        for name, operation, repeat, target in cases:
            median, p90 = timed(operation, repeat)
            results[name] = median
            verdict = ""
            if target is not None:
                verdict = f"<= {target:g} " + ("ok" if median <= target else "MISSED")
            print(f"{name:<60} {repeat:>4} {median:>10.3f} {p90:>9.3f} {verdict:>8}")
        save = results["save one run (committed)"]
        for label in ("WAL", "defaults"):
            base = results[f"  baseline: sqlite3 INSERT+commit, {label}"]
            print(f"save / baseline ({label}): {save / base:.2f}x")
        store.close()
        print_cli_figures(path, common)


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
    cli = [sys.executable, "-m", "promptimp", "history", "--search", word, "--json"]
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
