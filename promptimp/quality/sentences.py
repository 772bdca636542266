"""Sentence forms: an instruction, a checkable statement, a sentence cut off, a loop."""

from __future__ import annotations

import re
from collections import Counter

from promptimp.quality.lexicon import (
    DANGLING,
    IMPERATIVES,
    NEGATIONS,
    STATE_VERBS,
    STEM_CHARS,
    STOP_WORDS,
    TOKEN,
    WORD,
    plain,
    words,
    zipf,
)

VERB_ZIPF = 2.0
"""How common the -ing (English) or infinitive (Spanish) form of a first word must be."""
DANGLING_TAIL = re.compile(
    r"\b(?:that|which|who|que)\s+(?:is|are|was|were|has|have|will|can|could|should|would|"
    r"may|must|includes?|contains?|covers?|uses?|provides?|allows?|makes?|es|son|sea|sean|"
    r"tiene|tienen|incluye|incluyan?|contiene|permite|hay)$|"
    r"\b(?:such as|including|namely|como)$|\blike$(?<!look like)",
    re.I,
)
"""Endings that announce more ('... that includes', '... such as')."""
ENCLITIC = re.compile(r"(?:me|te|se|nos|os|lo|la|le|los|las|les)$")
"""A pronoun glued to a Spanish imperative ('pídeme', 'tradúcelo')."""
NEGATIVE_IMPERATIVE = re.compile(r"\s*(?:do\s+not|don'?t)\b", re.I)
"""'Do not ...' and 'Don't ...' open an instruction although 'do' alone is a stop word."""
MODALS = re.compile(r"\b(?:must|should|debe|deben|tiene que|tienen que)\b", re.I)
CONSTRAINT = re.compile(
    r"\b(?:never|always|(?<!not )only|each|every|at (?:most|least)|no more than|exactly|under|"
    r"within|nunca|siempre|(?<!no )s[oó]lo|cada|ning[uú]n|ninguna|al menos|como (?:m[aá]ximo|"
    r"m[ií]nimo)|exactamente|one|two|three|four|five|six|seven|eight|nine|ten|uno|dos|tres|"
    r"cuatro|cinco|seis|siete|ocho|nueve|diez)\b|\d",
    re.I,
)
"""What makes a statement checkable: a limit, a quantifier, 'never' or a number."""


def first_word(text: str) -> str:
    """The first word of `text` in plain lower case, after any 'please'."""
    text = re.sub(r"^(?:please|por favor)[,\s]+", "", text.strip(), flags=re.I)
    match = re.match(r"[¡¿\"'(]*([^\W\d_][\w'-]*)", text)
    return plain(match.group(1)) if match else ""


def starts_imperative(text: str) -> bool:
    """Starts with a verb telling what to do (a listed verb, or one whose -ing or infinitive
    form is a common word: 'ignore' -> 'ignoring', 'cubre' -> 'cubrir')."""
    first = first_word(text)
    if first in IMPERATIVES or first in NEGATIONS or NEGATIVE_IMPERATIVE.match(text):
        return True
    if first in STOP_WORDS or first.endswith("ing") or len(first) < 3 or not first.isalpha():
        return False
    english = (first + "ing", first[:-1] + "ing", first + first[-1] + "ing")
    return max(zipf(word, "en") for word in english) >= VERB_ZIPF or _spanish_imperative(first)


def _spanish_imperative(word: str) -> bool:
    """A tú imperative, perhaps with a pronoun glued on ('pídeme' -> 'pide'), whose
    infinitive is a common word, stem changes included ('consigue' -> 'conseguir',
    'devuelve' -> 'devolver', 'siembra' -> 'sembrar')."""
    bare = ENCLITIC.sub("", word) if len(word) > 5 else word
    for form in dict.fromkeys((word, bare)):
        if form in IMPERATIVES:
            return True
        if len(form) < 3 or form[-1] not in "ae":
            continue
        stems = {form[:-1]}
        for changed, base in (("ie", "e"), ("ue", "o"), ("i", "e")):
            at = form[:-1].rfind(changed)
            if at > 0:
                stems.add(form[:at] + base + form[at + len(changed) : -1])
        if max(zipf(s + end, "es") for s in stems for end in ("ar", "er", "ir")) >= VERB_ZIPF:
            return True
    return False


def states_constraint(text: str) -> bool:
    """A statement a person can check the answer against: a verb ('The teacher asks ...',
    'Each endpoint returns ...', 'Cada respuesta incluye ...') and a limit, a quantifier,
    'never' or a number ('... only and never states a definition'); not the assistant
    speaking of itself ('I am not able to ...')."""
    if first_word(text) in {"i", "yo"}:
        return False
    later = words(text)[1:]
    verb = any(
        word in STATE_VERBS
        or word in IMPERATIVES
        or (word.endswith("s") and (word[:-1] in IMPERATIVES or word[:-2] in IMPERATIVES))
        for word in later
    )
    return verb and bool(CONSTRAINT.search(text))


def ends_cut_off(text: str) -> bool:
    """Ends on a word that needs another after it ('for', 'the', 'de', ...; an accented
    question word such as '¿por qué?' ends a sentence)."""
    tail = WORD.findall(text.lower())
    ending = text.rstrip()
    if ending.endswith((".", "?", "!", "'", '"')):
        return False
    return bool(tail) and (tail[-1] in DANGLING or bool(DANGLING_TAIL.search(ending)))


def circles(text: str) -> bool:
    """A short field using one key term 3+ times, or repeating a run of three words with a
    content word ('de la comida'; a repeated comparison such as '1/8 is bigger than' is
    no loop). Hyphenated names count as one term ('aria-expanded' and 'aria-activedescendant'
    are two attributes, not a loop on 'aria')."""
    tokens = words(text)
    terms = [plain(token.strip(".,;:()\"'")) for token in TOKEN.findall(text)]
    stems = Counter(
        term[:STEM_CHARS] for term in terms if len(term) >= 4 and term not in STOP_WORDS
    )
    trigrams = Counter(
        gram
        for gram in zip(tokens, tokens[1:], tokens[2:], strict=False)
        if "than" not in gram
        and not any(word.isdigit() for word in gram)
        and any(word not in STOP_WORDS for word in gram)
    )
    return (len(tokens) <= 25 and max(stems.values(), default=0) >= 3) or max(
        trigrams.values(), default=0
    ) >= 2
