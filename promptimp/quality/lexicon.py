"""Words: the English and Spanish word lists and the helpers that read words.

Stop words, key terms (stemmed prefixes), word frequencies from the offline `wordfreq` package
(cached), the language of a text, and the verbs an instruction may start with. Shared by the
checks, and by eval/overlap.py for near-duplicate ideas.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from difflib import get_close_matches
from functools import lru_cache

from wordfreq import top_n_list, zipf_frequency

STEM_CHARS = 5
NON_WORD_ZIPF = 1.0
"""A word rarer than this (wordfreq's Zipf scale) in both English and Spanish is a non-word."""
_ENGLISH_STOP_WORDS = """
a about above after again against all also am an and any are as at be because been before
being below between both but by can could did do does doing down during each few for from
further had has have having he her here hers herself him himself his how i if in into is it
its itself just let me more most my myself no nor not now of off on once only or other our
ours out over own same she should so some such than that the their theirs them then there
these they this those through to too under until up very was we were what when where which
while who whom why will with would you your yours yourself want need needs make please help
using use get like way something thing things
"""
_SPANISH_STOP_WORDS = """
al algo algunas algunos ante antes como con contra cual cuales cuando de del desde donde dos
el ella ellas ellos en entre era eran es esa esas ese eso esos esta estas este esto estos
fue fueron ha han hasta hay la las le les lo los mas me mi mis mucho muy ni no nos nosotros
o otra otras otro otros para pero poco por porque que quien se sea ser si sin sobre su sus
tambien tan tanto te tiene tienen todo todos tu tus un una unas uno unos y ya yo necesito
quiero ayuda hacer
"""
STOP_WORDS = frozenset((_ENGLISH_STOP_WORDS + _SPANISH_STOP_WORDS).split())
"""English and Spanish function words (accents stripped), ignored when finding key terms."""
WORD = re.compile(r"\w+")
TOKEN = re.compile(r"\S+")


def words(text: str) -> list[str]:
    """Lower-case words of `text`, accents stripped."""
    return WORD.findall(plain(text))


def plain(text: str) -> str:
    """`text` in lower case without accents."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def stem(word: str) -> str:
    """`word` without a plural or -ing/-ed ending, so it is a prefix of the other forms
    ('pods' -> 'pod', 'raising' -> 'rais', 'asked' -> 'ask')."""
    if len(word) > 5 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 5 and word.endswith("ed"):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


@lru_cache(maxsize=16384)
def key_terms(text: str) -> frozenset[str]:
    """The distinct key terms of `text`: 3+ letter non-stop words, stemmed and cut to
    STEM_CHARS letters (so a term matches every form sharing that prefix)."""
    return frozenset(
        stem(word)[:STEM_CHARS]
        for word in words(text)
        if len(word) >= 3 and not word.isdigit() and word not in STOP_WORDS
    )


def prefixes(text: str) -> set[str]:
    """Every 3..STEM_CHARS letter prefix of the words of `text` (what key terms match)."""
    return {word[:n] for word in words(text) for n in range(3, STEM_CHARS + 1) if len(word) >= n}


def coverage(terms: frozenset[str] | set[str], found_in: set[str]) -> float | None:
    """The share of `terms` found among the prefixes `found_in`; None when there are none."""
    if not terms:
        return None
    return len(terms & found_in) / len(terms)


@lru_cache(maxsize=65536)
def zipf(word: str, language: str) -> float:
    return zipf_frequency(word, language)


def is_real_word(word: str) -> bool:
    """True for a word found in English or Spanish text often enough (wordfreq)."""
    word = word.lower()
    return zipf(word, "en") >= NON_WORD_ZIPF or zipf(word, "es") >= NON_WORD_ZIPF


MISSPELT_ZIPF = 1.5
"""A word rarer than this in both languages may be a misspelling ('reserch', 'fucntion');
rare real words the hand-written prompts use ('refactor', 'onboarding') are above it."""
COMMON_ZIPF = 3.0
"""The words a misspelling is compared with: at least this common in their language."""
CLOSE_SPELLING = 0.85
"""How alike (difflib's ratio) a misspelling and its common word are: 'shoud' and 'should'."""


@lru_cache(maxsize=2)
def _common_words(language: str) -> tuple[str, ...]:
    return tuple(
        word
        for word in top_n_list(language, 30_000)
        if word.isalpha() and zipf(word, language) >= COMMON_ZIPF
    )


@lru_cache(maxsize=4096)
def spellings(word: str) -> tuple[str, ...]:
    """The common English or Spanish words (at most two, closest first) that `word` may
    misspell ("reserch" -> research); none when it is no misspelling (a real word, a rare
    name, too short to tell)."""
    word = word.lower()
    if len(word) < 4 or max(zipf(word, "en"), zipf(word, "es")) >= MISSPELT_ZIPF:
        return ()
    for language in ("en", "es"):
        swapped = [
            word[:at] + word[at + 1] + word[at] + word[at + 2 :] for at in range(len(word) - 1)
        ]
        if found := [w for w in dict.fromkeys(swapped) if zipf(w, language) >= COMMON_ZIPF]:
            return tuple(found[:2])  # two letters swapped, the commonest slip ("wirte")
        if close := get_close_matches(word, _common_words(language), n=2, cutoff=CLOSE_SPELLING):
            return tuple(close)
    return ()


def correct_spelling(word: str) -> str:
    """The common word that `word` most likely misspells, or "" (`spellings`)."""
    return next(iter(spellings(word)), "")


_FUNCTION_WORDS_EN = "the of and to in for with on at by from is are this that it"
_FUNCTION_WORDS_ES = "de del la las el los en con para por al un una y que es son su sus"
_FUNCTION_WORDS = {
    "en": frozenset(_FUNCTION_WORDS_EN.split()),
    "es": frozenset(_FUNCTION_WORDS_ES.split()),
}
FUNCTION_WORD_VOTES = 2
"""A function word ('de', 'con', 'the') weighs this many content words: a Spanish idea full
of English tech names ('Hero de landing page en React') is still Spanish."""


def language_of(text: str) -> str:
    """'es' or 'en': which language's word frequencies explain the words of `text` better,
    function words counting double."""
    votes: Counter[str] = Counter()
    for word in re.findall(r"[^\W\d_]+", text.lower()):
        english, spanish = zipf(word, "en"), zipf(word, "es")
        if abs(english - spanish) >= 1.0:
            language = "en" if english > spanish else "es"
            weight = FUNCTION_WORD_VOTES if plain(word) in _FUNCTION_WORDS[language] else 1
            votes[language] += weight
    if any(ch in text for ch in "ñ¿¡"):
        votes["es"] += 1
    return "es" if votes["es"] > votes["en"] else "en"


_IMPERATIVES_EN = """
add address adapt advise align allocate analyse analyze anchor answer apply argue arrange ask
assess assign audit avoid back backfill balance base batch begin benchmark break brief build
calculate call cap check choose cite clarify classify clean close coach collect combine commit
compare compile complete compose compute condense configure confirm connect consider contrast
control convert convince copy correct count cover craft create cut debounce debug decide
declare define delete deliver demonstrate deploy describe design detail detect determine
develop diagnose document draft draw edit eliminate emphasise emphasize enable encourage end
enforce ensure estimate evaluate examine explain explore express extract favour fill filter
find finish fit fix flag focus follow forecast format frame gather generate give group guide
handle highlight identify illustrate implement improve include indicate inspect integrate
interpret introduce investigate isolate justify keep label lay lead leave limit link list log
make map mark match measure mention migrate minimise minimize model monitor name normalise
normalize note offer omit open optimise optimize order organise organize outline pair
paraphrase phrase pick pin place plan point polish predict prefer prepare present preserve
prevent prioritise prioritize produce profile propose protect prototype provide publish put
quantify query quote rank rate reason recommend record reduce refactor reference refer
reframe refuse reject rely remind remove rename reorganise replace report request require
research reserve resolve respect respond restate restrict restructure return reuse review
revise rewrite run sanity-check scale schedule score script secure select separate sequence
set share shorten show simplify size sketch skip solve sort space specify split stage start
state stay stick store streamline structure suggest summarise summarize supply support survey
switch tabulate tag tailor target teach tell test thank tie time track train transform
translate treat trim turn tune underline unify update upgrade use utilise utilize validate
verify virtualise walk warn weigh word wrap write say meet tell greet introduce thank invite
welcome open close sign ship share stop wait mind watch double-check cross-check draw
help let be retry geocode synthesise synthesize localise localize itemise itemize seed
acknowledge alert apologise apologize attribute block contain decline disable distinguish grant
ground hash hold mask mix mock never plant promise read recap recruit redirect reply reproduce
reset round spread take trace vary encode
"""
_IMPERATIVES_ES = """
abre aclara acompaña actualiza adapta advierte agrega agrupa ajusta analiza anota aplica aporta
argumenta asegura asegúrate asigna asocia ayuda ayúdame busca calcula cambia cierra cita
clasifica comienza compara completa comprueba comunica concluye condiciona configura
considera construye contesta contrasta convierte corrige crea cuenta cuida da dale dame
dedica define delimita describe deshabilita destaca detalla detecta determina di dibuja
diferencia diseña distingue divide documenta elabora elige elimina empieza enfoca enseña
enumera escribe especifica establece estima estructura evalúa evita exige explica expón
fija formula garantiza genera guarda guía haz identifica ilustra implementa incluye indica
integra interpreta investiga justifica limita lista mantén marca menciona mide migra
minimiza modela muestra nombra normaliza ofrece omite ordena organiza pide plantea
planifica pon practica precisa prepara presenta prioriza procura produce programa
prohíbe propón protege prueba razona recomienda recuerda redacta reduce refactoriza
reformula registra reparte repasa reescribe resalta resume resuelve respeta responde
revisa selecciona señala separa simplifica sigue sintetiza sugiere termina traduce trata
usa utiliza valida verifica saluda despide invita agradece cierra dile escoge añade suma
resta cuenta comparte firma envía
alerta ancla apoya asume basa combina cubre ejecuta entrega facilita lee limpia nunca pregunta
promete recoge reconoce redirige redondea rellena siembra simula vincula deja quita compila
rotula toma codifica perfila activa localiza
"""
IMPERATIVES_EN = frozenset(plain(_IMPERATIVES_EN).split())
IMPERATIVES_ES = frozenset(plain(_IMPERATIVES_ES).split())
IMPERATIVES = IMPERATIVES_EN | IMPERATIVES_ES
"""Verbs a directive or guardrail may start with (English base forms, Spanish tú forms)."""
NEGATIONS = frozenset(
    plain("never not don't dont no avoid always only nunca jamás evita siempre solo sólo").split()
)
DANGLING = frozenset(
    plain(
        "a an the of and or our your my their its this these de la el los las un una y o en "
        "con para por del al que su sus mi tu"
    ).split()
)
"""Words a whole sentence does not end on."""
STATE_VERBS = frozenset(plain("is are has have stays fits es son está están tiene tienen").split())
"""Verbs a statement may hold besides the present tense of a listed imperative."""
