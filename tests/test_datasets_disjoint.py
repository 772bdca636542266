"""The evaluation ideas (devset, wildset) are unseen: none is a near-duplicate of a training idea
(the trainset's, or the domain library's everyday example ideas).

Measure (eval/overlap.py): Jaccard similarity of the two ideas' sets of content words (the
quality lexicon's words: lower-cased, accents folded, English and Spanish stop words removed,
plural and -ing/-ed endings stemmed); 0.6 or more is a near-duplicate. Word sets catch a reworded
copy (case, articles, plurals, accents, word order) and stay low for two different requests on
the same topic. Ideas are compared, not contexts: many contexts are empty, and the idea is what a
person types.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.overlap import near_duplicates, similarity
from promptimp.compose.library import load_library

DATA = Path(__file__).resolve().parent.parent / "data"


def ideas(name: str) -> list[str]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["idea"] for line in lines if line.strip()]


@pytest.mark.parametrize("evaluation", ["devset.jsonl", "wildset.jsonl"])
def test_no_evaluation_idea_is_a_near_duplicate_of_a_training_idea(evaluation):
    assert near_duplicates(ideas(evaluation), ideas("trainset.jsonl")) == []


@pytest.mark.parametrize("evaluation", ["devset.jsonl", "wildset.jsonl"])
def test_no_evaluation_idea_is_a_near_duplicate_of_a_library_example(evaluation):
    examples = [idea for pack in load_library() for idea in pack.examples.en + pack.examples.es]
    assert near_duplicates(ideas(evaluation), examples) == []


def test_the_two_evaluation_sets_do_not_repeat_each_other():
    assert near_duplicates(ideas("wildset.jsonl"), ideas("devset.jsonl")) == []


def test_a_planted_near_duplicate_is_caught_and_a_neighbour_is_not():
    training = ideas("trainset.jsonl")
    english = "  write UNIT test for a python functions "
    spanish = "Explicame que es el descenso de gradiente"
    assert near_duplicates([english, spanish, "pytest fixtures explained"], training) == [
        (english, "Write unit tests for my Python function", 1.0),
        (spanish, "explícame qué es el descenso del gradiente", 1.0),
    ]


def test_similarity_is_a_share_of_shared_content_words():
    assert similarity("Plan a product launch", "plan the launch of our products") == 1.0
    assert similarity("fix my code", "fix the bug") == pytest.approx(1 / 3)
    assert similarity("the", "a") == 1.0
