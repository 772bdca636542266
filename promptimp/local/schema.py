"""JSON output schemas tightened for a small model: short spaced prose, item counts, choices.

A grammar made from the tightened schema keeps every field within its length and shape, so the
answer always parses and a 135M model cannot drift into slugs, URLs or a single endless token.
Pure Python: turning the schema into a grammar is the model's job (`promptimp.local.model`).
"""

from __future__ import annotations

from typing import Any

from promptimp.models import FRAMEWORKS, MAX_GUARDRAILS, MIN_GUARDRAILS

WORD_CAPS: dict[str, tuple[int, int]] = {
    "role": (2, 15),
    "directive": (5, 50),
    "reasoning": (4, 40),
    "guardrails": (3, 25),
}
"""(fewest, most) words of each prose field; a list field's cap applies to each item."""
ITEM_COUNTS: dict[str, tuple[int, int]] = {"guardrails": (MIN_GUARDRAILS, MAX_GUARDRAILS)}
CHOICES: dict[str, tuple[str, ...]] = {"framework": FRAMEWORKS}
SCORES = frozenset({"confidence"})
"""Number fields held to 0.00-1.00 in steps of 0.05 (a grammar ignores minimum/maximum)."""
DEFAULT_WORD_CAP = (1, 80)
DEFAULT_ITEM_WORD_CAP = (1, 30)
DEFAULT_MAX_ITEMS = 8
LETTER = r"A-Za-z\u00C0-\u1FFF"
"""Letters of the Latin, Greek, Cyrillic and other alphabetic scripts that space their words."""
WORD_PART = rf"[{LETTER}0-9]{{1,18}}"
WORD_TAIL = rf"(['/-]{WORD_PART}){{0,2}}([.][{LETTER}0-9]{{1,8}})?[)%+]?"
WORD = rf"[(]?{WORD_PART}{WORD_TAIL}"
"""A word of at most 18 letters or digits, joined to at most two more by - / or ', and to a
short one by a dot ("Node.js", "v4.5"): no URLs, slugs or version strings."""
FIRST_WORD = rf"[(]?[{LETTER}][{LETTER}0-9]{{0,17}}{WORD_TAIL}"
"""The first word of a prose field also starts with a letter."""
WORD_GAP = "[,;:.!?]?[ ]"
"""Between two words: one space, after at most one punctuation mark."""


def prose(min_words: int, max_words: int) -> dict[str, Any]:
    """A string schema for natural-language text of `min_words`-`max_words` words.

    Words are short and spaced, so a small model cannot drift into slugs, URLs, code or a
    single endless token; the grammar follows the pattern.
    """
    gaps = f"{{{min_words - 1},{max_words - 1}}}"
    return {"type": "string", "pattern": f"^{FIRST_WORD}({WORD_GAP}{WORD}){gaps}[.!?]?$"}


def tighten_property(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    """One output field's schema with its caps, choices or score steps applied; a field that
    already lists its choices (a Literal) keeps them."""
    kind = schema.get("type")
    if "enum" in schema:
        return {"enum": list(schema["enum"])}
    if name in CHOICES and kind in ("string", None):
        return {"enum": list(CHOICES[name])}
    if name in SCORES and kind in ("number", "integer"):
        return {"type": "number", "enum": [round(step * 0.05, 2) for step in range(21)]}
    if kind == "string" and not ({"enum", "const", "pattern", "format"} & schema.keys()):
        return prose(*WORD_CAPS.get(name, DEFAULT_WORD_CAP))
    items = schema.get("items")
    if kind == "array" and isinstance(items, dict) and items.get("type") == "string":
        least, most = ITEM_COUNTS.get(name, (1, DEFAULT_MAX_ITEMS))
        return {
            "type": "array",
            "items": prose(*WORD_CAPS.get(name, DEFAULT_ITEM_WORD_CAP)),
            "minItems": max(least, schema.get("minItems", 0)),
            "maxItems": min(most, schema.get("maxItems", most)),
        }
    return schema


def tighten_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """An object schema with every property tightened and required, in the given order."""
    properties = {
        name: tighten_property(name, sub) for name, sub in schema.get("properties", {}).items()
    }
    tight = {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }
    if "$defs" in schema:
        tight["$defs"] = schema["$defs"]
    return tight


def response_schema(response_format: dict[str, Any] | None) -> dict[str, Any] | None:
    """The tightened schema an answer must follow, from a request's response_format.

    A json_schema format gives its schema tightened; JSON mode without a schema gives any JSON
    object; no format (or a text one) gives None: free text.
    """
    fmt = response_format or {}
    schema = fmt.get("schema") or (fmt.get("json_schema") or {}).get("schema")
    if schema and schema.get("properties"):
        return tighten_schema(schema)
    if fmt.get("type") in ("json_object", "json_schema"):
        return {"type": "object"}
    return None
