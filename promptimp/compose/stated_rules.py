"""The rules a person sets in the idea itself ("hard rules: max 100 words, no emojis"), as
guardrails: they are not part of the task (`request_of` leaves them out), but they are the
person's own limits, so the prompt keeps them, each as a whole imperative sentence."""

from __future__ import annotations

import re

from promptimp.quality import IMPERATIVES_EN, IMPERATIVES_ES, stated_rules_of
from promptimp.quality.guardrails import MIN_GUARDRAIL_WORDS

SEPARATORS = re.compile(r"\s*(?:[,;]|\.\s|\band\b|\by\b)\s*", re.I)
ABOUT_THE_PROGRAM = re.compile(
    r"\b(?:as an? ai|language model|modelo de lenguaje|como una? ia)\b", re.I
)
"""A fragment that talks about the assistant itself is framing, not a limit on the answer."""
MOST_EN = re.compile(r"^(?:max(?:imum)?\.?|at most|up to|no more than)\s+", re.I)
UNDER_EN = re.compile(r"^(?:under|less than|fewer than|below)\s+", re.I)
ALWAYS_EN = ("never ", "always ", "don't ", "do not ", "dont ")
MOST_ES = re.compile(r"^(?:m[aá]x(?:imo)?\.?|como m[aá]ximo|hasta|no m[aá]s de)\s+", re.I)
UNDER_ES = re.compile(r"^menos de\s+", re.I)
ONLY = re.compile(r"^(?:only|s[oó]lo)\s+|\s+only$", re.I)
MANNER_EN = re.compile(r"\b(?:tone|style|voice|register)$", re.I)
MANNER_ES = re.compile(r"^(?:tono|estilo|registro)\b", re.I)
IRREGULAR_NEGATIVES = frozenset({"hagas", "pongas", "digas", "tengas", "vayas", "seas", "des"})
MOST_RULES = 3
"""At most this many of the person's rules are kept: the domain's rules fill the rest."""
IN_THE_ANSWER = {"en": "in the answer", "es": "en la respuesta"}


def stated_rules(idea: str, language: str) -> list[str]:
    """The person's rules in the idea, each as a guardrail sentence, in their order."""
    rules: list[str] = []
    for part in stated_rules_of(idea):
        for fragment in SEPARATORS.split(part):
            fragment = fragment.strip(" .:-!").strip()
            if len(fragment) >= 3 and not ABOUT_THE_PROGRAM.search(fragment):
                sentence = (_spanish if language == "es" else _english)(fragment)
                if (
                    len(sentence.split()) < MIN_GUARDRAIL_WORDS
                ):  # "Use only Python." says where it holds
                    sentence = f"{sentence[:-1]} {IN_THE_ANSWER[language]}."
                if sentence not in rules:
                    rules.append(sentence)
    return rules[:MOST_RULES]


def _english(rule: str) -> str:
    lower = rule.lower()
    first = lower.split(" ", 1)[0]
    if match := MOST_EN.match(rule):
        return f"Use at most {rule[match.end() :]}."
    if match := UNDER_EN.match(rule):
        return f"Keep it under {rule[match.end() :]}."
    if ONLY.search(rule):
        rest = ONLY.sub("", rule)
        return f"Write only {rest}." if rest.lower().startswith("in ") else f"Use only {rest}."
    if MANNER_EN.search(rule):
        return f"Keep a {rule} throughout."
    if lower.startswith("no "):
        return f"Do not include {rule[3:]}."
    if lower.startswith(ALWAYS_EN) or first in IMPERATIVES_EN:
        return f"{rule[0].upper()}{rule[1:]}."
    return f"Stick to {rule}."


def _spanish(rule: str) -> str:
    lower = rule.lower()
    first = lower.split(" ", 1)[0]
    if match := MOST_ES.match(rule):
        return f"Usa como máximo {rule[match.end() :]}."
    if match := UNDER_ES.match(rule):
        return f"Usa menos de {rule[match.end() :]}."
    if ONLY.search(rule):
        rest = ONLY.sub("", rule)
        return f"Escribe solo {rest}." if rest.lower().startswith("en ") else f"Usa solo {rest}."
    if MANNER_ES.match(rule):
        return f"Mantén un {rule} en todo el texto."
    if lower.startswith("sin "):
        return f"No incluyas {rule[4:]}."
    if lower.startswith("no "):
        verb = lower[3:].split(" ", 1)[0]
        return f"No {rule[3:]}." if _is_negated_verb(verb) else f"No incluyas {rule[3:]}."
    if lower.startswith(("nunca ", "siempre ")) or first in IMPERATIVES_ES:
        return f"{rule[0].upper()}{rule[1:]}."
    return f"Cíñete a {rule}."


def _is_negated_verb(word: str) -> bool:
    """A verb after "no" ("no uses", "no incluyas"), not a noun ("no emojis", "no listas"): the
    negative of an imperative the lexicon knows ("usa" -> "uses", "incluye" -> "incluyas")."""
    if word in IRREGULAR_NEGATIVES:
        return True
    stem, ending = word[:-2], word[-2:]
    return (ending == "es" and f"{stem}a" in IMPERATIVES_ES) or (
        ending == "as" and f"{stem}e" in IMPERATIVES_ES
    )
