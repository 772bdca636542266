"""Word diffs between texts and between versions of a run."""

from promptimp.crafting.diff import PARTS, changed_parts, word_diff


def test_word_diff_finds_added_and_removed_words():
    diff = word_diff("write a short poem", "write a long poem now")
    assert diff.chunks == (
        ("=", ("write", "a")),
        ("-", ("short",)),
        ("+", ("long",)),
        ("=", ("poem",)),
        ("+", ("now",)),
    )
    assert (diff.added, diff.removed, diff.similarity) == (2, 1, 0.667)


def test_line_breaks_are_tokens_but_not_counted_as_words():
    diff = word_diff("a\nb", "a\nb\nc")
    assert diff.chunks == (("=", ("a", "\n", "b")), ("+", ("\n", "c")))
    assert (diff.added, diff.removed) == (1, 0)


def test_identical_and_empty_texts():
    assert word_diff("same text", "same text").chunks == (("=", ("same", "text")),)
    assert word_diff("", "") == word_diff("", "")
    assert word_diff("", "").chunks == ()
    assert word_diff("", "new words").chunks == (("+", ("new", "words")),)
    assert word_diff("old words", "").removed == 2


def test_changed_parts_name_what_a_version_changed_in_reading_order(make_run):
    first = make_run(id=1)
    second = first.model_copy(
        update={"id": 2, "guardrails": ("Only one rule now",), "role": "Security reviewer"}
    )
    assert changed_parts(first, second) == ["role", "guardrails"]
    assert changed_parts(first, first.model_copy(update={"id": 3, "feedback": "x"})) == []
    everything = {part: "changed" for part in PARTS if part != "guardrails"}
    assert changed_parts(first, second.model_copy(update=everything)) == list(PARTS)
