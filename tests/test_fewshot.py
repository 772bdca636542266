"""Few-shot: trainset loading, similarity selection, demos in the prompt, compile/save/load."""

import json
from pathlib import Path

import dspy
import pytest
from dspy.utils import DummyLM

from promptimp.fewshot import (
    DemoSelector,
    FewShotError,
    compile_fewshot,
    load_compiled_demos,
    load_demo_selector,
    load_trainset,
    structural_metric,
)
from promptimp.improver import FewShotImprover, ImprovePrompt, build_program
from promptimp.models import BackendType, PromptImpError
from promptimp.settings import Settings

REAL_TRAINSET = Path(__file__).resolve().parent.parent / "data" / "trainset.jsonl"

MINI = [
    ("React component for a searchable dropdown", "frontend", "en"),
    ("Responsive navbar in React with Tailwind CSS", "frontend", "en"),
    ("React hook that fetches and caches table data", "frontend", "en"),
    ("Design a REST API for user management", "backend", "en"),
    ("PostgreSQL schema for an online shop", "backend", "en"),
    ("Rate limiting middleware for a Node.js API", "backend", "en"),
    ("Short story for children about a brave dragon", "writing", "en"),
    ("Cuento corto para niños sobre un dragón que tiene miedo", "writing", "es"),
    ("Poema sobre el mar para leer en una boda", "writing", "es"),
    ("Diseñar una API REST para gestionar usuarios", "backend", "es"),
]
ANSWER = {
    "role": "Senior frontend engineer",
    "directive": "Build a sortable table component.",
    "framework": "decomposition",
    "guardrails": ["Use TypeScript", "Sort stably", "Keep it accessible"],
    "reasoning": "A table needs a frontend expert.",
    "confidence": 0.8,
    "improved_prompt": "You are a senior frontend engineer. Build a sortable table component.",
}


def row(idea, domain="frontend", language="en", **overrides):
    values = {
        "idea": idea,
        "context": "",
        "role": f"Expert in {domain}",
        "directive": f"Do this precisely: {idea}.",
        "framework": "chain-of-thought",
        "guardrails": ["Be concrete", "Cite sources", "Stay short"],
        "improved_prompt": f"You are an expert in {domain}. Do this precisely: {idea}.",
        "domain": domain,
        "language": language,
    }
    return {**values, **overrides}


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


@pytest.fixture
def mini_path(tmp_path):
    return write_jsonl(tmp_path / "train.jsonl", [row(*item) for item in MINI])


@pytest.fixture
def selector(mini_path):
    return DemoSelector(load_trainset(mini_path), k=3)


def settings_for(tmp_path, trainset, **overrides):
    values = {
        "DSPY_FEWSHOT_TRAINSET_PATH": str(trainset),
        "DSPY_FEWSHOT_COMPILED_PATH": str(tmp_path / "models" / "nested" / "fewshot.json"),
        "LLM_PROVIDER": "local",
    }
    return Settings(_env_file=None, **{**values, **overrides})


# -- loading -------------------------------------------------------------------------------


def test_load_trainset_marks_inputs_and_fills_every_output_field(mini_path):
    examples = load_trainset(mini_path)
    assert len(examples) == len(MINI)
    first = examples[0]
    assert set(first.inputs().keys()) == {"original_idea", "context"}
    assert set(ImprovePrompt.fields) <= set(first.keys())
    assert first.original_idea == "React component for a searchable dropdown"
    assert first.guardrails == ["Be concrete", "Cite sources", "Stay short"]
    assert first.confidence == 0.9
    assert "chain-of-thought" in first.reasoning
    assert (first.domain, first.language) == ("frontend", "en")


def test_bad_json_line_names_path_and_line_number(tmp_path):
    path = tmp_path / "train.jsonl"
    lines = [json.dumps(row("Good idea one")), "", json.dumps(row("Good idea two")), "{oops"]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(FewShotError) as caught:
        load_trainset(path)
    message = str(caught.value)
    assert message.startswith(f"{path} line 4: invalid JSON")
    assert "\n" not in message


def test_invalid_row_names_line_and_field(tmp_path):
    path = write_jsonl(tmp_path / "t.jsonl", [row("Fine idea"), row("Bad", framework="vibes")])
    with pytest.raises(FewShotError, match=r"line 2: framework 'vibes' is not one of"):
        load_trainset(path)
    write_jsonl(path, [row("Too few guardrails", guardrails=["only one"])])
    with pytest.raises(FewShotError, match=r"line 1: 'guardrails' must be a list of 3 to 5"):
        load_trainset(path)


def test_missing_trainset_error_names_path_and_variable(tmp_path):
    missing = tmp_path / "nowhere" / "train.jsonl"
    with pytest.raises(FewShotError) as caught:
        load_demo_selector(settings_for(tmp_path, missing))
    assert isinstance(caught.value, PromptImpError)
    assert str(caught.value) == (
        f"Few-shot trainset not found: {missing} (set DSPY_FEWSHOT_TRAINSET_PATH to a JSONL file)."
    )


# -- selection -----------------------------------------------------------------------------


def test_react_idea_gets_frontend_demos(selector):
    demos = selector("Build a React component for a sortable table", "")
    assert [d.domain for d in demos] == ["frontend"] * 3


def test_spanish_idea_gets_spanish_related_demos(selector):
    demos = selector("Escribir un cuento para niños sobre un gato valiente", "")
    assert demos[0].original_idea.startswith("Cuento corto para niños")
    assert [d.language for d in demos[:2]] == ["es", "es"]


@pytest.mark.parametrize("k", [1, 2, 5, 50])
def test_k_is_respected(mini_path, k):
    selector = DemoSelector(load_trainset(mini_path), k=k)
    assert len(selector("Design an API", "")) == min(k, len(MINI))


def test_ranked_gives_descending_cosines_and_an_exact_match_first(selector):
    ranked = selector.ranked("PostgreSQL schema for an online shop", "", k=len(MINI))
    scores = [score for _, score in ranked]
    assert ranked[0][0].original_idea == "PostgreSQL schema for an online shop"
    assert scores[0] > 0.5 > scores[1]  # a demo is matched on its answer too, so below 1
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 1.0 + 1e-9 for s in scores)


def test_empty_pool_is_refused():
    with pytest.raises(FewShotError, match="pool is empty"):
        DemoSelector([], k=3)


def test_selected_demos_reach_the_lm_prompt(selector):
    program = FewShotImprover(ImprovePrompt, select_demos=selector)
    lm = DummyLM([ANSWER])
    with dspy.context(lm=lm, adapter=dspy.ChatAdapter()):
        prediction = program(original_idea="Build a React component for a sortable table")
    assert prediction.framework == "decomposition"
    assert prediction.guardrails == ANSWER["guardrails"]
    prompt = "\n".join(m["content"] for m in lm.history[-1]["messages"])
    demos = selector("Build a React component for a sortable table", "")
    for demo in demos:
        assert demo.original_idea in prompt
        assert demo.improved_prompt in prompt
    assert "Poema sobre el mar" not in prompt
    shown = sorted(demos, key=lambda demo: prompt.index(demo.original_idea))
    assert shown == demos[::-1]  # the most similar demo comes last, next to the idea


def test_local_parts_program_shows_demos_through_the_json_adapter(selector):
    program = build_program(BackendType.FEW_SHOT, assemble_locally=True, select_demos=selector)
    parts = {k: v for k, v in ANSWER.items() if k != "improved_prompt"}
    lm = DummyLM([parts], adapter=dspy.JSONAdapter())
    with dspy.context(lm=lm, adapter=dspy.JSONAdapter()):
        prediction = program(original_idea="Build a React component for a sortable table")
    assert prediction.role == ANSWER["role"]
    prompt = "\n".join(m["content"] for m in lm.history[-1]["messages"])
    assert "React component for a searchable dropdown" in prompt


# -- compiling -----------------------------------------------------------------------------


def test_labeled_compile_save_load_round_trip(tmp_path, mini_path):
    settings = settings_for(tmp_path, mini_path)
    calls = []
    path = compile_fewshot(settings, progress=lambda done, total: calls.append((done, total)))
    assert path == Path(settings.DSPY_FEWSHOT_COMPILED_PATH)
    assert path.is_file()
    assert calls == [(0, len(MINI)), (len(MINI), len(MINI))]
    loaded = load_compiled_demos(path)
    expected = load_trainset(mini_path)
    assert [d.toDict() for d in loaded] == [d.toDict() for d in expected]
    assert set(loaded[0].inputs().keys()) == {"original_idea", "context"}


def test_compiled_pool_is_preferred_over_the_trainset(tmp_path, mini_path):
    compile_fewshot(settings_for(tmp_path, mini_path))
    other = write_jsonl(tmp_path / "other.jsonl", [row("Unrelated gardening idea", "home")] * 3)
    selector = load_demo_selector(settings_for(tmp_path, other, DSPY_FEWSHOT_K=2))
    assert len(selector) == len(MINI)
    assert selector.k == 2


def test_local_provider_with_an_lm_compiles_labeled_without_calling_it(tmp_path, mini_path):
    lm = DummyLM([])
    path = compile_fewshot(settings_for(tmp_path, mini_path), lm=lm)
    assert lm.history == []
    assert len(load_compiled_demos(path)) == len(MINI)


def test_bootstrap_with_a_strong_provider_keeps_demos_passing_the_metric(tmp_path, mini_path):
    settings = settings_for(
        tmp_path,
        mini_path,
        LLM_PROVIDER="openai",
        DSPY_MAX_BOOTSTRAPPED_DEMOS=2,
        DSPY_MAX_LABELED_DEMOS=3,
    )
    bad = {**ANSWER, "framework": "vibes"}
    lm = DummyLM([bad, ANSWER, ANSWER] + [ANSWER] * 10)
    calls = []
    path = compile_fewshot(settings, lm=lm, progress=lambda d, t: calls.append((d, t)))
    assert len(lm.history) == 3  # stops once two traces passed the metric
    assert calls == [(0, 10), (1, 10), (2, 10), (3, 10), (10, 10)]
    demos = load_compiled_demos(path)
    assert len(demos) == 3  # 2 bootstrapped + 1 labeled, up to DSPY_MAX_LABELED_DEMOS
    assert [d.get("augmented", False) for d in demos] == [True, True, False]
    assert [d.original_idea for d in demos[:2]] == [MINI[1][0], MINI[2][0]]
    assert demos[0].guardrails == ANSWER["guardrails"]
    assert demos[0].improved_prompt == ANSWER["improved_prompt"]


def test_structural_metric():
    good = dspy.Prediction(**ANSWER)
    assert structural_metric(None, good) is True
    assert structural_metric(None, dspy.Prediction(**{**ANSWER, "framework": "x"})) is False
    assert structural_metric(None, dspy.Prediction(**{**ANSWER, "guardrails": ["a"]})) is False
    assert structural_metric(None, dspy.Prediction(**{**ANSWER, "role": " "})) is False


def test_unreadable_compiled_file_names_the_path(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    with pytest.raises(FewShotError, match=f"Cannot load compiled few-shot program {path}"):
        load_compiled_demos(path)


# -- the real trainset ---------------------------------------------------------------------


def test_real_trainset_loads_and_mixes_languages():
    examples = load_trainset(REAL_TRAINSET)
    assert len(examples) >= 220
    assert len({e.domain for e in examples}) >= 28
    assert 0.25 <= sum(e.language == "es" for e in examples) / len(examples) <= 0.3


def test_real_trainset_react_idea_gets_react_demos():
    selector = DemoSelector(load_trainset(REAL_TRAINSET), k=3)
    demos = selector("Build a React component for a sortable table", "")
    assert sum("react" in d.original_idea.lower() for d in demos) >= 2


def test_real_trainset_spanish_idea_gets_spanish_demos():
    selector = DemoSelector(load_trainset(REAL_TRAINSET), k=3)
    demos = selector("Escribir un cuento infantil sobre un gato que quiere volar", "")
    assert demos[0].language == "es"
    assert [d.language for d in demos].count("es") >= 2
