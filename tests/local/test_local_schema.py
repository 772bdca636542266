"""Output schemas tightened for the local model (pure Python, no model)."""

import re

import pytest

from promptimp.local import schema as local_schema
from promptimp.local.schema import response_schema, tighten_schema
from promptimp.models import FRAMEWORKS, MAX_GUARDRAILS, MIN_GUARDRAILS
from tests.local.schemas import DSPY_SCHEMA


def fits(schema: dict, text: str) -> bool:
    return re.fullmatch(schema["pattern"].strip("^$"), text) is not None


def word_cap(schema: dict) -> tuple[int, int]:
    """The fewest and most words a prose field allows, found by trying its pattern."""
    allowed = [count for count in range(1, 120) if fits(schema, " ".join(["word"] * count))]
    assert allowed == list(range(allowed[0], allowed[-1] + 1))
    return allowed[0], allowed[-1]


def test_tighten_schema_caps_each_known_field():
    tight = tighten_schema(DSPY_SCHEMA)
    props = tight["properties"]
    assert list(props) == list(DSPY_SCHEMA["properties"])
    assert tight["required"] == list(DSPY_SCHEMA["properties"])
    assert tight["additionalProperties"] is False
    assert word_cap(props["role"]) == (2, 15)
    assert word_cap(props["directive"]) == (5, 50)
    assert word_cap(props["reasoning"]) == (4, 40)
    assert props["framework"] == {"enum": list(FRAMEWORKS)}
    guardrails = props["guardrails"]
    assert (guardrails["minItems"], guardrails["maxItems"]) == (MIN_GUARDRAILS, MAX_GUARDRAILS)
    assert word_cap(guardrails["items"]) == (3, 25)
    steps = props["confidence"]["enum"]
    assert steps[0] == 0.0 and steps[-1] == 1.0 and all(0.0 <= step <= 1.0 for step in steps)


@pytest.mark.parametrize(
    "text",
    [
        "Senior backend engineer (REST, 10+ years)",
        "Experta en marketing para panaderías",
        "Ingeniera de datos: Python/SQL y Node.js v4.5",
        "Учитель истории для подростков",
        "Don't log tokens; use step-by-step checks!",
    ],
)
def test_prose_pattern_allows_plain_sentences_in_several_scripts(text):
    assert fits(tighten_schema(DSPY_SCHEMA)["properties"]["role"], text)


@pytest.mark.parametrize(
    "text",
    [
        "Developer",  # too few words
        'Say "hi" now',
        "line one\nline two",
        "<b>bold</b> text here",
        "create-table-with-api-key please",  # a slug
        "see https://example.com/docs now",  # a URL
        "version 4.5.0.12 here",
        "ProviderProviderProviderProvider again",  # an endless token
        "two  spaces here",
        "🎉 party planner",
    ],
)
def test_prose_pattern_rejects_markup_slugs_urls_and_endless_words(text):
    assert not fits(tighten_schema(DSPY_SCHEMA)["properties"]["role"], text)


def test_tighten_schema_gives_unknown_fields_generic_caps():
    schema = {
        "properties": {
            "summary": {"type": "string"},
            "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 3},
            "count": {"type": "integer"},
        }
    }
    props = tighten_schema(schema)["properties"]
    assert word_cap(props["summary"]) == local_schema.DEFAULT_WORD_CAP
    assert word_cap(props["tags"]["items"]) == local_schema.DEFAULT_ITEM_WORD_CAP
    assert (props["tags"]["minItems"], props["tags"]["maxItems"]) == (1, 3)
    assert props["count"] == {"type": "integer"}


def test_response_schema_tightens_a_json_schema_format():
    fmt = {"type": "json_schema", "json_schema": {"name": "Out", "schema": DSPY_SCHEMA}}
    assert response_schema(fmt) == tighten_schema(DSPY_SCHEMA)
    assert response_schema({"type": "json_schema", "schema": DSPY_SCHEMA}) == response_schema(fmt)


def test_response_schema_is_any_object_in_json_mode_and_none_for_free_text():
    assert response_schema({"type": "json_object"}) == {"type": "object"}
    assert response_schema({"type": "text"}) is None
    assert response_schema(None) is None


def test_a_field_that_lists_its_choices_keeps_them():
    schema = {
        "properties": {"framework": {"enum": ["step-back", "decomposition"], "type": "string"}}
    }
    assert tighten_schema(schema)["properties"]["framework"] == {
        "enum": ["step-back", "decomposition"]
    }
