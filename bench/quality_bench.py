"""Benchmark what people would keep: acceptable share, agreement with labels, confidence, latency.

Prints, for each backend of the configured model (the embedded one unless LLM_PROVIDER says
otherwise) on data/devset.jsonl and data/wildset.jsonl (ideas as people type them; said to be
missing when it is not there):
- the acceptable share: ideas whose improved prompt passes every quality check
  (promptimp.quality, with the trainset's guardrails as the demos a few-shot run may copy);
- the share people labeled acceptable, over the outputs identical (role, directive,
  guardrails) to one labeled in data/judgments.jsonl, with how many matched: after a change to
  the program, the outputs it no longer matches need a new read;
- the median and 95th-percentile seconds per improvement.
Then, from data/judgments.jsonl (outputs labeled by people): agreement of the verdict with the
labels on the tune and holdout splits, the junk and acceptable mean scores, and the AUC of the
confidence against the labels; and how many hand-written prompts of the trainset and devset
(gold, acceptable by the labeling standard) the verdict accepts.

Usage:
    python bench/quality_bench.py [--limit N] [--backend zero-shot|few-shot|both]
                                  [--show N]   (print N prompts per backend and dataset)
                                  [--dump FILE] (every output with its verdict, as JSONL)
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path
from typing import TextIO

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eval.agreement import (  # noqa: E402
    BUNDLED_GOLD,
    BUNDLED_JUDGMENTS,
    example_guardrails,
    gold_acceptance,
    load_judgments,
    measure_all,
)
from promptimp.models import BackendType, ImprovedPrompt, PromptImpError  # noqa: E402
from promptimp.quality import Demo, check_prompt, weighed_confidence  # noqa: E402
from promptimp.service import ImproveService  # noqa: E402
from promptimp.settings import load_settings  # noqa: E402

DATASETS = {"devset": ROOT / "data" / "devset.jsonl", "wildset": ROOT / "data" / "wildset.jsonl"}
TRAINSET = ROOT / "data" / "trainset.jsonl"


def read_ideas(path: Path, limit: int | None) -> list[tuple[str, str]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [(row["idea"], row.get("context", "")) for row in rows][:limit]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run_backend(
    service: ImproveService,
    backend: BackendType,
    ideas: list[tuple[str, str]],
    demos: list[Demo],
) -> list[tuple[str, ImprovedPrompt | None, bool, float]]:
    """(idea, output, acceptable, seconds) per idea; a failed run counts as junk."""
    rows = []
    for idea, context in ideas:
        started = time.perf_counter()
        try:
            output = service.generate(backend, idea, context)
        except PromptImpError as error:
            print(f"  {backend.value}: failed on {idea[:50]!r}: {error}", file=sys.stderr)
            rows.append((idea, None, False, time.perf_counter() - started))
            continue
        seconds = time.perf_counter() - started
        report = check_prompt(
            idea,
            context,
            output.role,
            output.directive,
            output.framework,
            output.guardrails,
            output.improved_prompt,
            demos=demos if backend is BackendType.FEW_SHOT else (),
            confidence=weighed_confidence(service.model_version, output.confidence),
        )
        rows.append((idea, output, report.acceptable, seconds))
    return rows


def write_outputs(
    dump: TextIO,
    dataset: str,
    backend: BackendType,
    rows: list[tuple[str, ImprovedPrompt | None, bool, float]],
) -> None:
    """Append one JSON line per output: where it came from, its parts, verdict and seconds."""
    for idea, output, acceptable, seconds in rows:
        parts = output.model_dump(mode="json") if output else None
        line = {"dataset": dataset, "backend": backend.value, "idea": idea, "output": parts}
        line |= {"acceptable": acceptable, "seconds": round(seconds, 2)}
        dump.write(json.dumps(line, ensure_ascii=False) + "\n")


Parts = tuple[str, str, str, tuple[str, ...]]


def parts_of(idea: str, output: ImprovedPrompt) -> Parts:
    return (idea, output.role, output.directive, tuple(output.guardrails))


def people_labels(judgments: Path) -> dict[Parts, bool]:
    """What people said of each labeled output, by its idea and parts."""
    return {
        (j.idea, j.role, j.directive, tuple(j.guardrails)): j.acceptable
        for j in load_judgments(judgments)
    }


def people_share(
    rows: list[tuple[str, ImprovedPrompt | None, bool, float]], labels: dict[Parts, bool]
) -> str:
    """'47% of 32/32': the labeled-acceptable share over the outputs people have labeled."""
    said = [
        labels[key]
        for idea, output, _, _ in rows
        if output and (key := parts_of(idea, output)) in labels
    ]
    return f"{sum(said) / len(said):.0%} of {len(said)}/{len(rows)}" if said else f"0/{len(rows)}"


def print_generation(args: argparse.Namespace, demos: list[Demo]) -> None:
    dump = args.dump.open("w", encoding="utf-8") if args.dump else None
    service = ImproveService(load_settings(SQLITE_ENABLED=False))
    backends = [BackendType(b) for b in args.backend.split(",")]
    labels = people_labels(args.judgments)
    print(f"model: {service.model_version}")
    print(
        f"{'dataset':<8} {'backend':<10} {'n':>3} {'acceptable':>10} {'people ok (labeled)':>20} "
        f"{'median s':>8} {'p95 s':>6}"
    )
    for name, path in DATASETS.items():
        if not path.exists():
            print(f"{name:<8} missing: {path.relative_to(ROOT)} is not there yet")
            continue
        ideas = read_ideas(path, args.limit)
        for backend in backends:
            rows = run_backend(service, backend, ideas, demos)
            seconds = [row[3] for row in rows]
            share = sum(row[2] for row in rows) / len(rows)
            print(
                f"{name:<8} {backend.value:<10} {len(rows):>3} {share:>10.0%} "
                f"{people_share(rows, labels):>20} "
                f"{statistics.median(seconds):>8.1f} {percentile(seconds, 0.95):>6.1f}"
            )
            if dump:
                write_outputs(dump, name, backend, rows)
            for idea, output, acceptable, _ in random.Random(0).sample(
                rows, min(args.show, len(rows))
            ):
                verdict = "acceptable" if acceptable else "NOT acceptable"
                prompt = output.improved_prompt if output else "(failed)"
                print(f"\n--- {name} {backend.value} [{verdict}] {idea}\n{prompt}\n")


def print_agreement(judgments: Path, demos: list[Demo]) -> None:
    rows = load_judgments(judgments)
    print(f"\nagreement with {len(rows)} labeled outputs ({judgments.relative_to(ROOT)})")
    print(
        f"{'split':<8} {'n':>4} {'agree':>7} {'junk mean':>9} {'ok mean':>8} {'score AUC':>9} "
        f"{'shown conf AUC':>14}"
    )
    for result in measure_all(rows, demos):
        shown = "" if result.shown_confidence_auc is None else f"{result.shown_confidence_auc:.3f}"
        print(
            f"{result.split:<8} {result.count:>4} {result.agreement:>7.1%} "
            f"{result.junk_mean_score or 0:>9.3f} {result.acceptable_mean_score or 0:>8.3f} "
            f"{result.confidence_auc or 0:>9.3f} {shown:>14}"
        )
    print("\ngold prompts accepted (hand-written, acceptable by the labeling standard)")
    print(f"{'dataset':<16} {'n':>4} {'accepted':>8} {'share':>7}  most failed checks")
    for path in BUNDLED_GOLD:
        gold = gold_acceptance(path)
        failing = ", ".join(f"{name} {n}" for name, n in list(gold.failing_checks.items())[:4])
        print(
            f"{gold.dataset:<16} {gold.total:>4} {gold.accepted:>8} {gold.share:>7.1%}  {failing}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="only the first N ideas")
    parser.add_argument("--backend", default="zero-shot,few-shot", help="comma-separated")
    parser.add_argument("--show", type=int, default=0, help="prompts to print per run")
    parser.add_argument("--judgments", type=Path, default=BUNDLED_JUDGMENTS)
    parser.add_argument("--dump", type=Path, default=None, help="write every output here")
    parser.add_argument("--no-generate", action="store_true", help="only the agreement part")
    args = parser.parse_args()
    demos = example_guardrails(TRAINSET)
    if not args.no_generate:
        print_generation(args, demos)
    print_agreement(args.judgments, demos)


if __name__ == "__main__":
    main()
