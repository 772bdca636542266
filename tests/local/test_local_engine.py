"""The engine on the real bundled model: grammars, answers, budgets, sharing (mostly slow)."""

import json

import dspy
import pytest
from dspy.lm15 import Config, Message, Request

from eval.metrics import repetition_score
from promptimp.improver import ImprovePromptParts
from promptimp.local.adapter import LocalJSONAdapter
from promptimp.local.engine import LocalEngine, build_local_lm
from promptimp.local.model import gbnf_for
from promptimp.local.schema import response_schema, tighten_schema
from promptimp.models import FRAMEWORKS, MAX_GUARDRAILS, MIN_GUARDRAILS, ModelError
from promptimp.service import ImproveService
from promptimp.settings import Settings
from tests.local.schemas import DSPY_SCHEMA


def test_prose_pattern_becomes_a_grammar_that_forces_spaced_words():
    """The pattern's literal space must stay required in the grammar (a converter quirk once
    merged it with an optional parenthesis)."""
    gbnf = gbnf_for(json.dumps(tighten_schema(DSPY_SCHEMA)))
    assert '" ("?' not in gbnf
    assert "[ ]" in gbnf


def test_tighten_schema_keeps_definitions_for_nested_fields():
    schema = {
        "properties": {"step": {"$ref": "#/$defs/Step"}},
        "$defs": {"Step": {"type": "object", "properties": {"title": {"type": "string"}}}},
    }
    tight = tighten_schema(schema)
    assert tight["properties"]["step"] == {"$ref": "#/$defs/Step"}
    assert tight["$defs"] == schema["$defs"]
    assert "step ::=" in gbnf_for(json.dumps(tight))


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
    engine = build_local_lm(Settings()).engine
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
    engine = build_local_lm(Settings()).engine
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
    engine = build_local_lm(Settings()).engine
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
    first = build_local_lm(Settings())
    second = build_local_lm(Settings(LOCAL_MODEL_PATH=str(first.engine.model.path)))
    assert first is not second
    assert first.engine.llama is second.engine.llama


class RecordingEngine(LocalEngine):
    """The real engine, keeping every request it answers."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.requests: list[Request] = []

    def complete(self, request):
        self.requests.append(request)
        return super().complete(request)


@pytest.mark.slow
def test_the_output_schema_reaches_the_engine_as_data():
    model = build_local_lm(Settings()).engine.model
    engine = RecordingEngine(model, "recorder")
    lm = dspy.LM("local/recorder", engine=engine, cache=False, num_retries=0, max_tokens=200)
    with dspy.context(lm=lm, adapter=LocalJSONAdapter()):
        dspy.Predict(ImprovePromptParts)(original_idea="Plan a trip to Rome", context="")
    fmt = engine.requests[0].config.response_format
    assert list(response_schema(fmt)["properties"]) == list(ImprovePromptParts.output_fields)
