"""Compare's winner can join the user trainset few-shot learns from; a tie offers nothing."""

from app_helpers import GOOD_ANSWER, click, unescape

from promptimp.crafting.user_trainset import add_example, list_examples

IDEA = "Design a REST API for user management"
ADD = "Add the winner to the trainset"
TRAINSET = "data/user_trainset.jsonl"  # in the test's tmp dir (see env in conftest.py)


def judged(at, verdict_label):
    at.text_area(key="compare_idea").input(IDEA)
    return click(click(at, "Run both"), verdict_label)


def buttons(at) -> list[str]:
    return [button.label for button in at.button]


def test_the_winner_is_added_once_and_few_shot_sees_it(workbench, store, answers, open_page):
    answers[:] = [GOOD_ANSWER] * 4
    at = judged(open_page("compare"), "Few-shot is better")
    few_shot = store.query(sort="timestamp asc")[1]
    at = click(at, ADD)
    assert not at.exception and not at.error
    assert [unescape(s.value) for s in at.success][-1] == (
        f"Added run #{few_shot.id} to the user trainset: few-shot draws demos from it from now on."
    )
    assert ADD not in buttons(at)
    (example,) = list_examples(workbench.parent / TRAINSET)
    assert (example.source_run_id, example.idea) == (few_shot.id, IDEA)


def test_a_winner_already_in_the_trainset_says_so_in_one_line(workbench, store, open_page):
    at = open_page("compare")
    at.text_area(key="compare_idea").input(IDEA)
    at = click(at, "Run both")
    zero_shot = store.query(sort="timestamp asc")[0]
    add_example(workbench.parent / TRAINSET, zero_shot)  # added elsewhere (the command line)
    at = click(at, "Zero-shot is better")
    assert [info.value for info in at.info] == [
        f"Run #{zero_shot.id} is already example 1 of the user trainset."
    ]
    assert ADD not in buttons(at) and not at.error


def test_another_run_of_an_idea_already_there_is_one_error_and_changes_nothing(
    workbench, store, open_page
):
    at = click(judged(open_page("compare"), "Few-shot is better"), ADD)
    before = (workbench.parent / TRAINSET).read_text()
    at = click(judged(at, "Zero-shot is better"), ADD)
    assert [unescape(e.value) for e in at.error] == [
        f"Example 1 of {TRAINSET} already has this idea."
    ]
    assert (workbench.parent / TRAINSET).read_text() == before


def test_a_tie_offers_no_winner_to_add(workbench, open_page):
    at = judged(open_page("compare"), "About the same")
    assert ADD not in buttons(at)
    assert "A tie names no winner, so there is nothing to add to the trainset." in [
        caption.value for caption in at.caption
    ]
    assert not (workbench.parent / TRAINSET).exists()
