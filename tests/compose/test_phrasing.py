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
        (
            "Should we build or buy our analytics tool? 🤔",
            "en",
            "Answer this question: should we build or buy our analytics tool?",
        ),
        ("¿Vale la pena un máster?", "es", "Responde a esta pregunta: ¿Vale la pena un máster?"),
    ],
)
def test_task_sentence(idea, language, expected):
    assert task_sentence(idea, language) == expected


@pytest.mark.parametrize(
    ("idea", "expected"),
    [
        ("sumarize this reserch paper for my class", "Summarize this research paper for my class."),
        ("write a fucntion that validates emails", "Write a function that validates emails."),
        ("wirte a fucntion in python", "Write a function in python."),
        # two swapped letters first: "formual" is formula, not the nearer "formal"
        (
            "excel formual to count unique values",
            "Help me with excel formula to count unique values.",
        ),
        # a slip common enough on the web to be a word of its own stays as written
        ("weekend in lisbon what shoud i do", "Help me with weekend in lisbon what shoud i do."),
        ("refactor the onboarding flow", "Refactor the onboarding flow."),
    ],
)
def test_a_misspelling_with_one_likely_meaning_is_respelt(idea, expected):
    assert task_sentence(idea, "en") == expected
