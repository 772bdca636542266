"""The curated domain library: loading, clear errors, ranking, and the domain classifier."""

from __future__ import annotations

import json

import pytest

from promptimp.compose.domains import DomainClassifier
from promptimp.compose.library import LibraryError, idea_terms, load_library


def test_loads_every_pack_by_domain(library_dir):
    library = load_library(library_dir)
    assert library.domains == ["backend", "cooking"]
    assert library["cooking"].roles.get("en")[0].role == "Professional chef"


def test_role_follows_the_ideas_key_words_else_the_default(library_dir):
    backend = load_library(library_dir)["backend"]
    assert backend.role_for(idea_terms("Design a REST API"), "en") == (
        "Backend engineer specialising in APIs"
    )
    assert backend.role_for(idea_terms("Tune the database"), "en") == "Senior backend engineer"


def test_guardrails_matched_first_then_broad_ones_in_library_order(library_dir):
    backend = load_library(library_dir)["backend"]
    rules = backend.guardrails_for(idea_terms("Add login and auth to the users API"), "en", count=3)
    assert rules == [
        "Require authentication on every endpoint that changes data.",
        "Return a clear error for every invalid request.",
        "State every assumption about the data model.",
    ]


def test_a_sub_topic_need_the_idea_calls_for_replaces_the_broad_need(library_dir):
    backend = load_library(library_dir)["backend"]
    assert backend.needs_for(idea_terms("Write a function that validates emails"), "en") == (
        "Give the function, its tests and the inputs it rejects."
    )
    assert backend.needs_for(idea_terms("Design a REST API"), "en") == backend.needs.get("en")
    assert backend.needs_for(idea_terms("Escribe una función"), "es") == backend.needs.get("es")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "invalid JSON"),
        (json.dumps({"domain": "xy"}), "keywords"),
    ],
)
def test_a_bad_file_is_named_in_one_line(library_dir, content, message):
    bad = library_dir / "zz-bad.json"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(LibraryError) as caught:
        load_library(library_dir)
    text = str(caught.value)
    assert "zz-bad.json" in text and message in text and "\n" not in text


def test_an_empty_folder_is_an_error(tmp_path):
    with pytest.raises(LibraryError, match="no domain files"):
        load_library(tmp_path)


def test_a_one_domain_folder_is_an_error(library_dir):
    (library_dir / "cooking.json").unlink()
    with pytest.raises(LibraryError, match="has one domain; an idea is placed among two or more"):
        load_library(library_dir)


def test_classifier_picks_the_domain_whose_words_the_idea_uses(library_dir):
    classifier = DomainClassifier(load_library(library_dir))
    assert classifier("Bake a gluten free pasta dinner")[0] == "cooking"
    assert classifier("Rate limits for a REST endpoint")[0] == "backend"


def test_what_is_asked_for_outweighs_what_it_is_for(library_dir):
    classifier = DomainClassifier(load_library(library_dir))
    assert classifier("pasta recipe for the api server database")[0] == "cooking"
    assert classifier("pasta recipe, api server database")[0] == "backend"


def test_a_role_or_rule_written_for_one_tool_needs_the_idea_to_name_it(library_dir):
    backend = load_library(library_dir)["backend"]
    typed = backend.guardrails.get("en")[1].model_copy(update={"requires": ["django", "rails"]})
    assert typed.calls(idea_terms("Add login and auth to the Django API"))
    assert typed.calls(idea_terms("Add login and auth to the Rails API"))
    assert not typed.calls(idea_terms("Add login and auth to the Spring Boot API"))


def test_examples_join_their_domains_document(library_dir):
    library = load_library(library_dir)
    idea = "sourdough starter schedule"
    assert DomainClassifier(library)(idea)[1] == 0.0
    example = {"idea": "Feed a sourdough starter", "domain": "cooking", "guardrails": []}
    assert DomainClassifier(library, [example])(idea)[0] == "cooking"


def test_one_coincidental_word_pulls_neither_a_specialist_nor_a_sub_topic_rule(library_dir):
    backend = load_library(library_dir)["backend"]
    terms = idea_terms("Speed up the login page")
    assert backend.role_for(terms, "en") == "Senior backend engineer"
    assert backend.guardrails_for(terms, "en", count=2) == [
        "Return a clear error for every invalid request.",
        "State every assumption about the data model.",
    ]


def test_a_packs_everyday_examples_teach_the_classifier(tmp_path):
    from tests.compose.conftest import BACKEND, COOKING

    folder = tmp_path / "domains"
    folder.mkdir()
    taught = {**COOKING, "examples": {"en": ["what can I make with leftover rice"], "es": []}}
    for data in (BACKEND, taught):
        (folder / f"{data['domain']}.json").write_text(json.dumps(data), encoding="utf-8")
    library = load_library(folder)
    assert library["backend"].examples.en == []
    assert DomainClassifier(library)("leftover rice ideas")[0] == "cooking"
