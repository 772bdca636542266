"""Retrieval bench: does the nearest training demo share the idea's domain?

For each selector, prints the share of devset and wildset ideas whose nearest trainset example
(by cosine similarity of idea + context) has the same domain, the share with at least one
same-domain demo among the top k, the share whose nearest demo is in the idea's language, and
the median time to rank the pool for one idea. Selectors:

- current: promptimp.fewshot.DemoSelector (TF-IDF over character 3-5-grams within words).
- words: TF-IDF over content words (eval/overlap.py: accents folded, English and Spanish
  stopwords removed, plural "s" dropped) and their bigrams, sublinear tf.
- whole-demo: the current character n-grams, fitted on each demo's idea, context, role,
  directive and guardrails (the words a demo's answer uses describe its domain too).
- classified: a logistic regression over character n-grams, trained on every part of every
  demo labelled with its domain, predicts the idea's domain; that domain's demos come first,
  ranked as in whole-demo.

Then the embedded model's domain classifier (promptimp.compose.domains): the share of ideas it
puts in their own domain, from the curated library alone (zero-shot) and with the trainset's
examples added to their domains (few-shot), and the median seconds to build each, from an empty
word-stem cache (as in a fresh process) and from a full one.

Run: python bench/retrieval_bench.py [--k 3] [--misses words] [--classifier-misses]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from eval.datasets import load_dataset  # noqa: E402
from eval.overlap import content_words  # noqa: E402
from promptimp.compose.domains import DomainClassifier, stems_of_word  # noqa: E402
from promptimp.compose.library import load_library  # noqa: E402
from promptimp.fewshot import MAX_MATCH_CHARS, DemoSelector, load_trainset  # noqa: E402

DATA = ROOT / "data"

Scorer = Callable[[str], np.ndarray]
"""scorer(text) -> the cosine similarity of the text to every pool example, in pool order."""


def match_text(example) -> str:
    return f"{example.original_idea}\n{example.get('context') or ''}"[:MAX_MATCH_CHARS]


def demo_text(example) -> str:
    parts = [match_text(example), example.role, example.directive, *example.guardrails]
    return "\n".join(parts)


def word_bigrams(text: str) -> list[str]:
    """Content words (eval/overlap.py) and each pair of neighbouring ones."""
    tokens = content_words(text)
    return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]


def tfidf_scorer(pool_texts: Sequence[str], vectorizer: TfidfVectorizer) -> Scorer:
    matrix = vectorizer.fit_transform(pool_texts)
    return lambda text: (matrix @ vectorizer.transform([text]).T).toarray().ravel()


def current_scorer(pool) -> Scorer:
    selector = DemoSelector(pool, k=len(pool))
    index = {id(example): i for i, example in enumerate(pool)}

    def score(text: str) -> np.ndarray:
        idea, _, context = text.partition("\n")
        scores = np.zeros(len(pool))
        for example, value in selector.ranked(idea, context):
            scores[index[id(example)]] = value
        return scores

    return score


def char_vectorizer() -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), strip_accents="unicode", sublinear_tf=True
    )


def classified_scorer(pool, similarity: Scorer) -> Scorer:
    """`similarity`, plus 1 for the demos of the domain a classifier predicts for the text."""
    parts = [(part, e.domain) for e in pool for part in (match_text(e), e.role, e.directive)]
    parts += [(rule, e.domain) for e in pool for rule in e.guardrails]
    vectorizer = char_vectorizer()
    features = vectorizer.fit_transform([part for part, _ in parts])
    model = LogisticRegression(C=10, max_iter=2000).fit(features, [d for _, d in parts])
    domains = np.array([example.domain for example in pool])

    def score(text: str) -> np.ndarray:
        predicted = model.predict(vectorizer.transform([text]))[0]
        return similarity(text) + (domains == predicted)

    return score


def selectors(pool) -> dict[str, Scorer]:
    texts = [match_text(example) for example in pool]
    whole_demo = tfidf_scorer([demo_text(example) for example in pool], char_vectorizer())
    return {
        "current": current_scorer(pool),
        "words": tfidf_scorer(texts, TfidfVectorizer(analyzer=word_bigrams, sublinear_tf=True)),
        "whole-demo": whole_demo,
        "classified": classified_scorer(pool, whole_demo),
    }


def measure(score: Scorer, pool, examples, k: int) -> dict[str, float]:
    top1 = topk = language = 0
    seconds = []
    for example in examples:
        start = time.perf_counter()
        ranked = np.argsort(-score(match_text(example)), kind="stable")[:k]
        seconds.append(time.perf_counter() - start)
        nearest = pool[ranked[0]]
        top1 += nearest.domain == example.domain
        topk += any(pool[i].domain == example.domain for i in ranked)
        language += nearest.language == (example.get("language") or nearest.language)
    count = len(examples)
    return {
        "top1": top1 / count,
        "topk": topk / count,
        "language": language / count,
        "median_ms": statistics.median(seconds) * 1000,
    }


def print_misses(score: Scorer, pool, examples, name: str) -> None:
    for example in examples:
        nearest = pool[int(np.argmax(score(match_text(example))))]
        if nearest.domain != example.domain:
            print(
                f"  [{name}] {example.domain}: {example.original_idea[:60]!r}"
                f" -> {nearest.domain}: {nearest.original_idea[:60]!r}"
            )


def build_seconds(build: Callable[[], object], *, cold: bool, repeats: int = 3) -> float:
    """Median seconds to build a classifier, with the stem cache emptied first when `cold`."""
    seconds = []
    for _ in range(repeats):
        if cold:
            stems_of_word.cache_clear()
        start = time.perf_counter()
        build()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds)


def print_classifiers(pool, sets, show_misses: bool) -> None:
    library = load_library(DATA / "domains")
    builders = {
        "library (zero-shot)": lambda: DomainClassifier(library),
        "library + trainset (few-shot)": lambda: DomainClassifier(library, pool),
    }
    print(f"\n{'classifier build':<30} {'cold s':>8} {'warm s':>8} {'ratio':>6}")
    for label, build in builders.items():
        cold, warm = build_seconds(build, cold=True), build_seconds(build, cold=False)
        print(f"{label:<30} {cold:>8.2f} {warm:>8.2f} {cold / warm:>6.1f}")
    print("cold: the word-stem cache emptied first (a fresh process); warm: it holds the words")
    classifiers = {label: build() for label, build in builders.items()}
    print(f"\n{'domain classifier':<30} {'set':<8} {'own domain':>10} {'median ms':>10}")
    for label, classify in classifiers.items():
        for name, examples in sets.items():
            hits, seconds, misses = 0, [], []
            for example in examples:
                start = time.perf_counter()
                domain, _ = classify(example.original_idea, example.get("context") or "")
                seconds.append(time.perf_counter() - start)
                hits += domain == example.domain
                if domain != example.domain:
                    misses.append(f"  {example.domain}: {example.original_idea[:60]!r} -> {domain}")
            print(
                f"{label:<30} {name:<8} {hits / len(examples):>10.1%}"
                f" {statistics.median(seconds) * 1000:>10.2f}"
            )
            if show_misses:
                print("\n".join(misses))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, default=3, help="demos shown per idea (default 3)")
    parser.add_argument("--misses", metavar="SELECTOR", help="list the ideas this selector misses")
    parser.add_argument("--classifier-misses", action="store_true", help="list classifier misses")
    args = parser.parse_args()
    pool = load_trainset(DATA / "trainset.jsonl")
    sets = {name: load_dataset(DATA / f"{name}.jsonl") for name in ("devset", "wildset")}
    domains = {example.domain for example in pool}
    print(f"trainset: {len(pool)} examples over {len(domains)} domains")
    for name, examples in sets.items():
        unknown = sorted({e.domain for e in examples} - domains)
        missing = f"; domains not in the trainset: {unknown}" if unknown else ""
        print(f"{name}: {len(examples)} ideas{missing}")
    print(
        f"\n{'selector':<12} {'set':<8} {'nearest same domain':>20} "
        f"{f'same domain in top {args.k}':>22} {'nearest same language':>22} {'median ms':>10}"
    )
    scorers = selectors(pool)
    for selector, score in scorers.items():
        for name, examples in sets.items():
            figures = measure(score, pool, examples, args.k)
            print(
                f"{selector:<12} {name:<8} {figures['top1']:>20.1%} {figures['topk']:>22.1%} "
                f"{figures['language']:>22.1%} {figures['median_ms']:>10.2f}"
            )
    if args.misses:
        for name, examples in sets.items():
            print_misses(scorers[args.misses], pool, examples, name)
    print_classifiers(pool, sets, args.classifier_misses)


if __name__ == "__main__":
    main()
