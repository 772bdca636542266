"""The rules a person states in the idea become whole guardrail sentences."""

from __future__ import annotations

import pytest

from promptimp.compose.stated_rules import MOST_RULES, stated_rules
from promptimp.quality.guardrails import MIN_GUARDRAIL_WORDS


@pytest.mark.parametrize(
    ("idea", "language", "expected"),
    [
        (
            "Write a product description. hard rules: max 100 words, no emojis and always "
            "mention the price",
            "en",
            ["Use at most 100 words.", "Do not include emojis.", "Always mention the price."],
        ),
        (
            "As an AI, you must follow hard rules: bullet points only, under 150 words. "
            "Summarise the benefits of cycling",
            "en",
            ["Use only bullet points.", "Keep it under 150 words."],
        ),
        (
            "Output format rules: three bullet points; formal tone. Compare two laptops",
            "en",
            ["Stick to three bullet points.", "Keep a formal tone throughout."],
        ),
        ("rules: only python. parse a log file", "en", ["Use only python in the answer."]),
        (
            "Escribe un poema. Reglas: máximo 8 versos, sin rimas, no uses anglicismos",
            "es",
            [
                "Usa como máximo 8 versos.",
                "No incluyas rimas en la respuesta.",
                "No uses anglicismos en la respuesta.",
            ],
        ),
        (
            "reglas estrictas: tres ideas y tono cercano. ideas para un cumpleaños",
            "es",
            ["Cíñete a tres ideas.", "Mantén un tono cercano en todo el texto."],
        ),
        (
            "Reglas: solo en español, no listas. Resume este texto",
            "es",
            ["Escribe solo en español.", "No incluyas listas en la respuesta."],
        ),
        ("Design a REST API for user management", "en", []),
    ],
)
def test_stated_rules(idea, language, expected):
    assert stated_rules(idea, language) == expected


def test_a_fragment_without_content_words_is_not_kept():
    assert stated_rules("hard rules: only, under. Write a limerick", "en") == []


def test_a_fragment_about_the_assistant_is_not_kept():
    assert stated_rules("hard rules: never say you are a language model. write a poem", "en") == []


def test_only_the_first_rules_are_kept_and_each_is_a_whole_sentence():
    idea = "Write a bio. rules: max 50 words, no jargon, first person, no emojis, one paragraph"
    rules = stated_rules(idea, "en")
    assert len(rules) == MOST_RULES
    assert all(len(rule.split()) >= MIN_GUARDRAIL_WORDS for rule in rules)
