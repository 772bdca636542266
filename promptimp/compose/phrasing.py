"""The idea as the directive's first sentence: an instruction in the idea's own words.

Injection-like framing ("As an AI, ...", "hard rules: ...") is dropped, the request behind it
kept; requests ("can you ...", "I need to ...", "necesito ...") and topics ("resume tips",
"pytest fixtures explained") become imperatives; an idea that already starts with a verb stays
as it is. What cannot be turned is asked for plainly ("Help me with ...").
"""

from __future__ import annotations

import re
import unicodedata
from difflib import get_close_matches

from wordfreq import zipf_frequency

from promptimp.quality import (
    IMPERATIVES_EN,
    IMPERATIVES_ES,
    plain,
    request_of,
    spellings,
    words,
)
from promptimp.text import indefinite_article

REQUEST_EN = re.compile(
    r"^(?:please |pls |plz )?(?:can|could|would|will) you (?:please )?"
    r"|^(?:please|pls|plz)\b,? ?"
    r"|^(?:i|we) (?:need|want|would like|'d like|have) to "
    r"|^(?:i need you to|i want you to|help me(?: to)?) (?!with )",
    re.I,
)
NEED_EN = re.compile(
    r"^(?:i|we) (?:need|want|would like|'d like) (?=an? |some |the |my |our )", re.I
)
HOW_TO_EN = re.compile(r"^(?:how (?:do|can|should) (?:i|we|you) |how to )", re.I)
WH_QUESTION_EN = re.compile(r"^(?:what|why|which|when|where|who|how)\b", re.I)
YES_NO_EN = re.compile(r"^(?:is|are|does|do|did|should|can|could|would|will|shall)\b", re.I)
HOW_TAIL = re.compile(
    r"\s*(?:[,;—–-]+\s*|\s)(?:how to fix(?: it| this)?|how|any ideas|ideas|help|why|pls|please)"
    r"\s*\??$",
    re.I,
)
"""A trailing '— how?', ', how to fix', ', any ideas?': the request is to explain or fix."""
PROBLEM_EN = re.compile(
    r"\b(?:keeps?|kept|fails?|failing|failed|broken|crash(?:es|ing|ed)?|doesn'?t|won'?t|"
    r"isn'?t|aren'?t|not working|too (?:slow|much|many|often)|slow(?:er)?|stuck|hangs?|"
    r"freez(?:es|ing)|losing|loses|leaks?|leaking|errors?|timeouts?|times out)\b",
    re.I,
)
REQUEST_ES = re.compile(
    r"^(?:por favor,? )?(?:¿\s*)?(?:puedes|podrías|podrias|me puedes|me podrías) "
    r"|^(?:necesito|quiero|quisiera|me gustaría|me gustaria|ayúdame a|ayudame a) (?=\w+r\b)",
    re.I,
)
NEED_ES = re.compile(r"^(?:necesito|quiero|quisiera|me gustaría|me gustaria) ", re.I)
HOW_ES = re.compile(r"^(?:¿\s*)?(?:cómo|como) ", re.I)
WHAT_TO_DO_ES = re.compile(r"^(?:¿\s*)?qu[ée] (?:hago|puedo hacer|debo hacer) ", re.I)
QUESTION_ES = re.compile(r"^(?:¿|qu[ée]\b|cu[áa]l|por qu[ée]|d[óo]nde|cu[áa]ndo|debo|puedo)", re.I)
PROBLEM_ES = re.compile(
    r"\b(?:no funcionan?|fallan?|error|errores|va lento|se cuelgan?"
    r"|no (?:llegan?|cargan?|abren?))\b",
    re.I,
)


def word_set(text: str) -> frozenset[str]:
    """The words of a space-separated list."""
    return frozenset(text.split())


GIVE_NOUNS = word_set("tips ideas advice suggestions examples options names ways")
WRITE_NOUNS = word_set(
    """checklist template outline list summary email letter post script report agenda article
    essay story stories poem speech bio description proposal guide brief memo message caption
    headline tagline slogan newsletter announcement policy copy survey overview comparison
    function query regex test tests code dockerfile config terraform readme faq questions
    reply wording presentation slides recipe menu"""
)
DESIGN_NOUNS = word_set(
    """schema api database architecture system pipeline logo app website component workflow
    dashboard tokens form page layout flow"""
)
DRAFT_NOUNS = word_set(
    "plan strategy roadmap budget itinerary schedule okrs sizing forecast routine curriculum lesson"
)
HEAD_NOUNS: dict[str, str] = {
    **dict.fromkeys(WRITE_NOUNS, "Write"),
    **dict.fromkeys(DESIGN_NOUNS, "Design"),
    **dict.fromkeys(DRAFT_NOUNS, "Draft"),
}
"""The verb a topic gets from the first of these nouns it names ('a GraphQL schema for a blog'
-> 'Design a GraphQL schema for a blog')."""
UNCOUNTED = word_set("copy code terraform documentation config tokens okrs wording")
QUOTED_QUESTION = re.compile(r"(?:this question|esta pregunta): ")
SYMBOLS = word_set("So Sk Cf Mn")
"""Unicode categories of emoji, their modifiers and joiners."""
DETERMINERS = word_set("a an the my our your this these that some their his her")
EXPLAIN_TAILS = re.compile(r"\s+(?:explained|explanation|basics|101|for dummies|for beginners)$")
HELP_TAIL = re.compile(r"\s+(?:help|issue|problem|stuff)$", re.I)
HELP_WITH = re.compile(r"^(?:help|help me|ayuda|ayúdame) (?:with|con) ", re.I)
LONG_IDEA_WORDS = 18
"""An idea this long that is not an instruction is a situation told in full: it is quoted."""

NOT_INFINITIVES = word_set("lugar hogar mujer taller placer nivel bar mar par")
FEMININE_ENDINGS = ("a", "ion", "dad", "tad", "tud", "umbre")
"""Endings of Spanish nouns that read feminine (compared without accents)."""
MASCULINE_IN_A = word_set("plan problema sistema esquema programa tema dia mapa")
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


FIX_OPENINGS = {"en": "Find out why", "es": "Averigua por qué"}
"""How a task sentence for a reported problem starts ('background jobs keep getting lost')."""


EXPLAIN_VERBS = ("Explain ", "Explica ")
EXPLAIN_OPENINGS = (*EXPLAIN_VERBS, "Answer this question: ", "Responde a esta pregunta: ")
"""How a task sentence for a question or a how-to starts."""


def is_fix_task(sentence: str) -> bool:
    """True for a task sentence that asks to find and fix a reported problem."""
    return sentence.startswith(tuple(FIX_OPENINGS.values()))


def is_explain_task(sentence: str) -> bool:
    """True for a task sentence that asks for an explanation or an answer."""
    return sentence.startswith(EXPLAIN_OPENINGS)


OWN_MATERIAL = re.compile(
    r"\b(?:my|this|these|our|that|mi|mis|este|esta|estos|estas|nuestro|nuestra|eso)\b",
    re.IGNORECASE,
)
"""Words that point at the person's own material (their code, this error): not a concept."""


def is_concept_explanation(sentence: str) -> bool:
    """True for a task sentence that asks to explain a named concept ("Explain pytest
    fixtures."), which needs nothing more from the person, unlike "Explain this error"."""
    return sentence.startswith(EXPLAIN_VERBS) and not OWN_MATERIAL.search(sentence)


def task_sentence(idea: str, language: str) -> str:
    """The idea as one imperative sentence ending with a full stop (or a question mark when it
    quotes the person's question)."""
    text = re.sub(r"\s+", " ", request_of(idea)).strip()
    text = _respelt(_without_trailing_symbols(text))
    sentence = _spanish_task(text) if language == "es" else _english_task(text)
    sentence = sentence.strip()
    if sentence.endswith("?") and not QUOTED_QUESTION.search(sentence):
        sentence = sentence.rstrip("?")
    end = "" if sentence.endswith("?") else "."
    return sentence[0].upper() + sentence[1:] + end


def _respelt(text: str) -> str:
    """The text with each lower-case misspelling that has one likely meaning respelt
    ("this reserch paper" -> "this research paper"); one that could mean two different words
    is left as the person wrote it."""

    def respell(found: re.Match[str]) -> str:
        word = found.group()
        meant = spellings(word) if word.islower() else ()
        one_meaning = len(meant) == 1 or (len(meant) == 2 and meant[1].startswith(meant[0]))
        return meant[0] if meant and one_meaning else word

    return re.sub(r"[^\W\d_]+", respell, text)


def _without_trailing_symbols(text: str) -> str:
    """The text without the emoji, spaces and full stops it ends with ('tool? 🤔' -> 'tool?')."""
    end = len(text)
    while end and (text[end - 1] in " .!¡" or unicodedata.category(text[end - 1]) in SYMBOLS):
        end -= 1
    return text[:end]


def _starts_with_verb(text: str, verbs: frozenset[str] = IMPERATIVES_EN) -> bool:
    first, _, rest = text.partition(" ")
    used_as_noun = rest.split(" ", 1)[0].lower() in {"of", "for"} or first.endswith(":")
    return plain(first).strip(",;") in verbs and not used_as_noun


def _fix_first_verb(text: str) -> str:
    """'wirte a function' -> 'write a function': a misspelt first word close to a known verb."""
    first, _, rest = text.partition(" ")
    word = first.lower()
    if zipf_frequency(word, "en") >= 2.5 or word in IMPERATIVES_EN:
        return text
    close = get_close_matches(word, sorted(IMPERATIVES_EN), n=1, cutoff=0.8)
    if not close or close[0][0] != word[0] or abs(len(close[0]) - len(word)) > 1:
        return text
    return f"{close[0]} {rest}".strip()


def _english_task(text: str) -> str:
    text = _fix_first_verb(text)
    if short := _english_topic(text):
        return short
    if match := HELP_WITH.match(text):
        return f"Help me with {text[match.end() :]}"
    head, colon, rest = text.partition(": ")
    if colon and rest and len(head.split()) <= 4:
        if rest.endswith("?") or WH_QUESTION_EN.match(rest) or YES_NO_EN.match(rest):
            return f"{_topic_task(head)} that answers this question: {rest.rstrip('?')}?"
        return f"{_topic_task(head)} about {rest}"
    if _starts_with_verb(text):
        return text
    if len(text.split()) >= LONG_IDEA_WORDS:
        return f"Help me with this situation: {_sentence_case(text)}"
    asks_how = bool(HOW_TAIL.search(text))
    text = HOW_TAIL.sub("", text).rstrip(" ?,")
    if _starts_with_verb(text):
        return text
    if match := REQUEST_EN.match(text):
        rest = text[match.end() :]
        return rest if _starts_with_verb(rest) else f"Help me {rest}"
    if match := NEED_EN.match(text):
        return f"Create {text[match.end() :]}"
    if match := HOW_TO_EN.match(text):
        return f"Explain how to {text[match.end() :]}"
    if _names_a_text(text) and not YES_NO_EN.match(text):
        return _topic_task(text)
    if PROBLEM_EN.search(text) and not WH_QUESTION_EN.match(text):
        return f"{FIX_OPENINGS['en']} {_sentence_case(text)} and fix it"
    if WH_QUESTION_EN.match(text) and not re.match(r"how (?:would|could|will)\b", text, re.I):
        return f"Explain {_sentence_case(text)}"
    if YES_NO_EN.match(text) or WH_QUESTION_EN.match(text):
        return f"Answer this question: {_sentence_case(text)}?"
    if asks_how:
        return f"Explain how to handle {_sentence_case(text)}"
    return _topic_task(text)


def _names_a_text(text: str) -> bool:
    """True when one of its first three words is a piece of writing ('complaint reply')."""
    return any(word in WRITE_NOUNS for word in words(text)[:3])


def _topic_task(text: str) -> str:
    """A noun phrase as a task: the verb of its first head noun, else a plain request."""
    verb = next((HEAD_NOUNS[w] for w in words(text) if w in HEAD_NOUNS), "")
    if verb:
        return f"{verb} {_with_article(text)}"
    return f"Help me with {_sentence_case(text)}"


def _english_topic(text: str) -> str:
    """A short topic ('resume tips', 'cover letter help', 'fixtures explained') as a task;
    "" when the text is not one (its first word may look like a verb: 'cover', 'resume')."""
    tokens = text.split()
    if len(tokens) > 5 or (len(tokens) > 1 and tokens[1].lower() in DETERMINERS | {"me", "us"}):
        return ""
    if EXPLAIN_TAILS.search(text):
        return f"Explain {EXPLAIN_TAILS.sub('', text)}"
    if HELP_TAIL.search(text):
        return f"Help me with {_with_article(HELP_TAIL.sub('', text))}"
    if plain(tokens[-1]) in GIVE_NOUNS:
        return f"Give {_sentence_case(text)}"
    return ""


def _sentence_case(text: str) -> str:
    """The text with its first word in lower case when that word is only capitalised because
    it starts the idea ('Market sizing' -> 'market sizing'; 'LinkedIn', 'AWS' stay)."""
    first, _, rest = text.partition(" ")
    if first[:1].isupper() and first[1:].islower() and zipf_frequency(first.lower(), "en") >= 2.5:
        first = first.lower()
    return f"{first} {rest}".strip()


def _with_article(text: str) -> str:
    """'cover letter' -> 'a cover letter'; keeps one word, a determiner, a plural, an uncounted
    noun."""
    text = _sentence_case(text)
    found = words(text)
    head = next((word for word in found if word in HEAD_NOUNS), found[-1])
    if len(found) == 1 or found[0] in DETERMINERS or found[0][0].isdigit() or head in UNCOUNTED:
        return text
    if head.endswith("s") and not head.endswith("ss"):
        return text
    return f"{indefinite_article(text)} {text}"


def _spanish_task(text: str) -> str:
    if _starts_with_verb(text, IMPERATIVES_ES):
        return text
    if len(text.split()) >= LONG_IDEA_WORDS:
        return f"Ayúdame con esta situación: {text[0].lower()}{text[1:]}"
    first, _, tail = text.partition(" ")
    if _is_infinitive(first):
        return f"{_spanish_imperative(first)} {tail}".strip()
    if match := REQUEST_ES.match(text):
        rest = text[match.end() :].lstrip("¿ ")
        verb, _, tail = rest.partition(" ")
        return f"{_spanish_imperative(verb)} {tail}".strip()
    if match := NEED_ES.match(text):
        return f"Prepara {text[match.end() :]}"
    if match := HOW_ES.match(text):
        return f"Explica cómo {text[match.end() :].rstrip('?')}"
    if match := WHAT_TO_DO_ES.match(text):
        return f"Explica qué hacer {text[match.end() :].rstrip('?')}"
    if PROBLEM_ES.search(text):
        return f"{FIX_OPENINGS['es']} {text[0].lower()}{text[1:]} y propón cómo resolverlo"
    if QUESTION_ES.match(text):
        question = text.strip("¿?")
        return f"Responde a esta pregunta: ¿{question}?"
    return f"Prepara {_spanish_article(first)} {first.lower()} {tail}".strip()


def _spanish_article(noun: str) -> str:
    """The indefinite article a noun reads as taking ('una política', 'unos datos')."""
    lowered = plain(noun)
    feminine = lowered not in MASCULINE_IN_A and lowered.rstrip("s").endswith(FEMININE_ENDINGS)
    plural = lowered.endswith("s") and not lowered.endswith(("is", "us"))
    return ("unas" if feminine else "unos") if plural else ("una" if feminine else "un")


def _is_infinitive(word: str) -> bool:
    lowered = plain(word)
    return (
        len(lowered) >= 4
        and lowered.endswith(("ar", "er", "ir"))
        and lowered not in NOT_INFINITIVES
    )


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
