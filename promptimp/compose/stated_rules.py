"""The rules a person sets in the idea itself ("hard rules: max 100 words, no emojis"), as
guardrails: they are not part of the task (`request_of` leaves them out), but they are the
person's own limits, so the prompt keeps them, each as a whole imperative sentence."""

from __future__ import annotations

import re

from promptimp.quality import IMPERATIVES_EN, IMPERATIVES_ES, key_terms, stated_rules_of
from promptimp.quality.guardrails import MIN_GUARDRAIL_WORDS
from promptimp.quality.patterns import INJECTION_ECHO

SEPARATORS = re.compile(r"\s*(?:[,;]|\.\s|\band\b|\by\b)\s*", re.I)
MOST_RULES = 3
"""At most this many of the person's rules are kept: the domain's rules fill the rest."""


def _forms(*pairs: tuple[str, str]) -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(pattern, re.I), template) for pattern, template in pairs)


PHRASINGS = {
    "en": _forms(
        (r"^(?:max(?:imum)?\.?|at most|up to|no more than)\s+(.+)", "Use at most {}."),
        (r"^(?:under|less than|fewer than|below)\s+(.+)", "Keep it under {}."),
        (r"^only\s+(in\s.+)|^(in\s.+?)\s+only$", "Write only {}."),
        (r"^only\s+(.+)|^(.+?)\s+only$", "Use only {}."),
        (r"^(.*\b(?:tone|style|voice|register))$", "Keep a {} throughout."),
        (r"^no\s+(.+)", "Do not include {}."),
    ),
    "es": _forms(
        (r"^(?:m[aá]x(?:imo)?\.?|como m[aá]ximo|hasta|no m[aá]s de)\s+(.+)", "Usa como máximo {}."),
        (r"^menos de\s+(.+)", "Usa menos de {}."),
        (r"^s[oó]lo\s+(en\s.+)", "Escribe solo {}."),
        (r"^s[oó]lo\s+(.+)", "Usa solo {}."),
        (r"^((?:tono|estilo|registro)\b.*)", "Mantén un {} en todo el texto."),
        (r"^(?:sin|no)\s+(.+)", "No incluyas {}."),
    ),
}
"""Per language, the forms a stated rule takes ('max 100 words') and the sentence it becomes,
tried in order."""
FALLBACK = {"en": "Stick to {}.", "es": "Cíñete a {}."}
COMMANDS = {
    "en": IMPERATIVES_EN | {"never", "always", "don't", "dont", "do"},
    "es": IMPERATIVES_ES | {"nunca", "siempre"},
}
"""First words of a rule that already says what to do."""
IRREGULAR_NEGATIVES = frozenset({"hagas", "pongas", "digas", "tengas", "vayas", "seas", "des"})
IN_THE_ANSWER = {"en": "in the answer", "es": "en la respuesta"}


def stated_rules(idea: str, language: str) -> list[str]:
    """The person's rules in the idea, each as a guardrail sentence, in their order."""
    language = "es" if language == "es" else "en"
    rules: list[str] = []
    for part in stated_rules_of(idea):
        for fragment in SEPARATORS.split(part):
            fragment = fragment.strip(" .:-!").strip()
            if not key_terms(fragment) or INJECTION_ECHO.search(fragment):
                continue  # "only" alone, or words the echo check forbids ("language model")
            sentence = as_guardrail(fragment, language)
            if len(sentence.split()) < MIN_GUARDRAIL_WORDS:  # "Use only Python." reads cut off
                sentence = f"{sentence[:-1]} {IN_THE_ANSWER[language]}."
            if sentence not in rules:
                rules.append(sentence)
    return rules[:MOST_RULES]


def as_guardrail(rule: str, language: str) -> str:
    """One stated rule ('no emojis') as an imperative sentence ('Do not include emojis.')."""
    words = rule.lower().split()
    if words[0] in COMMANDS[language] or (language == "es" and _negated_verb(words)):
        return f"{rule[0].upper()}{rule[1:]}."
    for pattern, template in PHRASINGS[language]:
        if match := pattern.match(rule):
            return template.format(next(group for group in match.groups() if group))
    return FALLBACK[language].format(rule)


def _negated_verb(words: list[str]) -> bool:
    """'no' and a verb ("no uses", "no incluyas"), not a noun ("no emojis", "no listas"): the
    negative of an imperative the lexicon knows ("usa" -> "uses", "incluye" -> "incluyas")."""
    if len(words) < 2 or words[0] != "no":
        return False
    verb = words[1]
    stem, ending = verb[:-2], verb[-2:]
    return verb in IRREGULAR_NEGATIVES or (
        (ending == "es" and f"{stem}a" in IMPERATIVES_ES)
        or (ending == "as" and f"{stem}e" in IMPERATIVES_ES)
    )
