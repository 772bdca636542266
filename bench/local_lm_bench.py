"""Benchmark the embedded local model: load time, engine overhead, latency and output validity.

Prints one table:
- model load time;
- tokens per second through LocalEngine against raw llama-cpp-python create_chat_completion on
  the same request and settings (median of --runs each); the overhead is engine time over raw
  time (target <= 1.05);
- median seconds per improvement through ImproveService, zero-shot and few-shot (target <= 15 s);
- the share of ideas whose output passes structural validation and has no repeated run of 8+
  words (target 100%).

Ideas come from data/devset.jsonl (25 built-in ideas if it is missing). Usage:
    python bench/local_lm_bench.py [--ideas N] [--runs N]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import dspy  # noqa: E402

from eval.metrics import REPEAT_RUN, repeat_starts, words  # noqa: E402
from promptimp.improver import ImprovePromptParts  # noqa: E402
from promptimp.local.adapter import LocalJSONAdapter  # noqa: E402
from promptimp.local.engine import MAX_TOKENS, LocalEngine, build_local_lm  # noqa: E402
from promptimp.local.model_file import resolve_model_path  # noqa: E402
from promptimp.models import (  # noqa: E402
    FRAMEWORKS,
    MAX_GUARDRAILS,
    MIN_GUARDRAILS,
    PromptImpError,
    PromptRun,
)
from promptimp.service import ImproveService  # noqa: E402
from promptimp.settings import Settings  # noqa: E402

DEVSET = ROOT / "data" / "devset.jsonl"
BUILT_IN_IDEAS = [
    "Design a REST API for user management",
    "Write a blog post about climate change for teenagers",
    "Diseñar una estrategia de marketing para una panadería local",
    "Plan a birthday party 🎉 for my 6 year old",
    "Explain quantum computing to a CEO",
    "Debug a memory leak in a Node.js service",
    "Write a cover letter for a nursing job",
    "Create a weekly meal plan for a vegetarian athlete",
    "Summarise a 40-page legal contract for a small business owner",
    "Build a churn prediction model for a subscription app",
    "Escribir un cuento corto para niños sobre el océano",
    "Prepare interview questions for a senior data engineer",
    "Refactor a legacy PHP monolith into services",
    "Write product descriptions for handmade candles 🕯️",
    "Create a study plan for the AWS Solutions Architect exam",
    "Draft a press release for a new electric bike",
    "Design a database schema for a library system",
    "Teach basic statistics to high school students",
    "Plan a two-week trip to Japan on a budget",
    "Write unit tests for a payment processing module",
    "Create an onboarding checklist for remote employees",
    "Analyse customer reviews to find common complaints",
    "Redactar un correo formal para pedir un aumento de sueldo",
    "Write a workout routine for beginners at home",
    "Design a logo brief for a coffee shop",
]
RAW_RUNS_DEFAULT = 5


def load_ideas(limit: int | None) -> list[tuple[str, str]]:
    """(idea, context) pairs from the devset, or the built-in ideas without context."""
    if DEVSET.is_file():
        rows = [json.loads(line) for line in DEVSET.read_text("utf-8").splitlines() if line.strip()]
        ideas = [(row["idea"], row.get("context") or "") for row in rows]
    else:
        ideas = [(idea, "") for idea in BUILT_IN_IDEAS]
    return ideas[:limit] if limit else ideas


def problems(run: PromptRun) -> list[str]:
    """What makes a run structurally invalid (empty when it is valid)."""
    found = []
    if not run.role.strip() or not run.directive.strip():
        found.append("empty role or directive")
    if run.framework not in FRAMEWORKS:
        found.append(f"framework {run.framework!r}")
    if not MIN_GUARDRAILS <= len(run.guardrails) <= MAX_GUARDRAILS or not all(run.guardrails):
        found.append(f"{len(run.guardrails)} guardrails")
    if run.confidence is None or not 0.0 <= run.confidence <= 1.0:
        found.append(f"confidence {run.confidence}")
    parts = [run.role.rstrip("."), run.directive, *run.guardrails]
    if not all(part.casefold() in run.improved_prompt.casefold() for part in parts):
        found.append("improved prompt lacks a part")
    return found


def repeated_run(text: str) -> str | None:
    """The first run of REPEAT_RUN words that occurs twice in `text` (as eval.metrics counts)."""
    tokens = words(text)
    start = next(repeat_starts(tokens), None)
    return None if start is None else " ".join(tokens[start : start + REPEAT_RUN])


def sample_request(engine: LocalEngine) -> dspy.lm15.Request:
    """The request the service sends for one idea, captured from a real call."""
    captured: list[dspy.lm15.Request] = []

    class Recorder(LocalEngine):
        def complete(self, request):
            captured.append(request)
            return super().complete(request)

    recorder = Recorder(engine.model, engine.name)
    lm = dspy.LM("local/recorder", engine=recorder, cache=False, num_retries=0)
    with dspy.context(lm=lm, adapter=LocalJSONAdapter()):
        dspy.Predict(ImprovePromptParts)(original_idea=BUILT_IN_IDEAS[0], context="")
    return captured[0]


def tokens_per_second(engine: LocalEngine, runs: int) -> tuple[float, float]:
    """Median tokens/s through the engine and through raw create_chat_completion.

    Both answer the same request with the same grammar and sampling settings (raw without the
    engine's logits processors); runs alternate which goes first.
    """
    request = sample_request(engine)
    raw_kwargs = engine.completion_kwargs(request)
    raw_kwargs.pop("logits_processor")

    def through_engine() -> float:
        started = time.perf_counter()
        tokens = engine.complete(request).usage.output_tokens
        return tokens / (time.perf_counter() - started)

    def raw() -> float:
        started = time.perf_counter()
        with engine.model.lock:
            answer = engine.llama.create_chat_completion(**raw_kwargs)
        return answer["usage"]["completion_tokens"] / (time.perf_counter() - started)

    rates: dict[Any, list[float]] = {through_engine: [], raw: []}
    for run in range(runs):
        for measure in (through_engine, raw) if run % 2 == 0 else (raw, through_engine):
            rates[measure].append(measure())
    return statistics.median(rates[through_engine]), statistics.median(rates[raw])


def improve_all(
    service: ImproveService, ideas: list[tuple[str, str]], backend: str
) -> tuple[list[float], int, int, list[str]]:
    """Seconds per idea, how many are valid, how many have no repetition, and the failures."""
    seconds, valid, unrepeated, failures = [], 0, 0, []
    for idea, context in ideas:
        started = time.perf_counter()
        try:
            run = service.improve(idea, context, backend=backend).run
        except PromptImpError as error:  # a failure counts against validity and is listed
            seconds.append(time.perf_counter() - started)
            failures.append(f"{backend} {idea[:40]!r}: {error}")
            continue
        seconds.append(time.perf_counter() - started)
        found = problems(run)
        valid += not found
        repeated = repeated_run(run.improved_prompt)
        unrepeated += repeated is None
        if repeated:
            found.append(f"repeats {repeated!r}")
        if found:
            failures.append(f"{backend} {idea[:40]!r}: {', '.join(found)}")
    return seconds, valid, unrepeated, failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ideas", type=int, default=None, help="only the first N ideas")
    parser.add_argument("--runs", type=int, default=RAW_RUNS_DEFAULT, help="runs per tok/s median")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(SQLITE_DB_PATH=str(Path(tmp) / "bench.db"))
        path = resolve_model_path(settings)
        started = time.perf_counter()
        lm = build_local_lm(settings)
        load_s = time.perf_counter() - started
        ours, raw = tokens_per_second(lm.engine, args.runs)

        service = ImproveService(settings, lm=lm)
        ideas = load_ideas(args.ideas)
        rows: list[tuple[str, str, str]] = [
            ("model", path.name, ""),
            ("model load", f"{load_s:.2f} s", ""),
            ("engine tokens/s", f"{ours:.1f}", f"median of {args.runs}"),
            ("raw llama.cpp tokens/s", f"{raw:.1f}", f"median of {args.runs}"),
            ("overhead (time ratio)", f"{raw / ours:.3f}", "target <= 1.05"),
        ]
        failures: list[str] = []
        source = DEVSET.name if DEVSET.is_file() else "built-in ideas"
        for backend in ("zero-shot", "few-shot"):
            if backend == "few-shot" and importlib.util.find_spec("promptimp.fewshot") is None:
                rows.append((f"{backend} s/improvement", "skipped", "promptimp.fewshot missing"))
                continue
            seconds, valid, unrepeated, failed = improve_all(service, ideas, backend)
            failures += failed
            count = len(ideas)
            rows += [
                (f"{backend} s/improvement", f"{statistics.median(seconds):.2f}", "median; <= 15"),
                (f"{backend} valid", f"{valid}/{count} ({valid / count:.0%})", source),
                (f"{backend} no 8-word repeat", f"{unrepeated}/{count}", "target 100%"),
            ]
        answers = [entry["response"] for entry in lm.history if "response" in entry]
        longest = max((answer.usage.output_tokens for answer in answers), default=0)
        cut = sum(answer.finish_reason == "length" for answer in answers)
        limit = f"max_tokens {MAX_TOKENS}"
        rows.append(("longest answer (tokens)", str(longest), f"{cut} cut at {limit}"))
    print_table(rows)
    for failure in failures:
        print("  failed:", failure)
    return 0


def print_table(rows: list[tuple[str, str, str]]) -> None:
    """The rows as left-aligned columns."""
    widths = [max(len(str(row[i])) for row in rows) for i in range(3)]
    for row in rows:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))


if __name__ == "__main__":
    sys.exit(main())
