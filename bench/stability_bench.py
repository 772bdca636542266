"""Stability figure: `python bench/stability_bench.py [--runs 3] [--repeats 5]`.

On the embedded model, with a fresh tmp database: the median seconds of a stability run
(one idea improved --repeats times and summarised, as the Stability page runs it) over --runs
runs, against the median seconds of one improve measured in the same repetitions (the
baseline: a stability run should cost about --repeats improves).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from promptimp.service import ImproveService  # noqa: E402
from promptimp.settings import Settings  # noqa: E402

IDEA = "Design a REST API for user management"


def seconds_of(operation) -> float:
    started = time.perf_counter()
    operation()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            LLM_PROVIDER="local",
            LLM_MODEL="",
            SQLITE_DB_PATH=str(Path(folder) / "bench.db"),
            DSPY_FEWSHOT_USER_TRAINSET_PATH=str(Path(folder) / "user_trainset.jsonl"),
        )
        service = ImproveService(settings)
        service.warm_up()
        improves, stabilities = [], []
        for _ in range(args.runs):
            improves.append(seconds_of(lambda: service.improve(IDEA, backend="zero-shot")))
            stabilities.append(
                seconds_of(
                    lambda: service.crafting.stability(
                        IDEA, backend="zero-shot", repeats=args.repeats
                    )
                )
            )
        service.close()
    base, median = statistics.median(improves), statistics.median(stabilities)
    print(f"Embedded model ({service.model_version}), {args.runs} runs each")
    print(
        f"stability run of {args.repeats}: median {median:.2f} s"
        f" (min {min(stabilities):.2f}, max {max(stabilities):.2f})"
    )
    print(
        f"one improve (zero-shot), baseline: median {base:.2f} s"
        f" (min {min(improves):.2f}, max {max(improves):.2f})"
    )
    print(f"ratio: {median / base:.2f} x one improve, {median / base / args.repeats:.2f} per run")


if __name__ == "__main__":
    main()
