"""The bundled domain library (data/domains/): every domain of the trainset, every line in form.

Form is what the library promises the composed prompt: roles are profession phrases, guardrails
whole imperative sentences free of the noise the quality checks look for. Relevance to a given
idea is not promised here: the quality verdict and the labeled outputs measure that.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from promptimp.compose.library import LANGUAGES, load_library
from promptimp.quality import IMPERATIVES, is_real_word, plain

ROOT = Path(__file__).resolve().parents[2]
LIBRARY = load_library(ROOT / "data" / "domains")
NOISE = re.compile(r"[0-9:;\"()/\\]|\b(?:AI|JSON|prompt|assistant|language model)\b")
PACKS = [pytest.param(pack, id=pack.domain) for pack in LIBRARY]


def test_every_trainset_domain_has_a_pack():
    rows = (ROOT / "data" / "trainset.jsonl").read_text(encoding="utf-8").splitlines()
    domains = {json.loads(row)["domain"] for row in rows if row.strip()}
    assert domains <= set(LIBRARY.domains)


@pytest.mark.parametrize("pack", PACKS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_guardrails_are_whole_imperative_sentences(pack, language):
    rules = pack.guardrails.get(language)
    assert len(rules) >= 8 and sum(not rule.keywords for rule in rules) >= 3
    texts = [rule.text for rule in rules]
    assert len({plain(text) for text in texts}) == len(texts)
    for text in texts:
        assert plain(text.split()[0]) in IMPERATIVES, text
        assert text.endswith(".") and 5 <= len(text.split()) <= 22, text
        assert not NOISE.search(text), text


@pytest.mark.parametrize("pack", PACKS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_roles_are_profession_phrases_the_first_one_broad(pack, language):
    roles = pack.roles.get(language)
    assert roles[0].keywords == [] and all(role.keywords for role in roles[1:])
    for role in roles:
        assert 2 <= len(role.role.split()) <= 12 and not NOISE.search(role.role), role.role
        spelled = re.findall(r"[^\W\d_]+", role.role)
        unknown = [word for word in spelled if not word.isupper() and not is_real_word(word)]
        assert len(unknown) <= 1, role.role  # wordfreq lacks some long words: refactorización


@pytest.mark.parametrize("pack", PACKS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_needs_and_ask_first_are_one_imperative_sentence(pack, language):
    task_needs = [need.text for need in pack.task_needs.get(language)]
    assert all(need.keywords for need in pack.task_needs.get(language))
    for text in (pack.needs.get(language), pack.ask_first.get(language), *task_needs):
        assert plain(text.split()[0]) in IMPERATIVES and text.endswith("."), text
        assert text.count(". ") == 0 and not NOISE.search(text), text
