"""The quality checks pass a hand-made good prompt and fail every junk shape seen in the wild."""

from __future__ import annotations

import pytest

from promptimp.assembly import assemble_prompt
from promptimp.quality import (
    ACCEPTABLE_FLOOR,
    CONFIDENT,
    JUNK_CEILING,
    Check,
    check_run,
    correct_spelling,
    is_real_word,
    key_terms,
    language_of,
    score_of,
)
from tests.quality_cases import CONTEXT, GOOD, IDEA, JUNK_SHAPES, report_for


def failed(report) -> set[str]:
    return {check.name for check in report.failures}


def test_a_specific_well_formed_prompt_is_acceptable():
    report = report_for()
    assert report.acceptable, report.summary
    assert report.score >= ACCEPTABLE_FLOOR
    assert failed(report) == set()


def test_a_good_spanish_prompt_is_acceptable():
    report = report_for(
        idea="Escribe un correo de bienvenida para nuevos clientes",
        context="Tienda online de café de especialidad",
        role="Redactora de email marketing especializada en comercio electrónico",
        directive=(
            "Escribe un correo de bienvenida para los nuevos clientes de una tienda online de "
            "café que presente la marca, explique el primer pedido y ofrezca ayuda."
        ),
        framework="self-critique",
        guardrails=[
            "Mantén el correo por debajo de 150 palabras",
            "Usa un tono cálido y cercano, tuteando al cliente",
            "Incluye una sola llamada a la acción hacia la tienda",
        ],
    )
    assert report.acceptable, report.summary


def test_negative_instructions_and_feminine_spanish_professions_are_read_as_such():
    english = report_for(
        guardrails=[*GOOD["guardrails"][:3], "Do not expose internal user ids in any URL"]
    )
    assert english.acceptable, english.summary
    spanish = report_for(
        idea="Receta de pan de masa madre para principiantes",
        context="",
        role="Panadera artesana especializada en masa madre",
        directive=(
            "Escribe una receta de pan de masa madre para principiantes con cantidades en"
            " gramos, tiempos de fermentación y señales para saber cuándo está listo."
        ),
        framework="decomposition",
        guardrails=[
            "Explica cada paso con palabras sencillas para quien nunca ha horneado",
            "Indica la temperatura del horno y el tiempo de cocción del pan",
            "No uses levadura comercial en ningún paso de la receta",
        ],
    )
    assert "role is a profession" not in failed(spanish), spanish.summary


@pytest.mark.parametrize(("changes", "check"), JUNK_SHAPES)
def test_each_junk_shape_fails_its_check(changes, check):
    report = report_for(**changes)
    assert check in failed(report), report.summary
    assert not report.acceptable
    assert report.score <= JUNK_CEILING


def test_a_guardrail_copied_from_an_unrelated_demo_fails():
    debounce = "Debounce the search input by 300 ms so typing never blocks the list"
    report = report_for(
        guardrails=[*GOOD["guardrails"][:3], debounce],
        demos=[("React component for a searchable dropdown", debounce)],
    )
    assert "guardrails not copied from an unrelated example" in failed(report)
    assert not report.acceptable


def test_a_guardrail_shared_with_a_related_demo_is_fine():
    rule = GOOD["guardrails"][1]
    report = report_for(demos=[("Design a REST API for user management", rule)])
    assert "guardrails not copied from an unrelated example" not in failed(report)


WILD_JUNK: dict[str, tuple[dict, set[str]]] = {
    # 'Summarise a meeting transcript into action items' came back as a jet-lag prompt
    "a demo copied whole onto another idea": (
        {
            "idea": "Summarise a meeting transcript into action items",
            "role": "Clinical pharmacist who summarises evidence for travellers and clinicians",
            "directive": (
                "Summarise the clinical evidence on melatonin for preventing and treating jet"
                " lag, including effective doses and timing."
            ),
            "framework": "react",
            "guardrails": [
                "Distinguish eastward from westward travel when giving timing advice",
                "Rely on systematic reviews rather than single small trials",
                "Note drug interactions, including with warfarin",
            ],
        },
        {"directive covers the idea", "guardrails are about the idea"},
    ),
    "a Stripe webhook prompt for a welcome email": (
        {
            "idea": "Escribe un correo de bienvenida para nuevos clientes",
            "role": "Ingeniero backend sénior especializado en integraciones de pagos",
            "directive": (
                "Diseña e implementa un endpoint de FastAPI que reciba webhooks de Stripe y "
                "verifique la firma."
            ),
            "framework": "chain-of-thought",
            "guardrails": [
                "Verifica la firma con el secreto del endpoint antes de procesar el evento",
                "Guarda el id de cada evento procesado para ignorar los reintentos",
                "No registres en los logs datos de tarjeta",
            ],
        },
        {"directive covers the idea", "role fits the idea's trade"},
    ),
    "an injection-like idea echoed back": (
        {
            "idea": "As an AI, write a function that reverses a linked list",
            "role": "Developer of AI, AI assistant for AI developers",
            "directive": "As an AI, write a function that reverses a linked list in Python.",
            "guardrails": [
                "Follow the hard rules of the output",
                "Explain each step of the linked list reversal",
                "Return the new head of the reversed list",
            ],
        },
        {"no injection echo", "role is a profession"},
    ),
    "fluent Spanish nonsense": (
        {
            "idea": "Formulario de registro accesible en React",
            "role": "Desarrolladora frontend especializada en accesibilidad web",
            "directive": (
                "Componente de la forma de componentes y el cual es un componente de la forma"
            ),
            "guardrails": [
                "Usa etiquetas visibles para cada campo del formulario",
                "Muestra los errores junto al campo que los causa",
                "Permite completar el formulario solo con el teclado",
            ],
        },
        {"directive is an instruction", "no word loops"},
    ),
}
"""Bad prompts seen in the wild (no context given), with the checks each must fail."""


@pytest.mark.parametrize(("fields", "checks"), WILD_JUNK.values(), ids=WILD_JUNK.keys())
def test_a_bad_prompt_from_the_wild_fails_its_checks(fields, checks):
    report = report_for(context="", **fields)
    assert checks <= failed(report), report.summary
    assert not report.acceptable
    assert report.score <= JUNK_CEILING


def test_a_prompt_in_the_wrong_language_fails():
    report = report_for(idea="Diseñar una API para gestionar los usuarios de la empresa")
    assert "idea's language" in failed(report)


def test_non_words_fail():
    report = report_for(
        guardrails=[
            "Use plural resource nouns",
            "Never retrun pasword hashse to the clinet",
            "Specify gorblax pagination for every flenderwick endpoint of the zorpa users",
        ]
    )
    assert "real words" in failed(report)


def test_a_misspelt_word_copied_from_the_idea_fails():
    idea = "sumarize this reserch paper for my class"
    report = report_for(
        idea=idea,
        context="",
        role="Science writer who summarises papers in plain language",
        directive="Summarize this reserch paper for my class in plain words, by its question, "
        "method, main finding and key limitation.",
        guardrails=[
            "Summarise the paper by its question, method, main finding and key limitation.",
            "Never invent citations, authors or figures that the paper does not give.",
            "Explain every technical term the first time it appears in the summary.",
        ],
    )
    assert "no misspelt words" in failed(report)
    assert "'reserch' is copied from the idea misspelt ('research')" in {
        check.reason for check in report.failures
    }


@pytest.mark.parametrize("word", ["refactor", "onboarding", "paginación", "pytest", "dbt", "ok"])
def test_rare_real_words_and_names_are_no_misspellings(word):
    assert correct_spelling(word) == ""


@pytest.mark.parametrize(
    ("word", "meant"), [("reserch", "research"), ("fucntion", "function"), ("custmer", "customer")]
)
def test_misspellings_are_read_as_the_common_word_they_miss(word, meant):
    assert correct_spelling(word) == meant


def test_structural_checks_are_reported_but_carry_no_weight():
    weighted = [Check("a", True, "ok"), Check("b", True, "ok")]
    with_structural = [*weighted, Check("c", True, "ok", structural=True)]
    assert score_of(weighted) == score_of(with_structural)
    report = report_for(guardrails=GOOD["guardrails"][:2])
    assert "3-5 guardrails" in failed(report)
    assert not report.acceptable


def test_a_provider_prompt_missing_its_parts_fails_the_structural_check():
    report = report_for(improved_prompt="You are an engineer. Do the task.")
    assert "prompt holds every part" in failed(report)


def test_the_score_bands_follow_the_verdict():
    assert score_of([Check("a", True, "ok", value=0.6)]) == (True, pytest.approx(0.88))
    assert score_of([Check("a", True, "ok"), Check("b", False, "no")]) == (
        False,
        pytest.approx(0.2),
    )


def test_word_helpers():
    assert key_terms("Diseñar los usuarios") == {"disen", "usuar"}
    assert is_real_word("engineer") and is_real_word("ingeniero")
    assert not is_real_word("flenderwick")
    assert language_of("Escribe un correo de bienvenida") == "es"
    assert language_of("Write a welcome email") == "en"


def test_every_check_has_a_reason_a_person_can_read():
    report = report_for(role="AI assistant")
    assert all(check.reason for check in report.checks)
    assert "AI assistant" in report.summary


def test_the_embedded_model_shows_the_checks_score_as_confidence():
    from promptimp.assembly import to_improved_prompt

    good = {**GOOD, "confidence": 0.5}
    junk = {**good, "role": "Developer of the idea", "confidence": 1.0}
    built_good = to_improved_prompt(good, IDEA, CONTEXT, assemble=True)
    built_junk = to_improved_prompt(junk, IDEA, CONTEXT, assemble=True)
    assert built_good.confidence == report_for().score >= ACCEPTABLE_FLOOR
    assert built_junk.confidence == report_for(role="Developer of the idea").score
    assert built_junk.confidence <= JUNK_CEILING
    hosted = to_improved_prompt({**junk, "improved_prompt": "x"}, IDEA, CONTEXT, assemble=False)
    assert hosted.confidence == 1.0  # a provider's own confidence is kept as stated


def _stored_run(model_version: str, confidence: float):
    from promptimp.models import BackendType, PromptRun

    good = report_for()
    assert good.acceptable
    return PromptRun(
        original_idea=IDEA,
        context=CONTEXT,
        improved_prompt=assemble_prompt(
            GOOD["role"], GOOD["directive"], GOOD["framework"], GOOD["guardrails"], CONTEXT, "en"
        ),
        role=GOOD["role"],
        directive=GOOD["directive"],
        framework=GOOD["framework"],
        guardrails=tuple(GOOD["guardrails"]),
        backend=BackendType.ZERO_SHOT,
        confidence=confidence,
        model_version=model_version,
    )


def test_an_unsure_embedded_model_prompt_is_not_acceptable_however_well_formed():
    unsure = check_run(_stored_run("local/smollm2-135m-instruct", 0.55))
    assert not unsure.acceptable
    assert failed(unsure) == {"confident"}
    assert "confidence 0.55 (under 0.90)" in unsure.failures[0].reason
    sure = check_run(_stored_run("local/smollm2-135m-instruct", CONFIDENT))
    assert sure.acceptable and "confident" in {check.name for check in sure.checks}


def test_a_providers_stated_confidence_does_not_weigh_in_the_verdict():
    report = check_run(_stored_run("openai/gpt-4o-mini", 0.1))
    assert report.acceptable
    assert "confident" not in {check.name for check in report.checks}
