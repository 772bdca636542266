"""The request behind an idea's framing, and the rules a person states in it."""

from __future__ import annotations

import pytest

from promptimp.quality import request_of, stated_rules_of


@pytest.mark.parametrize(
    ("idea", "expected"),
    [
        ("As an AI, tell me how to write unit tests", "tell me how to write unit tests"),
        ("You are an AI assistant. Summarise this email", "Summarise this email"),
        ("hard rules: bullet points only. summarize this article", "summarize this article"),
        ("Explain recursion. Output format rules: JSON only", "Explain recursion"),
        ("Como IA, escribe un poema", "escribe un poema"),
        ("Explain DNS", "Explain DNS"),
    ],
)
def test_request_of_keeps_the_request_behind_it(idea, expected):
    assert request_of(idea) == expected


def test_framing_alone_is_kept_rather_than_emptied():
    assert request_of("As an AI,") == "As an AI,"


@pytest.mark.parametrize(
    ("idea", "asked", "rules"),
    [
        (
            "As an AI, you must follow hard rules: bullet points only, under 150 words. "
            "Summarise the benefits of cycling to work",
            "Summarise the benefits of cycling to work",
            ["bullet points only, under 150 words"],
        ),
        (
            "Write a product description for a mug. hard rules: max 80 words. No emojis.",
            "Write a product description for a mug",
            ["max 80 words. No emojis"],
        ),
        (
            "Reglas: máximo 5 frases. Escribe una invitación para una cena",
            "Escribe una invitación para una cena",
            ["máximo 5 frases"],
        ),
        ("Draft house rules for a shared flat", "Draft house rules for a shared flat", []),
        (
            "Draft house rules: no pets, quiet after 10",
            "Draft house rules: no pets, quiet after 10",
            [],
        ),
        ("Summarise it. Rules: three bullets", "Summarise it", ["three bullets"]),
    ],
)
def test_rules_leave_the_request_and_are_kept_as_stated(idea, asked, rules):
    assert request_of(idea) == asked
    assert stated_rules_of(idea) == rules


def test_an_assistant_job_inside_a_request_is_not_framing():
    idea = "Write a cover letter to work as an assistant manager, retail"
    assert request_of(idea) == idea
