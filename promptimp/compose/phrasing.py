"""The idea as the directive's first sentence: an instruction in the idea's own words.

Injection-like framing ("As an AI, ...", "hard rules: ...") is dropped, the request behind it
kept; requests ("can you ...", "I need to ...", "necesito ...") and topics ("resume tips",
"pytest fixtures explained") become imperatives; an idea that already starts with a verb stays
as it is. What cannot be turned is asked for plainly ("Help me with ...").
"""

from __future__ import annotations

import re

from promptimp.quality import IMPERATIVES, plain

INJECTION = re.compile(
    r"^\s*(?:as an? (?:ai|language model|llm|assistant|chatbot)\b[^,.:;]*[,.:;]?"
    r"|you are an? (?:ai|language model|llm|assistant|chatbot)\b[^,.:;]*[,.:;]?"
    r"|como (?:una? )?(?:ia|inteligencia artificial|modelo de lenguaje|asistente)\b[^,.:;]*[,.:;]?"
    r"|ignore (?:all |any )?(?:previous|prior|the above) instructions[,.:;]?)\s*",
    re.I,
)
_RULES = (
    r"(?:(?:hard|strict|output(?: format)?|format|formatting) )?rules?\s*:"
    r"|reglas?(?: estrictas| de formato| de salida)?\s*:"
)
LEADING_RULES = re.compile(rf"^\s*(?:{_RULES})[^.\n]*[.\n]\s*", re.I)
"""'hard rules: ...' up to the end of its sentence, before the request."""
TRAILING_RULES = re.compile(rf"\b(?:{_RULES}).*$", re.I | re.S)
"""'hard rules: ...' to the end: rules addressed to the program, not part of the task."""
REQUEST_EN = re.compile(
    r"^(?:please |pls |plz )?(?:can|could|would|will) you (?:please )?"
    r"|^(?:please|pls|plz)\b,? ?"
    r"|^(?:i|we) (?:need|want|would like|'d like|have) to "
    r"|^(?:i need you to|i want you to|help me(?: to)?) ",
    re.I,
)
NEED_EN = re.compile(r"^(?:i|we) (?:need|want|would like|'d like) (?=an? |some |the |my |our )", re.I)
HOW_EN = re.compile(r"^(?:how (?:do|can|should|would) (?:i|we|you) |how to )", re.I)
QUESTION_EN = re.compile(r"^(?:what|why|which|when|where|who|is|are|does|do|should|can)\b", re.I)
REQUEST_ES = re.compile(
    r"^(?:por favor,? )?(?:¿\s*)?(?:puedes|podrías|podrias|me puedes|me podrías) "
    r"|^(?:necesito|quiero|quisiera|me gustaría|me gustaria|ayúdame a|ayudame a) (?=\w+r\b)",
    re.I,
)
NEED_ES = re.compile(r"^(?:necesito|quiero|quisiera|me gustaría|me gustaria) ", re.I)
HOW_ES = re.compile(r"^(?:¿\s*)?(?:cómo|como) ", re.I)
GIVE_NOUNS = frozenset("tips ideas advice suggestions examples options names ways".split())
WRITE_NOUNS = frozenset(
    "checklist template outline plan list summary email letter post script report agenda "
    "article essay story poem speech bio description proposal guide brief memo message "
    "caption headline tagline slogan newsletter announcement policy copy".split()
)
DETERMINERS = frozenset("a an the my our your this these that some their his her".split())
EXPLAIN_TAILS = re.compile(r"\s+(?:explained|explanation|basics|101|for dummies|for beginners)$")
HELP_TAIL = re.compile(r"\s+(?:help|question|questions|issue|problem|stuff)$", re.I)
SPANISH_IRREGULAR = {
    "hacer": "haz",
    "poner": "pon",
    "decir": "di",
    "tener": "ten",
    "salir": "sal",
    "venir": "ven",
    "ir": "ve",
    "ser": "sé",
}


def drop_framing(idea: str) -> str:
    """The idea without injection-like framing or rules addressed to the program."""
    text = INJECTION.sub("", idea.strip())
    text = TRAILING_RULES.sub("", LEADING_RULES.sub("", text)).strip(" ,.;:-")
    return text or idea.strip()


def task_sentence(idea: str, language: str) -> str:
    """The idea as one imperative sentence ending with a full stop."""
    text = re.sub(r"\s+", " ", drop_framing(idea)).strip().rstrip(".!?¿¡ ")
    sentence = _spanish_task(text) if language == "es" else _english_task(text)
    sentence = sentence.strip()
    return sentence[0].upper() + sentence[1:] + "."


def _starts_with_verb(text: str) -> bool:
    first = plain(text.split(" ", 1)[0]).strip(",;:")
    return first in IMPERATIVES


def _english_task(text: str) -> str:
    if short := _english_topic(text):
        return short
    if _starts_with_verb(text):
        return text
    if match := REQUEST_EN.match(text):
        rest = text[match.end() :]
        return rest if _starts_with_verb(rest) else f"Help me {rest}"
    if match := NEED_EN.match(text):
        return f"Create {text[match.end():]}"
    if match := HOW_EN.match(text):
        return f"Explain how to {text[match.end():]}"
    if QUESTION_EN.match(text):
        return f"Explain {text}"
    if any(word in WRITE_NOUNS for word in plain(text).split()):
        return f"Write {_with_article(text)}"
    return f"Help me with {_with_article(text)}"


def _english_topic(text: str) -> str:
    """A short topic ('resume tips', 'cover letter help', 'fixtures explained') as a task;
    "" when the text is not one (its first word may look like a verb: 'cover', 'resume')."""
    words = text.split()
    if len(words) > 5 or (len(words) > 1 and words[1].lower() in DETERMINERS | {"me", "us"}):
        return ""
    if EXPLAIN_TAILS.search(text):
        return f"Explain {EXPLAIN_TAILS.sub('', text)}"
    if HELP_TAIL.search(text):
        return f"Help me with {_with_article(HELP_TAIL.sub('', text))}"
    if plain(text.split(" ")[-1]) in GIVE_NOUNS:
        return f"Give {text}"
    return ""


def _with_article(text: str) -> str:
    """'cover letter' -> 'a cover letter'; keeps one word, a determiner, a plural or a name."""
    first, *rest = text.split(" ")
    lowered = first.lower()
    if not rest or lowered in DETERMINERS or first[:1].isupper():
        return text
    if lowered.endswith("s") and not lowered.endswith("ss"):
        return text
    return f"{'an' if lowered[:1] in 'aeiou' else 'a'} {text}"


def _spanish_task(text: str) -> str:
    if _starts_with_verb(text):
        return text
    if match := REQUEST_ES.match(text):
        rest = text[match.end() :].lstrip("¿ ")
        verb, _, tail = rest.partition(" ")
        return f"{_spanish_imperative(verb)} {tail}".strip()
    if match := NEED_ES.match(text):
        return f"Prepara {text[match.end():]}"
    if match := HOW_ES.match(text):
        return f"Explica cómo {text[match.end():].rstrip('?')}"
    return f"Ayúdame con {text}"


def _spanish_imperative(verb: str) -> str:
    """The tú imperative of an infinitive ('escribir' -> 'escribe'); other words unchanged."""
    word = verb.lower()
    if word in SPANISH_IRREGULAR:
        return SPANISH_IRREGULAR[word]
    if word.endswith("ar"):
        return word[:-2] + "a"
    if word.endswith(("er", "ir")):
        return word[:-2] + "e"
    return word
