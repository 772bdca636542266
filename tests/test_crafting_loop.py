"""The crafting loop through the service on DummyLM and real stores: try, refine, versions,
keeper, stability, tags, the library and the user trainset. Bad input changes nothing."""

import json

import pytest

from promptimp.history import RunFilter
from promptimp.models import BackendType, InputError
from tests.support import ANSWER, dummy_service

IDEA = "Design a REST API for user management"


@pytest.fixture
def service(history_store, tmp_path):
    """A DummyLM service over each backend's store, with its own user trainset file."""
    return dummy_service(
        tmp_path / "unused.db",
        [ANSWER] * 40,
        store=history_store,
        DSPY_FEWSHOT_USER_TRAINSET_PATH=str(tmp_path / "user_trainset.jsonl"),
    )


@pytest.fixture
def first(service):
    return service.improve(IDEA, "FastAPI backend").run


def counts(service) -> tuple[int, int]:
    history = service.history
    return history.total_count(), sum(
        len(history.trials(run.id)) for run in history.query(limit=None)
    )


def test_trying_a_run_stores_both_answers_with_their_timing(service, first):
    result = service.crafting.try_run(first.id)
    trial = result.trial
    assert result.warnings == () and trial.id is not None
    assert (trial.run_id, trial.target_model) == (first.id, "openai/test-model")
    assert trial.improved.prompt == first.improved_prompt
    assert trial.original.prompt == f"{IDEA}\n\nFastAPI backend"
    assert trial.original.answer and trial.improved.answer
    assert trial.original.latency_ms >= 0 and trial.improved.latency_ms >= 0
    assert service.history.trials(first.id) == [trial]


def test_refining_makes_a_version_chain_with_parents_and_feedback(service, first):
    second = service.crafting.refine(first.id, "  Shorter  ").run
    third = service.crafting.refine(second.id, "Add a guardrail about security").run
    assert (second.parent_id, second.feedback) == (first.id, "Shorter")
    assert (third.parent_id, third.feedback) == (second.id, "Add a guardrail about security")
    assert second.original_idea == first.original_idea and second.context == first.context
    chain = [run.id for run in service.crafting.versions(first.id)]
    assert chain == [first.id, second.id, third.id]
    assert [run.id for run in service.crafting.versions(third.id)] == chain


def test_a_refine_that_changes_nothing_says_so(service, first):
    result = service.crafting.refine(first.id, "Shorter")  # DummyLM answers as before
    assert result.stored and result.warnings == (
        "The model openai/test-model gave the previous version back unchanged; try other"
        " feedback or another model.",
    )


def test_a_refine_that_changes_a_part_has_no_warning(history_store, tmp_path):
    changed = {**ANSWER, "role": "Principal API architect"}
    service = dummy_service(tmp_path / "unused.db", [ANSWER, changed], store=history_store)
    first = service.improve(IDEA).run
    result = service.crafting.refine(first.id, "A more senior role")
    assert result.run.role == "Principal API architect" and result.warnings == ()


def test_one_keeper_per_chain(service, first):
    second = service.crafting.refine(first.id, "Shorter").run
    assert service.crafting.keep(first.id).keeper
    assert service.crafting.keep(second.id).keeper
    assert [run.keeper for run in service.crafting.versions(first.id)] == [False, True]


def test_stability_repeats_stores_each_run_and_reports_progress(service):
    seen = []
    result = service.crafting.stability(
        IDEA, repeats=3, backend=BackendType.ZERO_SHOT, progress=lambda *p: seen.append(p)
    )
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert result.stability.runs == 3 and len({run.id for run in result.runs}) == 3
    assert result.stability.role.distinct == 1 and result.stability.role.changed_share == 0.0
    assert service.history.total_count() == 3


def test_tags_are_normalised_filter_history_and_can_be_removed(service, first):
    tagged = service.crafting.tag(first.id, "  Production ")
    assert tagged.tags == ("production",)
    assert service.crafting.tag(first.id, "tested").tags == ("production", "tested")
    found = service.history.query(RunFilter(tag="tested"))
    assert [run.id for run in found] == [first.id]
    assert service.crafting.untag(first.id, "tested").tags == ("production",)
    assert service.history.get(first.id).tags == ("production",)


def test_the_library_holds_the_tagged_keepers(service, first):
    second = service.crafting.refine(first.id, "Shorter").run
    other = service.improve("Write a haiku about rain").run
    service.crafting.keep(second.id)
    service.crafting.keep(other.id)  # a keeper without a tag stays out
    service.crafting.tag(second.id, "production")
    assert [run.id for run in service.crafting.library_runs()] == [second.id]
    assert service.crafting.library_runs("tested") == []
    entries = json.loads(service.crafting.library("json"))
    assert [entry["run_id"] for entry in entries] == [second.id]
    markdown = service.crafting.library("md")
    assert markdown.count(f"\n## {IDEA}") == 1 and "```text\nYou are a senior" in markdown


def test_a_good_run_joins_the_user_trainset_and_few_shot_draws_again(service, first):
    service.runtime().program(BackendType.FEW_SHOT)
    example = service.crafting.add_to_trainset(first.id)
    assert example.source_run_id == first.id
    assert service.runtime().built_backends == set()  # rebuilt, with the new demo, on next use
    assert [e.source_run_id for e in service.crafting.trainset()] == [first.id]
    with pytest.raises(InputError, match="already example 1"):
        service.crafting.add_to_trainset(first.id)
    assert service.crafting.remove_from_trainset(run_id=first.id).idea == IDEA
    assert service.crafting.trainset() == []


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda c, run: c.try_run(999), "No run with id 999."),
        (lambda c, run: c.refine(999, "Shorter"), "No run with id 999."),
        (lambda c, run: c.refine(run.id, "x" * 2001), "the limit is 2,000"),
        (lambda c, run: c.refine(run.id, " \t "), "The feedback is empty"),
        (lambda c, run: c.versions(999), "No run with id 999."),
        (lambda c, run: c.keep(999), "No run with id 999."),
        (lambda c, run: c.stability(IDEA, repeats=0), "1 to 10 times, not 0"),
        (lambda c, run: c.stability(IDEA, repeats=11), "1 to 10 times, not 11"),
        (lambda c, run: c.tag(run.id, "bad\x07tag"), "tag"),
        (lambda c, run: c.tag(999, "production"), "No run with id 999."),
        (lambda c, run: c.untag(run.id, "never-added"), "has no tag 'never-added'"),
        (lambda c, run: c.add_to_trainset(999), "No run with id 999."),
    ],
)
def test_bad_input_is_one_clear_error_and_changes_nothing(service, first, call, message):
    before = (counts(service), service.history.get(first.id), service.crafting.trainset())
    with pytest.raises(InputError, match=message) as error:
        call(service.crafting, first)
    assert "\n" not in str(error.value)
    assert (counts(service), service.history.get(first.id), service.crafting.trainset()) == before
