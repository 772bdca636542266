"""Normalising raw program output and assembling the final prompt."""

import pytest

from promptimp.assembly import (
    APPROACH,
    assemble_prompt,
    detect_language,
    normalise_confidence,
    normalise_framework,
    normalise_guardrails,
    to_improved_prompt,
)
from promptimp.models import FRAMEWORKS
from promptimp.quality import language_of


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (0.8, 0.8),
        ("0.65", 0.65),
        ("85%", 0.85),
        (85, 0.85),
        (-0.2, 0.0),
        (250, 1.0),
        ("high", None),
        (None, None),
        (float("nan"), None),
        (True, None),
    ],
)
def test_confidence_is_clamped_or_none(raw, expected):
    assert normalise_confidence(raw) == expected


def test_guardrails_from_a_list_drop_blanks_bullets_and_duplicates():
    raw = ["- Cite sources", "", "  ", "1. Keep it short", "cite sources", "Use metric units"]
    assert normalise_guardrails(raw) == ("Cite sources", "Keep it short", "Use metric units")


def test_guardrails_from_text_or_json_text():
    assert normalise_guardrails("* one\n* two\n\n* three") == ("one", "two", "three")
    assert normalise_guardrails('["a", "b", "c"]') == ("a", "b", "c")
    assert normalise_guardrails(None) == ()


def test_guardrails_are_capped_at_five():
    assert len(normalise_guardrails([f"rule {n}" for n in range(9)])) == 5


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Chain of Thought", "chain-of-thought"),
        ("tree_of_thoughts", "tree-of-thoughts"),
        ("ReAct", "react"),
        ("Use decomposition here", "decomposition"),
        ("", "chain-of-thought"),
    ],
)
def test_framework_maps_to_a_known_id(raw, expected):
    assert normalise_framework(raw) == expected


def test_language_detection():
    assert detect_language("Diseñar una API para la gestión de usuarios") == "es"
    assert detect_language("Design a REST API for user management") == "en"
    assert detect_language("🚀🚀") == "en"


def test_assembled_prompt_contains_every_part_and_skips_empty_context():
    prompt = assemble_prompt(
        "Senior API designer",
        "Design the endpoints.",
        "decomposition",
        ["No PII", "Use JSON"],
        "",
        "en",
    )
    assert prompt.startswith("You are a senior API designer.")
    assert "## Task\nDesign the endpoints." in prompt
    assert "decomposition" in prompt
    assert "- No PII\n- Use JSON" in prompt
    assert "## Context" not in prompt


def test_spanish_prompt_uses_spanish_headings():
    prompt = assemble_prompt(
        "Chef", "Escribe una receta.", "step-back", ["Sin gluten"], "Cena", "es"
    )
    assert prompt.startswith("Eres chef.")
    assert "## Contexto\nCena" in prompt
    assert "## Restricciones\n- Sin gluten" in prompt


def test_to_improved_prompt_keeps_a_given_prompt_unless_asked_to_assemble():
    fields = {
        "role": "Editor",
        "directive": "Tighten the text.",
        "framework": "self critique",
        "guardrails": ["Keep the voice", "No new facts", "Under 300 words"],
        "reasoning": "Editing task.",
        "confidence": "0.9",
        "improved_prompt": "Free-form prompt from a strong model.",
    }
    kept = to_improved_prompt(fields, "edit my essay", "", assemble=False)
    assert kept.improved_prompt == "Free-form prompt from a strong model."
    assert kept.framework == "self-critique"
    assert kept.confidence == 0.9
    built = to_improved_prompt(fields, "edit my essay", "", assemble=True)
    assert built.improved_prompt.startswith("You are an editor.")
    assert all(rule in built.improved_prompt for rule in fields["guardrails"])


def test_embedded_confidence_is_no_higher_than_the_programs_domain_fit():
    fields = {
        "role": "Senior copy editor for essays",
        "directive": "Edit my essay so it reads clearly and keeps my voice.",
        "framework": "self-critique",
        "guardrails": [
            "Keep the author's voice and change only what is unclear.",
            "Mark every cut or change so the author can review it.",
            "Keep every fact and figure exactly as the author wrote it.",
        ],
        "reasoning": "Editing task.",
    }
    checked = to_improved_prompt(fields, "edit my essay", "", assemble=True)
    unsure = to_improved_prompt({**fields, "domain_fit": 0.55}, "edit my essay", "", assemble=True)
    provider = to_improved_prompt(
        {**fields, "domain_fit": 0.55, "confidence": 0.9, "improved_prompt": "P."},
        "edit my essay",
        "",
        assemble=False,
    )
    assert checked.confidence > 0.55
    assert unsure.confidence == 0.55
    assert provider.confidence == 0.9


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("Senior editor", "You are a senior editor."),
        ("An experienced chef", "You are an experienced chef."),
        ("AWS solutions architect", "You are an AWS solutions architect."),
        ("the lead designer", "You are the lead designer."),
        ("Python developer specialising in testing", "You are a Python developer specialising"),
        ("LinkedIn content strategist", "You are a LinkedIn content strategist."),
        ("Android engineer", "You are an Android engineer."),
    ],
)
def test_english_role_reads_as_a_sentence(role, expected):
    assert assemble_prompt(role, "Do it.", "react", ["x"], "", "en").startswith(expected)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("Redactora de discursos para bodas", "Eres redactora de discursos para bodas."),
        ("Coach de técnicas de estudio", "Eres coach de técnicas de estudio."),
        ("SEO especialista", "Eres SEO especialista."),
        ("Desarrolladora Python sénior", "Eres desarrolladora Python sénior."),
    ],
)
def test_spanish_role_reads_as_a_sentence(role, expected):
    assert assemble_prompt(role, "Hazlo.", "react", ["x"], "", "es").startswith(expected)


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_the_spanish_approach_is_written_in_spanish(framework):
    spanish = APPROACH[framework][1]
    assert language_of(spanish) == "es" and not spanish.startswith(f"Usa {framework}")
