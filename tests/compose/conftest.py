"""A two-domain library written to a tmp dir, for tests of the curated improver's parts."""

from __future__ import annotations

import json

import pytest


def pack(domain: str, keywords: list[str], roles: list[tuple[str, list[str]]], rules) -> dict:
    """One domain's pack, the Spanish half a copy of the English one."""
    half = {
        "keywords": keywords,
        "roles": [{"role": role, "keywords": words} for role, words in roles],
        "guardrails": [{"text": text, "keywords": words} for text, words in rules],
    }
    return {
        "domain": domain,
        "keywords": {"en": half["keywords"], "es": half["keywords"]},
        "roles": {"en": half["roles"], "es": half["roles"]},
        "needs": {"en": f"Cover what {domain} work needs.", "es": f"Cubre lo que {domain} pide."},
        "ask_first": {"en": f"Ask for the {domain} details first.", "es": "Pregunta antes."},
        "guardrails": {"en": half["guardrails"], "es": half["guardrails"]},
    }


BACKEND = pack(
    "backend",
    ["api", "endpoint", "database", "server", "rest"],
    [("Senior backend engineer", []), ("Backend engineer specialising in APIs", ["api", "rest"])],
    [
        ("Return a clear error for every invalid request.", []),
        ("Require authentication on every endpoint that changes data.", ["login", "auth"]),
        ("Paginate every list endpoint with a cursor.", ["list", "pagination"]),
        ("State every assumption about the data model.", []),
    ],
)
BACKEND["task_needs"] = {
    "en": [
        {
            "text": "Give the function, its tests and the inputs it rejects.",
            "keywords": ["function", "validate"],
        }
    ],
    "es": [],
}
COOKING = pack(
    "cooking",
    ["recipe", "dinner", "bake", "cook", "oven", "pasta"],
    [("Professional chef", [])],
    [
        ("Give every quantity in grams and cups.", []),
        ("Name a substitute for each allergen.", ["allergy", "gluten"]),
        ("State the total time and the active time.", []),
    ],
)


@pytest.fixture
def library_dir(tmp_path):
    folder = tmp_path / "domains"
    folder.mkdir()
    for data in (BACKEND, COOKING):
        (folder / f"{data['domain']}.json").write_text(json.dumps(data), encoding="utf-8")
    return folder
