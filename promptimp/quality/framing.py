"""The framing around an idea's request: injection-like openings ("As an AI, ...", "Ignore
previous instructions and ...") and rules addressed to the program ("hard rules: ...").

`request_of` is the request behind them, which the checks measure the prompt against and the
composer phrases as the task; `stated_rules_of` is the text of the rules themselves, the
person's own limits on the answer.
"""

from __future__ import annotations

import re

from promptimp.quality.lexicon import key_terms

INJECTION = re.compile(
    r"\b(?:as|como)\s+(?:an?\s+|una?\s+)?(?:large\s+)?(?:ai|ia|artificial intelligence|llm|"
    r"inteligencia artificial|language\s+model|modelo de lenguaje)(?:\s+language\s+model)?\b"
    r"[^,.:;]*[,.:;]"
    r"|^\s*(?:as|como)\s+(?:an?|una?)\s+(?:assistant|asistente|chatbot)\b[^,.:;]*[,.:;]"
    r"|\byou\s+are\s+an?\s+(?:ai|language model|llm|assistant|chatbot)\b[^,.:;]*[,.:;]"
    r"|\byou\s+must\s+answer\s*:|\bpretend\s+(?:you\s+are|to\s+be)\b[^.:,]*[.:,]"
    r"|\bignore\s+(?:all\s+|any\s+)?(?:the\s+)?(?:previous|prior|above)\s+instructions\b"
    r"\s*(?:and\b|then\b|y\b|[.:,])?",
    re.I,
)
"""An injection-like opening, up to the punctuation that ends it."""
RULES_LABEL = (
    r"(?:(?:hard|strict|output(?: format)?|format|formatting) rules?"
    r"|reglas? (?:estrictas|de formato|de salida)"
    r"|(?:^|(?<=[.!?\n]))\s*(?:rules?|reglas?))\s*:"
)
"""'hard rules:' anywhere; a bare 'rules:' only where a sentence starts ('house rules: no pets'
is a request)."""
RULES = re.compile(
    rf"(?:\b(?:you must follow|follow(?: these)?|obey|sigue(?: estas)?)\s+)?(?:{RULES_LABEL})",
    re.I,
)
"""A rules label, with the words that lead into it ('you must follow hard rules:')."""
SENTENCE_END = re.compile(r"\.(?:\s|$)|\n")
TRIM = " ,.;:-"


def request_of(idea: str) -> str:
    """The idea's request without its framing ('As an AI, write ...' -> 'write ...'); the idea
    itself when nothing with key terms is left."""
    request, _ = _split(idea)
    return request if key_terms(request) else idea.strip()


def stated_rules_of(idea: str) -> list[str]:
    """The text of each rules part the idea holds ('hard rules: max 100 words' ->
    'max 100 words'), in order."""
    _, rules = _split(idea)
    return rules


def _split(idea: str) -> tuple[str, list[str]]:
    """(request, rules parts). Rules before the request end with their sentence; rules after
    it run to the end of the idea."""
    text = idea.strip()
    request: list[str] = []
    rules: list[str] = []
    while label := RULES.search(text):
        before, after = INJECTION.sub(" ", text[: label.start()]), text[label.end() :]
        if key_terms(before):
            request.append(before)
            rules.append(after)
            text = ""
            break
        end = SENTENCE_END.search(after)
        cut = end.end() if end else len(after)
        rules.append(after[:cut])
        text = after[cut:]
    request.append(INJECTION.sub(" ", text))
    cleaned = re.sub(r"\s+", " ", " ".join(request)).strip(TRIM)
    return cleaned, [part.strip(TRIM) for part in rules if part.strip(TRIM)]
