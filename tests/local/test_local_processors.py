"""Logits processors of the local engine, on a made-up vocabulary (pure Python, no model)."""

import numpy as np

from promptimp.local import processors
from promptimp.local.processors import CloseWithinBudget, DistinctStrings, NoRepeatWords, TokenWords

VOCABULARY = TokenWords.of(
    [b"x", b" the", b"Th\xc3\xa9", b" cat", b" c", b"at", b", ", b" sat", b"dog"]
)
"""0 x, 1 " the", 2 "Thé", 3 " cat", 4 " c", 5 "at", 6 ", ", 7 " sat", 8 "dog"."""


def pushed_down(processor: NoRepeatWords, generated: list[int]) -> list[int]:
    """The tokens the processor pushes down after `generated`."""
    prompt = [0, 0]
    processor(np.array(prompt), np.zeros(9))  # marks where generation starts
    scores = processor(np.array(prompt + generated), np.zeros(9))
    return [token for token, score in enumerate(scores) if score < 0]


def test_no_repeat_words_pushes_down_tokens_that_would_repeat_a_run():
    # "the cat, Thé": the next word may not be "cat" again, whatever case, accent or comma
    assert pushed_down(NoRepeatWords(VOCABULARY, n=2), [1, 3, 6, 2]) == [3, 4]


def test_no_repeat_words_favours_closing_the_string_over_a_repeat():
    processor = NoRepeatWords(VOCABULARY, n=2, penalty=6.0, closers=[8])
    processor(np.array([0]), np.zeros(9))
    scores = processor(np.array([0, 1, 3, 6, 2]), np.zeros(9))
    assert scores[8] == 3.0  # the closer gets half the penalty as a bonus
    assert scores[3] == scores[4] == -6.0
    assert processor(np.array([0, 1, 3, 6, 2, 8]), np.zeros(9))[8] == 0.0  # no repeat ahead


def test_no_repeat_words_sees_a_word_spelled_by_other_tokens():
    # "the cat, the c": finishing "c" as "cat" ("at") would repeat "the cat"
    assert pushed_down(NoRepeatWords(VOCABULARY, n=2), [1, 3, 6, 1, 4]) == [5]


def test_no_repeat_words_counts_runs_of_the_source():
    processor = NoRepeatWords(VOCABULARY, n=3, source="The cat sat.")
    assert pushed_down(processor, [8, 6, 2, 3]) == [7]  # "dog, the cat" may not go on "sat"
    assert pushed_down(NoRepeatWords(VOCABULARY, n=3), [8, 6, 2, 3]) == []


def test_distinct_strings_keeps_a_string_from_ending_as_an_earlier_one():
    pieces = [b"{", b'"', b"Use", b" MFA", b'",', b' "', b"use", b" mfa.", b" now"]
    processor = DistinctStrings(pieces, closers=[1, 4], penalty=5.0)
    processor(np.array([0]), np.zeros(9))  # marks where generation starts
    first = [0, 1, 2, 3, 4, 5, 6]  # {"Use MFA", "use
    assert processor(np.array(first), np.zeros(9))[[1, 4]].tolist() == [0.0, 0.0]
    assert processor(np.array([*first, 7]), np.zeros(9))[[1, 4]].tolist() == [-5.0, -5.0]
    assert processor(np.array([*first, 7, 8]), np.zeros(9))[[1, 4]].tolist() == [0.0, 0.0]


def test_close_within_budget_favours_closing_tokens_near_the_end():
    processor = CloseWithinBudget(closers=[4], budget=processors.CLOSING_RESERVE + 2)
    prompt = [9, 9]
    assert processor(np.array(prompt), np.zeros(6))[4] == 0.0
    assert processor(np.array(prompt + [1]), np.zeros(6))[4] == 0.0
    scores = processor(np.array(prompt + [1, 2]), np.zeros(6))
    assert scores[4] == processors.CLOSING_BONUS and scores[[0, 1, 2, 3, 5]].sum() == 0.0
