"""Prompts shared by the quality and metric tests: a good one, and each junk shape seen."""

from __future__ import annotations

from promptimp.assembly import assemble_prompt
from promptimp.quality import check_prompt, language_of

IDEA = "Design a REST API for user management"
CONTEXT = "FastAPI backend with PostgreSQL"
GOOD = {
    "role": "Senior backend engineer specialising in REST API design",
    "directive": (
        "Design a versioned REST API for user management in FastAPI, listing every endpoint "
        "with its method, path, request body, response schema and status codes."
    ),
    "framework": "decomposition",
    "guardrails": [
        "Use plural resource nouns and HTTP verbs, with no verbs in the paths",
        "Never return password hashes or tokens in any user response",
        "Specify cursor pagination for every list endpoint",
        "Map each error case to a status code and one shared JSON error shape",
    ],
}


def report_for(idea: str = IDEA, context: str = CONTEXT, demos=(), **changes):
    """The report of GOOD with `changes`, the prompt assembled like the embedded path does."""
    fields = {**GOOD, **changes}
    language = "es" if language_of(idea) == "es" else "en"
    prompt = fields.pop("improved_prompt", None) or assemble_prompt(
        fields["role"],
        fields["directive"],
        fields["framework"],
        fields["guardrails"],
        context,
        language,
    )
    return check_prompt(idea, context, improved_prompt=prompt, demos=demos, **fields)


JUNK_SHAPES: list[tuple[dict, str]] = [
    # generic roles
    ({"role": "Developer of the idea"}, "role is a profession"),
    ({"role": "Developer of the AI assistant"}, "role is a profession"),
    ({"role": "Developer of the FastAPI team"}, "role is a profession"),
    ({"role": "Developer of the portfolio"}, "role is a profession"),
    ({"role": "Expert, 4-15 words"}, "role is specific"),
    ({"role": "AI assistant"}, "role is a profession"),
    # roles from another trade
    ({"role": "Physiotherapist specialising in sports injuries"}, "role fits the idea's trade"),
    ({"role": "Professional football player"}, "role fits the idea's trade"),
    # directives
    (
        {"directive": "create-table-with constraints (10, 2) (456789)"},
        "directive is an instruction",
    ),
    ({"directive": "Design a REST API for user"}, "directive is whole"),
    (
        {"directive": "Reduce the number of SQL queries on the Django orders page below ten."},
        "directive covers the idea",
    ),
    # noise
    (
        {"directive": "Design the user API logged at 2019-08-31T07: 5: 46"},
        "no timestamps or digit runs",
    ),
    (
        {"directive": "create-table-with constraints (10, 2) (456789)"},
        "no timestamps or digit runs",
    ),
    (
        {"guardrails": [*GOOD["guardrails"][:2], "Keep the user list in dropdown.jsx files"]},
        "no file names, domains or URLs",
    ),
    (
        {"guardrails": [*GOOD["guardrails"][:2], "Host the user API docs on anjalica.com"]},
        "no file names, domains or URLs",
    ),
    (
        {"guardrails": [*GOOD["guardrails"][:2], "Link the docs at https://example.org/api"]},
        "no file names, domains or URLs",
    ),
    (
        {
            "guardrails": [
                *GOOD["guardrails"][:2],
                "use-static-cache: true; cache: false; use-local-memory: true; use-jquery",
            ]
        },
        "no key: value lists",
    ),
    (
        {
            "guardrails": [
                *GOOD["guardrails"][:2],
                "language: php; version: 1.4; type: string; role: chen-fang-cai",
            ]
        },
        "no key: value lists",
    ),
    (
        {"guardrails": [*GOOD["guardrails"][:2], "Use useFastAPIwithFet for every user route"]},
        "no glued words",
    ),
    (
        {"guardrails": [*GOOD["guardrails"][:2], "Use use-react-tablet for the user API"]},
        "no slugs",
    ),
    (
        {
            "directive": "Design the user API with chain-of-thought 1.0. This is a JSON object "
            "with these output fields"
        },
        "no program words or placeholders",
    ),
    # guardrails
    (
        {"guardrails": ["REST API endpoints", "User management", "PostgreSQL"]},
        "guardrails are instructions",
    ),
    (
        {
            "guardrails": [
                GOOD["guardrails"][0],
                GOOD["guardrails"][0] + ".",
                "Use plural resource nouns and HTTP verbs with no verbs in any path",
            ]
        },
        "guardrails are distinct",
    ),
    (
        {
            "guardrails": [
                "Debounce the search input by 300 ms",
                "Keep the tone warm and friendly",
                "Ask one open question at a time",
            ]
        },
        "guardrails are about the idea",
    ),
]
"""(changes to GOOD, the check that must fail): every junk shape quoted in the issue."""
