"""Parts about something the idea never calls for: a rule for another task, however well written."""

from __future__ import annotations

import pytest

from promptimp.quality.objects import called_for, foreign_objects
from tests.quality_cases import report_for
from tests.test_quality_gold import with_changes

PODCAST = {
    "idea": "Plan the first five episodes of a gardening podcast",
    "context": "Two hosts, thirty minutes per episode, for beginners with a balcony or small yard.",
    "role": "Podcast producer experienced in hobby and lifestyle shows",
    "directive": (
        "Plan the first five episodes of a gardening podcast for beginners with a balcony or small "
        "yard, giving each episode a topic, a guest idea and the one tip listeners should keep."
    ),
    "framework": "decomposition",
    "guardrails": [
        "Give each episode one gardening topic a beginner can try on a balcony",
        "Keep every episode outline within thirty minutes of airtime",
        "Split the speaking turns between the two hosts in each episode",
    ],
}
MIGRATE = {
    "idea": "Move our user table to a new column layout without downtime",
    "context": "PostgreSQL 15, about 40 million rows, the web app writes to the table all day.",
    "role": "Database reliability engineer for PostgreSQL",
    "directive": (
        "Plan a zero-downtime change of the PostgreSQL user table to the new column layout, "
        "with each step, how to backfill 40 million rows and how to roll back."
    ),
    "framework": "decomposition",
    "guardrails": [
        "Add the new columns as nullable first so no write is blocked",
        "Backfill the rows in small batches and measure the lock time of each",
        "Give a rollback step for every change to the table",
    ],
}


def failed(report) -> set[str]:
    return {check.name for check in report.failures}


@pytest.mark.parametrize("case", [PODCAST, MIGRATE], ids=["podcast", "migration"])
def test_parts_about_the_ideas_own_objects_pass(case):
    report = report_for(**case)
    assert report.acceptable, report.summary


@pytest.mark.parametrize(
    ("case", "rule", "thing"),
    [
        (PODCAST, "Give each action item one owner and a due date in the agenda", "a meeting"),
        (PODCAST, "Write the steps in order and name the oven temperature", "a dish or recipe"),
        (MIGRATE, "Keep one point of view and one tense, with no dialogue", "fiction"),
        (MIGRATE, "Follow the combobox pattern with arrow keys and escape", "a combobox"),
    ],
)
def test_a_guardrail_about_an_object_the_idea_never_calls_for_fails(case, rule, thing):
    rules = [*case["guardrails"][:2], rule]
    report = report_for(**with_changes(case, guardrails=rules))
    assert not report.acceptable
    assert "guardrails are about the idea's objects" in failed(report)
    reason = next(c.reason for c in report.failures if c.name.endswith("idea's objects"))
    assert reason.startswith("guardrail 3 is about ") and thing in reason


def test_a_directive_asking_for_an_object_the_idea_never_calls_for_fails():
    directive = (
        "Plan a zero-downtime change of the PostgreSQL user table to the new column layout. "
        "Cover the endpoints, the student learning objective and each step."
    )
    report = report_for(**with_changes(MIGRATE, directive=directive))
    assert "directive asks for the idea's objects" in failed(report)
    assert not report.acceptable


def test_an_object_is_called_for_by_its_name_or_a_word_that_implies_it():
    assert "a meeting" in called_for("Summarise the transcript of our weekly standup")
    assert "a Kubernetes pod" in called_for("Our k8s cluster restarts every night")
    assert foreign_objects("Limit each pod's memory", "Set up a cron job on one VM")
    assert not foreign_objects("Limit each pod's memory", "Tune our Kubernetes cluster")
    # a word that merely starts like an object's name is no mention of it
    assert not foreign_objects("Keep the podcast intro short", "Plan a podcast")


def test_a_vague_idea_may_get_general_rules_when_the_directive_asks_for_the_missing_piece():
    vague = {
        "idea": "polish my essay",
        "context": "",
        "role": "Professional editor and essay writing coach",
        "directive": (
            "Edit the essay for clarity and flow. Ask for the essay, its reader and its word "
            "limit before editing."
        ),
        "framework": "self-critique",
        "guardrails": [
            "Put the main argument in the first paragraph",
            "Cut filler words so every sentence carries meaning",
            "Keep the writer's own voice and choice of examples",
        ],
    }
    assert report_for(**vague).acceptable, report_for(**vague).summary
    no_ask = with_changes(vague, directive="Edit the essay for clarity, flow and a strong ending.")
    assert "guardrails are about the idea" in failed(report_for(**no_ask))


def test_a_role_specialising_in_something_the_idea_never_calls_for_fails():
    good = report_for(**with_changes(MIGRATE, role="Database engineer specialising in PostgreSQL"))
    assert good.acceptable, good.summary
    junk = report_for(
        **with_changes(MIGRATE, role="Database engineer specialising in employee surveys")
    )
    assert "role is about the idea's objects" in failed(junk)
    assert not junk.acceptable


def test_model_training_rules_need_an_idea_about_a_model():
    rule = "Split the training, validation and test data before any tuning"
    churn = with_changes(
        MIGRATE,
        idea="Predict which customers will cancel next month",
        context="Two years of billing history in PostgreSQL",
        directive=(
            "Build a first model that predicts which customers will cancel next month from two "
            "years of billing history, with a baseline and an honest test score."
        ),
        role="Machine learning engineer for customer churn models",
        guardrails=[
            rule,
            "Report the baseline score next to the model's score",
            "Flag every billing field that is only known after a customer cancels",
        ],
    )
    assert report_for(**churn).acceptable, report_for(**churn).summary
    off_task = with_changes(MIGRATE, guardrails=[*MIGRATE["guardrails"][:2], rule])
    assert "guardrails are about the idea's objects" in failed(report_for(**off_task))
