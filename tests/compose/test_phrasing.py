"""The idea as the directive's first sentence."""

from __future__ import annotations

import pytest

from promptimp.compose.phrasing import task_sentence


@pytest.mark.parametrize(
    ("idea", "language", "expected"),
    [
        ("Design a REST API for user management", "en", "Design a REST API for user management."),
        ("write a python script to rename files", "en", "Write a python script to rename files."),
        ("birthday party ideas", "en", "Give birthday party ideas."),
        ("resume tips", "en", "Give resume tips."),
        ("cover letter help", "en", "Help me with a cover letter."),
        ("pytest fixtures explained", "en", "Explain pytest fixtures."),
        ("how to centre a div", "en", "Explain how to centre a div."),
        ("can you review my PR?", "en", "Review my PR."),
        ("I need a logo for my bakery", "en", "Create a logo for my bakery."),
        (
            "onboarding checklist for new hires",
            "en",
            "Write an onboarding checklist for new hires.",
        ),
        ("marketing stuff", "en", "Help me with marketing."),
        ("Give me ideas", "en", "Give me ideas."),
        ("Necesito escribir un correo a mi jefe", "es", "Escribe un correo a mi jefe."),
        ("Necesito un plan de estudio", "es", "Prepara un plan de estudio."),
        ("¿Puedes revisar mi contrato?", "es", "Revisa mi contrato."),
        ("cómo hacer una paella", "es", "Explica cómo hacer una paella."),
        ("Escribe un correo de bienvenida", "es", "Escribe un correo de bienvenida."),
        ("quiero hacer un presupuesto", "es", "Haz un presupuesto."),
    ],
)
def test_task_sentence(idea, language, expected):
    assert task_sentence(idea, language) == expected


@pytest.mark.parametrize(
    ("idea", "expected"),
    [
        ("sumarize this reserch paper for my class", "Summarize this research paper for my class."),
        ("write a fucntion that validates emails", "Write a function that validates emails."),
        # "formual" may be formal or formula: left as written; "shoud" is common on the web
        (
            "excel formual to count unique values",
            "Help me with excel formual to count unique values.",
        ),
        ("refactor the onboarding flow", "Refactor the onboarding flow."),
    ],
)
def test_a_misspelling_with_one_likely_meaning_is_respelt(idea, expected):
    assert task_sentence(idea, "en") == expected
