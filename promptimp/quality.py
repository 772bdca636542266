"""Would a person paste this prompt as it is? Named checks, a verdict and a score.

`check_prompt` reads an improved prompt's parts against the idea and context and returns a
QualityReport: every check with whether it passed and a reason a person can read, the verdict
`acceptable` (every check passed) and a `score` in [0, 1]. The standard it follows is the
labeling standard in QUALITY.md: a specific expert role from the idea's trade, an imperative
directive that covers the idea, 3-5 whole-sentence guardrails about this task, no noise (digit
runs, file names, domains, URLs, key: value lists, glued words, slugs, the program's own
words, echoes of injection-like ideas), the idea's language and real words.

Checks that the template assembly guarantees on the embedded path (the parts are present and
well formed, the prompt holds them) are `structural`: reported, and a failure still makes the
prompt unacceptable, but they carry no weight in the score, so a score cannot be earned by
parts that cannot fail.

The score maps the verdict onto bands: an acceptable prompt scores 0.7 + 0.3 x the mean of its
checks' values (graded checks, such as the share of the idea's key terms the directive covers,
add nuance), a junk one 0.4 x that mean. Free of DSPy and of eval/, and fast (word
frequencies from the offline `wordfreq` package, cached).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from wordfreq import zipf_frequency

from promptimp.models import FRAMEWORKS, MAX_GUARDRAILS, MIN_GUARDRAILS, PromptRun

ACCEPTABLE_FLOOR = 0.7
JUNK_CEILING = 0.4
STEM_CHARS = 5
DIRECTIVE_COVERAGE = 0.5
"""The least share of the idea's key terms the directive must cover..."""
CONTEXT_SPECIFICS = 2
"""...unless it names at least one of them and this many of the context's own key terms (a
directive that restates a vague idea through the specifics the context gives)."""
RELATED_GUARDRAILS = 1 / 3
"""The least share of guardrails that must share a key term with the idea, context or task."""
NON_WORD_ZIPF = 1.0
"""A word rarer than this (wordfreq's Zipf scale) in both English and Spanish is a non-word."""
NON_WORD_SHARE = 0.12
"""The largest share of non-words the prose may hold."""
MIN_GUARDRAIL_WORDS = 4
VERB_ZIPF = 2.0
"""How common the -ing (English) or infinitive (Spanish) form of a first word must be."""
FIELD_NON_WORDS = 3
"""A field with this many lower-case non-words fails the real-words check."""
MIN_DIRECTIVE_WORDS = 5

# -- words -----------------------------------------------------------------------------------

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

_WORD = re.compile(r"\w+")
_TOKEN = re.compile(r"\S+")


def words(text: str) -> list[str]:
    """Lower-case words of `text`, accents stripped."""
    return _WORD.findall(plain(text))


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
def _zipf(word: str, language: str) -> float:
    return zipf_frequency(word, language)


def is_real_word(word: str) -> bool:
    """True for a word found in English or Spanish text often enough (wordfreq)."""
    word = word.lower()
    return _zipf(word, "en") >= NON_WORD_ZIPF or _zipf(word, "es") >= NON_WORD_ZIPF


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
        english, spanish = _zipf(word, "en"), _zipf(word, "es")
        if abs(english - spanish) >= 1.0:
            language = "en" if english > spanish else "es"
            weight = FUNCTION_WORD_VOTES if plain(word) in _FUNCTION_WORDS[language] else 1
            votes[language] += weight
    if any(ch in text for ch in "ñ¿¡"):
        votes["es"] += 1
    return "es" if votes["es"] > votes["en"] else "en"


# -- vocabularies ----------------------------------------------------------------------------

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
"""
IMPERATIVES = frozenset(plain(_IMPERATIVES_EN + _IMPERATIVES_ES).split())
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
STATE_VERBS = frozenset(plain("is are has have stays fits es son está están tiene tienen").split())
"""Verbs a statement may hold besides the present tense of a listed imperative."""

_TRADES: dict[str, tuple[str, str]] = {
    # trade: (profession words of a role, words of an idea in that trade); accents stripped
    "software": (
        "engineer engineers developer developers programmer architect devops sre administrator "
        "admin coder maintainer tester responder cto ingeniero ingeniera desarrollador "
        "desarrolladora programador programadora arquitecto arquitecta administrador "
        "administradora",
        "api apis rest graphql backend frontend react vue angular django fastapi flask node "
        "python javascript typescript java code codigo bug bugs deploy deployment docker "
        "kubernetes terraform aws azure gcp database databases sql postgres postgresql mysql "
        "schema esquema endpoint endpoints webhook server servidor css html component "
        "componente function funcion refactor git github jwt auth authentication login "
        "migration migrations migracion queue cache script regex linux pipeline microservice "
        "readme repository repo web website app apps software render renders tests testing "
        "ci cd infra infrastructure cloud staging logs logging alerting monitoring spa "
        "frontend mobile ios android rust golang kotlin swift excel formula responsive "
        "navigation navegacion index indexes indices query queries consulta consultas",
    ),
    "data": (
        "analyst analysts scientist statistician analista estadistico estadistica cientifico",
        "data datos dataset forecast forecasting regression regresion statistics estadistica "
        "excel spreadsheet dashboard analytics metrics metricas churn kpi survey encuesta "
        "model sales ventas quarter trimestre sizing",
    ),
    "writing": (
        "writer copywriter editor journalist speechwriter redactor redactora escritor escritora "
        "author autor autora ghostwriter storyteller communicator guionista scriptwriter "
        "screenwriter translator traductor traductora producer poet poeta songwriter lyricist "
        "creativo creator creador",
        "write escribe escribir redacta redactar email emails correo post blog speech "
        "discurso letter carta newsletter copy article articulo story cuento poem poema essay "
        "ensayo bio caption announcement anuncio invitation invitacion message mensaje "
        "readme linkedin tweet docs documentation wording tone",
    ),
    "education": (
        "teacher tutor educator instructor professor lecturer profesor profesora maestro "
        "maestra docente pedagogue trainer entrenador entrenadora formador",
        "teach ensenar lesson leccion class clase student students estudiante alumnos quiz "
        "exam examen curriculum grade graders kids ninos school colegio study estudio learn "
        "aprender course curso homework fractions high schoolers",
    ),
    "health": (
        "physician doctor nurse physiotherapist therapist clinician dietitian nutritionist "
        "pharmacist psychologist psychiatrist medico medica enfermero enfermera "
        "fisioterapeuta nutricionista psicologo psicologa dentist paramedic epidemiologist "
        "epidemiologo",
        "health salud patient paciente pain dolor symptom symptoms sintoma diet dieta "
        "nutrition exercise ejercicio sleep sueno medical clinic clinica therapy terapia "
        "injury lesion medication medicamento mental stress estres workout fitness triage "
        "telehealth heat chest",
    ),
    "business": (
        "manager strategist marketer advisor adviser owner founder recruiter planner "
        "asesor asesora gerente director directora accountant contador estratega reclutador "
        "contadora coach executive operations ejecutivo ejecutiva mediator mediador mediadora "
        "negotiator entrepreneur emprendedor emprendedora cfo ceo representative",
        "marketing sales ventas launch lanzamiento product producto startup pricing precio "
        "instagram tiktok social content contenido calendar calendario productivity "
        "productividad schedule agenda organize organise organizar "
        "precios customer customers cliente clientes okr okrs strategy estrategia market "
        "mercado meeting reunion business negocio company empresa pyme brand marca budget "
        "presupuesto invoice factura hiring interview pitch investor investors roadmap "
        "stakeholders proposal propuesta team equipo buy vendor stories feature features "
        "alquiler local comercial onboarding welcome",
    ),
    "legal": (
        "lawyer attorney counsel paralegal abogado abogada notary solicitor",
        "contract contrato contratos terms terminos privacy privacidad gdpr rgpd legal policy "
        "politica license licencia trademark debt deuda compliance lease alquiler factura",
    ),
    "research": (
        "researcher investigador investigadora academic economist scholar",
        "research investigacion paper papers literature hypothesis experiment experimento "
        "thesis tesis methods metodos study survey evidence",
    ),
    "design": (
        "designer disenador disenadora illustrator",
        "design tokens ui ux logo figma wireframe typography layout brand brands white label",
    ),
    "sports": (
        "footballer futbolista athlete player jugador jugadora",
        "football futbol soccer match partido sport deporte marathon maraton running",
    ),
    "general": (
        "coordinator organizer organiser planner facilitator mentor guide host counsellor "
        "counselor moderator officer organizador organizadora guia coordinador coordinadora "
        "moderador",
        "",
    ),
    "food": (
        "chef cook baker cocinero panadero pastelero",
        "recipe receta cook cocinar meal comida menu restaurant dinner cena bake",
    ),
}
TRADE_ROLES: dict[str, frozenset[str]] = {t: frozenset(r.split()) for t, (r, _) in _TRADES.items()}
TRADE_IDEAS: dict[str, frozenset[str]] = {t: frozenset(i.split()) for t, (_, i) in _TRADES.items()}
FITTING_TRADES: dict[str, frozenset[str]] = {
    "software": frozenset({"software", "data", "design", "research"}),
    "data": frozenset({"data", "software", "business", "research", "health"}),
    "writing": frozenset({"writing", "business", "education", "legal", "research"}),
    "education": frozenset({"education", "research", "writing"}),
    "health": frozenset({"health", "research", "food", "sports"}),
    "business": frozenset({"business", "writing", "data", "legal", "design"}),
    "legal": frozenset({"legal", "business"}),
    "research": frozenset({"research", "data", "health", "education", "software", "business"}),
    "design": frozenset({"design", "software", "business"}),
    "sports": frozenset({"sports", "health"}),
    "food": frozenset({"food", "health"}),
    "general": frozenset(_TRADES),
}
"""For a role from the key's trade: the trades of ideas it can serve."""
BROAD_PROFESSIONS = frozenset(
    plain(
        "expert specialist professional consultant especialista experto experta consultor "
        "consultora lead reviewer partner responsable jefe jefa agente tecnico"
    ).split()
)
"""Profession words that name no trade: a role needs more than these."""
GENERIC_WORDS = frozenset(
    plain(
        "senior junior lead principal chief head experienced expert specialist specialising "
        "specializing specialised specialized skilled seasoned professional certified "
        "qualified with who in for of the and a an at on experience years knowledge "
        "background idea ideas task tasks project user users team assistant ai ia prompt "
        "prompts helper general sénior experto experta especializado especializada "
        "especialista con en de para del la el y un una experiencia conocimiento asistente"
    ).split()
)
"""Words that make no role more specific."""
GENERIC_ROLE = re.compile(
    r"\b(?:developer|expert|engineer|assistant|specialist|desarrollador|experto|asistente)\s+"
    r"(?:of|for|de|del)\s+(?:the\s+|la\s+|el\s+)?(?:[\w-]+\s+)?(?:idea|ai|ia|assistant|team|task|project|"
    r"user|prompt)s?\b|\b(?:ai|ia)\s+(?:assistant|asistente|developer|desarrollador)|"
    r"\bassistant\b|\basistente\b|"
    r"^\s*(?:developer|expert|engineer|specialist|desarrollador|experto)\s+(?:of|for|de|del)"
    r"\s+(?:the\s+|la\s+|el\s+)?[\w-]+\s*$",  # nothing but "Developer of the <noun>"
    re.I,
)

TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}(?:T[\d: ]+)?|\b\d{1,2}:\s?\d{1,2}:\s?\d{1,2}\b")
LONG_DIGITS = re.compile(r"\d{5,}")
NUMBER_TUPLE = re.compile(r"\(\s*\d+(?:\s*,\s*\d+)+\s*\)")
NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
MAX_NEW_NUMBERS = 2
"""A field may hold at most this many distinct numbers that the idea and context do not,
besides measures, designations and the numbers of the idea's domain."""
MEASURE = re.compile(
    r"[$€£]\s?\d[\d.,]*|(?<![\dx.,])\d[\d.,]*\s?(?:%|€|\$|£|px|pt|em|rem|ms|gb|mb|kb|tb|gib|mib|"
    r"gi|mi|kg|km|mm|cm|ml|mg|euros?|dollars?|d[oó]lares|usd|eur)(?!\w)",
    re.I,
)
"""A number with its unit or currency ('320px', '40 €', '1.2 GB'): a measure, not noise."""
DESIGNATION = re.compile(r"(?<=\S)\s+[A-Z][\w+#-]*\s+\d[\d./-]*[A-Za-z]?\b")
"""A number after a capitalised name inside a sentence ('NIST SP 800-63B', 'Ley 3/2004',
'React 18'): a version or a standard, not noise."""
_SOFTWARE_NUMBERS = """22 25 53 80 443 3000 5432 6379 8000 8080 200 201 204 301 302 304 400 401
403 404 409 422 429 500 502 503 504"""
SOFTWARE_NUMBERS = frozenset(_SOFTWARE_NUMBERS.split())
"""Well-known ports and HTTP status codes, usual in a software idea's prompt."""
MATH_WORDS = frozenset(
    plain("fraction fractions fracción fracciones math maths arithmetic aritmética").split()
)
SMALL_NUMBERS = frozenset(str(n) for n in range(13))
"""Numbers a maths lesson uses freely ('1/8 is bigger than 1/4')."""
URL = re.compile(r"https?://\S+|\bwww\.\S+", re.I)
FILE_NAME = re.compile(
    r"\b[\w-]+\.(?:jsx|tsx|js|ts|py|rb|php|java|go|rs|html?|css|scss|json|ya?ml|toml|md|txt|"
    r"csv|xlsx?|docx?|pdf|png|jpe?g|svg|exe|sh|sql|ini|cfg|lock|log)\b",
    re.I,
)
DOMAIN = re.compile(
    r"\b[a-z0-9-]+\.(?:com|org|net|io|dev|es|co|ai|app|info|biz|me|uk|de|fr|mx|ar|us)\b", re.I
)
_WELL_KNOWN_FILES = """readme.md package.json requirements.txt pyproject.toml docker-compose.yml
tsconfig.json settings.py manage.py"""
WELL_KNOWN_FILES = frozenset(_WELL_KNOWN_FILES.split())
TECH_JS = re.compile(r"^(?:[A-Z]\w*|d3|node|vue|next|nuxt|three|express)\.js$")
KEY_VALUE = re.compile(r"\b[\w-]+\s*[:=]\s*[\w.-]+\s*(?:;|,|$)")
LITERALS = re.compile(r"\b(?:true|false|null|none)\b\s*[;,]", re.I)
CAMEL = re.compile(r"[a-z][A-Z]|[A-Z]{2}[a-z]{2,}[A-Z]")
CAMEL_PART = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
KNOWN_CAMEL = frozenset(
    plain(
        "JavaScript TypeScript PostgreSQL GraphQL FastAPI iPhone iPad iOS macOS LinkedIn GitHub "
        "GitLab YouTube WhatsApp DevOps OAuth PyTorch NumPy SciPy McKinsey eBay PayPal TikTok "
        "WordPress HubSpot SaaS PaaS IaaS DynamoDB MongoDB BigQuery ChatGPT OpenAI "
        "CloudFormation CloudWatch VSCode DataFrame GitHub's MySQL NoSQL SQLite PowerPoint "
        "OneDrive SharePoint QuickBooks FaceTime AirPods JetBrains IntelliJ PyPI npm useState "
        "useEffect useMemo useCallback useRef useContext useReducer onClick onChange "
        "localStorage sessionStorage setTimeout setInterval querySelector getElementById "
        "addEventListener TensorFlow LaTeX AirBnb Airbnb DoorDash SoundCloud MailChimp "
        "ChatOps GitOps FinOps MLOps DevSecOps WebSocket WebSockets JSONB ReactDOM NextJS "
        "DataLoader LogQL PromQL httpOnly SameSite DevTools jQuery SwiftUI UIKit TestFlight "
        "VoiceOver TalkBack PubMed ValueError TypeError KeyError HbA1c LoRA RateLimit OpenAPI "
        "ConfigMap StatefulSet DaemonSet ReplicaSet OOMKilled CrashLoopBackOff PowerShell "
        "ArgoCD CircleCI WebAssembly WebRTC WebGL IndexedDB SQLAlchemy MariaDB ClickHouse "
        "LangChain LlamaIndex HuggingFace XMLHttpRequest NestJS NodeJS VueJS CocoaPods"
    ).split()
)
"""Well-known names written in camel case (libraries, products, attributes, Kubernetes kinds)."""
SLUG = re.compile(r"\b[a-z0-9]+(?:-[a-z0-9]+){2,}\b|\b(?:use|get|set|create)-[a-z0-9]+\b")
_COMMON_COMPOUNDS = """step-by-step end-to-end up-to-date state-of-the-art day-to-day one-on-one
    face-to-face word-of-mouth out-of-the-box peer-to-peer easy-to-read ready-to-use
    back-and-forth
    mother-in-law sister-in-law brother-in-law father-in-law well-thought-out hard-to-find
    first-year second-year third-year fourth-year last-minute off-the-shelf do-it-yourself
    one-to-one one-to-many many-to-many many-to-one before-and-after plain-language
    follow-up read-only write-only set-up"""
COMMON_COMPOUNDS = frozenset(_COMMON_COMPOUNDS.split())
PROGRAM_WORDS = re.compile(
    r"json object|output fields?|input fields?|\b\d+\s*(?:-|to|a)\s*\d+\s+(?:words|palabras)\b|"
    r"original_idea|improved_prompt|\brough idea\b|objeto json|campos? de (?:salida|entrada)|"
    r"\bone of:|0\.0 to 1\.0|\bthe user's idea\b",
    re.I,
)
INJECTION_ECHO = re.compile(
    r"\bas an? (?:ai|artificial intelligence)\b|\blanguage model\b|\bhard rules?\b|"
    r"\boutput(?: format)? rules?\b|\bcomo (?:una? )?(?:ia|inteligencia artificial)\b|"
    r"\bmodelo de lenguaje\b|\breglas (?:estrictas|duras|de salida|de formato)\b",
    re.I,
)
PLACEHOLDERS = re.compile(
    r"\[\s*(?:insert|inserte|inserta|your|tu|add|placeholder)\b[^\]]*\]|"
    r"<\s*(?:placeholder|insert)[^>]*>|\{\{?\s*(?:placeholder|insert)[^}]*\}\}?|"
    r"\blorem ipsum\b|\b(?:TODO|TBD|FIXME)\b"
)
"""Placeholders and filler that a finished prompt must not contain."""
INJECTION_FRAMING = re.compile(
    r"\b(?:as|como)\s+(?:an?\s+|una?\s+)?(?:large\s+)?(?:ai|ia|artificial intelligence|"
    r"inteligencia artificial|language\s+model|modelo de lenguaje)(?:\s+language\s+model)?\b"
    r"[^,.:]*[,.:]|\byou\s+must\s+answer\s*:|\bpretend\s+(?:you\s+are|to\s+be)\b[^.:,]*[.:,]|"
    r"\bignore\s+(?:all\s+)?(?:the\s+)?previous\s+instructions\b\s*(?:and\b|[.:,])?|"
    r"\b(?:(?:hard|output(?:\s+format)?)\s+rules?|reglas(?:\s+\w+)?)\s*:[^.]*\.",
    re.I,
)
"""The framing of an injection-like idea ('As an AI, ', 'hard rules: ... .'), not its request."""
FRAMEWORK_WORDS = re.compile("|".join(re.escape(name) for name in FRAMEWORKS if "-" in name), re.I)
"""Framework names that no prose field needs ('react' and 'decomposition' are ordinary)."""


Demo = tuple[str, str]
"""(an example's idea, one of its guardrails): what a few-shot program may copy."""

# -- the report ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One named check: whether it passed, why, and its value in [0, 1]."""

    name: str
    passed: bool
    reason: str
    value: float = -1.0
    structural: bool = False
    """Guaranteed by the template assembly on the embedded path: reported, never weighted."""

    def __post_init__(self) -> None:
        if self.value < 0:
            object.__setattr__(self, "value", 1.0 if self.passed else 0.0)


@dataclass(frozen=True)
class QualityReport:
    """The checks of one prompt, the verdict and the score."""

    checks: tuple[Check, ...]
    acceptable: bool
    score: float
    failures: tuple[Check, ...] = field(default=())

    @property
    def summary(self) -> str:
        """One line: the verdict and the first reasons it failed."""
        if self.acceptable:
            return f"acceptable ({self.score:.2f}): every check passed"
        reasons = "; ".join(check.reason for check in self.failures[:3])
        return f"not acceptable ({self.score:.2f}): {reasons}"


def score_of(checks: Sequence[Check]) -> tuple[bool, float]:
    """The verdict (every check passed) and the banded score of the weighted checks."""
    acceptable = all(check.passed for check in checks)
    weighted = [check.value for check in checks if not check.structural]
    share = sum(weighted) / len(weighted) if weighted else 0.0
    if acceptable:
        return True, ACCEPTABLE_FLOOR + (1 - ACCEPTABLE_FLOOR) * share
    return False, JUNK_CEILING * share


def evidence_confidence(
    report: QualityReport, stated: float | None, *, embedded: bool
) -> float | None:
    """The confidence a result shows.

    The embedded model's own number is noise (0.5 or 1.0 whatever it wrote), so there the
    confidence is the quality score: evidence from the checks. A hosted provider's stated
    confidence is kept as it is; the checks are shown beside it.
    """
    return report.score if embedded else stated


# -- the checks ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Reading:
    """What the checks read: the parts, the idea's terms, and its language."""

    idea: str
    context: str
    role: str
    directive: str
    framework: str
    guardrails: tuple[str, ...]
    prompt: str
    given: str
    """The idea and context in plain lower case (what the prompt may quote)."""
    idea_terms: frozenset[str]
    source_prefixes: set[str]
    language: str

    @property
    def prose(self) -> list[tuple[str, str]]:
        """(name, text) of each field a model writes."""
        fields = [("role", self.role), ("directive", self.directive)]
        return fields + [(f"guardrail {n}", g) for n, g in enumerate(self.guardrails, 1)]


def _first_word(text: str) -> str:
    text = re.sub(r"^(?:please|por favor)[,\s]+", "", text.strip(), flags=re.I)
    match = re.match(r"[¡¿\"'(]*([^\W\d_][\w'-]*)", text)
    return plain(match.group(1)) if match else ""


def _starts_imperative(text: str) -> bool:
    """Starts with a verb telling what to do (a listed verb, or one whose -ing or infinitive
    form is a common word: 'ignore' -> 'ignoring', 'cubre' -> 'cubrir')."""
    first = _first_word(text)
    if first in IMPERATIVES or first in NEGATIONS or NEGATIVE_IMPERATIVE.match(text):
        return True
    if first in STOP_WORDS or first.endswith("ing") or len(first) < 3 or not first.isalpha():
        return False
    english = (first + "ing", first[:-1] + "ing", first + first[-1] + "ing")
    return max(_zipf(word, "en") for word in english) >= VERB_ZIPF or _spanish_imperative(first)


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
        if max(_zipf(s + end, "es") for s in stems for end in ("ar", "er", "ir")) >= VERB_ZIPF:
            return True
    return False


def _states_constraint(text: str) -> bool:
    """A statement a person can check the answer against: a verb ('The teacher asks ...',
    'Each endpoint returns ...', 'Cada respuesta incluye ...') and a limit, a quantifier,
    'never' or a number ('... only and never states a definition'); not the assistant
    speaking of itself ('I am not able to ...')."""
    if _first_word(text) in {"i", "yo"}:
        return False
    later = words(text)[1:]
    verb = any(
        word in STATE_VERBS
        or word in IMPERATIVES
        or (word.endswith("s") and (word[:-1] in IMPERATIVES or word[:-2] in IMPERATIVES))
        for word in later
    )
    return verb and bool(CONSTRAINT.search(text))


def _ends_cut_off(text: str) -> bool:
    """Ends on a word that needs another after it ('for', 'the', 'de', ...; an accented
    question word such as '¿por qué?' ends a sentence)."""
    tail = _WORD.findall(text.lower())
    ending = text.rstrip()
    if ending.endswith((".", "?", "!", "'", '"')):
        return False
    return bool(tail) and (tail[-1] in DANGLING or bool(DANGLING_TAIL.search(ending)))


def _with_masculine_forms(role_words: Iterable[str]) -> set[str]:
    """The words, plus the masculine form of Spanish feminine ones ('panadera' -> 'panadero',
    'moderadora' -> 'moderador'), so the profession lists need each trade only once."""
    found = set(role_words)
    for word in list(found):
        if word.endswith("ora"):
            found.add(word[:-1])
        elif word.endswith("a") and len(word) > 4:
            found.add(word[:-1] + "o")
    return found


def check_role(reading: _Reading) -> list[Check]:
    """The role is a profession, specific, and from the idea's trade."""
    role_words = _with_masculine_forms(words(reading.role))
    trades = [trade for trade, nouns in TRADE_ROLES.items() if role_words & nouns]
    broad = bool(role_words & BROAD_PROFESSIONS)
    is_profession = bool(trades) or broad
    checks = [
        Check(
            "role is a profession",
            is_profession and not GENERIC_ROLE.search(reading.role),
            "the role names an expert"
            if is_profession and not GENERIC_ROLE.search(reading.role)
            else f"the role {reading.role!r} names no expert (a generic helper or no profession)",
        )
    ]
    qualifiers = {
        word
        for word in words(reading.role)
        if word not in GENERIC_WORDS
        and not any(word in nouns for nouns in TRADE_ROLES.values())
        and word not in BROAD_PROFESSIONS
        and word.isalpha()
        and not PROGRAM_WORDS.search(reading.role)
    }
    specific = bool(qualifiers) and not GENERIC_ROLE.search(reading.role)
    checks.append(
        Check(
            "role is specific",
            specific,
            "the role says which kind of expert"
            if specific
            else f"the role {reading.role!r} is generic: it says nothing about the field",
        )
    )
    idea_trades = _idea_trades(reading)
    shares_terms = bool(key_terms(reading.role) - _ROLE_TERM_STOPS & reading.source_prefixes)
    fitting = (
        not trades
        or not idea_trades
        or shares_terms
        or any(FITTING_TRADES[trade] & idea_trades for trade in trades)
    )
    checks.append(
        Check(
            "role fits the idea's trade",
            fitting,
            "the role's trade fits the idea"
            if fitting
            else f"the role is a {'/'.join(trades)} trade, the idea is about "
            f"{'/'.join(sorted(idea_trades))}",
        )
    )
    return checks


_ROLE_TERM_STOPS = frozenset(term[:STEM_CHARS] for term in GENERIC_WORDS)


def _idea_trades(reading: _Reading) -> set[str]:
    given = set(words(f"{request_of(reading.idea)} {reading.context}"))
    return {trade for trade, vocabulary in TRADE_IDEAS.items() if given & vocabulary}


def check_directive(reading: _Reading) -> list[Check]:
    """The directive is an imperative, whole, and covers the idea's key terms."""
    directive = reading.directive
    imperative = _starts_imperative(directive)
    checks = [
        Check(
            "directive is an instruction",
            imperative and len(directive.split()) >= MIN_DIRECTIVE_WORDS,
            "the directive starts with what to do"
            if imperative and len(directive.split()) >= MIN_DIRECTIVE_WORDS
            else f"the directive {directive[:60]!r} is not an instruction of "
            f"{MIN_DIRECTIVE_WORDS}+ words starting with a verb",
        )
    ]
    idea_words, directive_words = words(reading.idea), words(directive)
    copied = bool(directive_words) and idea_words[: len(directive_words)] == directive_words
    whole = not copied and not _ends_cut_off(directive)
    checks.append(
        Check(
            "directive is whole",
            whole,
            "the directive is a whole task, not the idea repeated"
            if whole
            else "the directive is the idea's own words or ends mid-sentence",
        )
    )
    share, specifics = _directive_coverage(reading)
    on_task = _on_task(share, specifics)
    checks.append(
        Check(
            "directive covers the idea",
            on_task,
            f"the directive covers {share:.0%} of the idea's key terms"
            + (f" and {specifics} of the context's" if specifics else ""),
            value=max(share, DIRECTIVE_COVERAGE) if on_task else share,
        )
    )
    return checks


def request_of(idea: str) -> str:
    """The request of an idea without its injection-like framing ('As an AI, write ...' ->
    'write ...'); the idea itself when nothing else is left."""
    request = INJECTION_FRAMING.sub(" ", idea).strip()
    return request if key_terms(request) else idea


def _directive_coverage(reading: _Reading) -> tuple[float, int]:
    """The share of the idea's key terms the directive covers, and how many key terms of the
    context alone it names."""
    found = prefixes(reading.directive)
    share = coverage(reading.idea_terms, found)
    specifics = len((key_terms(reading.context) - reading.idea_terms) & found)
    return (1.0 if share is None else share), specifics


def _on_task(share: float, specifics: int) -> bool:
    return share >= DIRECTIVE_COVERAGE or (share > 0 and specifics >= CONTEXT_SPECIFICS)


def _near(first: str, second: str) -> bool:
    """Two texts with (nearly) the same key terms."""
    ours, theirs = key_terms(first), key_terms(second)
    if not ours or not theirs:
        return plain(first).strip() == plain(second).strip()
    return len(ours & theirs) / len(ours | theirs) >= 0.7


def check_guardrails(reading: _Reading, demos: Sequence[Demo]) -> list[Check]:
    """3-5 guardrails: whole imperative sentences, distinct, about this idea, not copied."""
    rules = reading.guardrails
    count_ok = MIN_GUARDRAILS <= len(rules) <= MAX_GUARDRAILS
    checks = [
        Check(
            "3-5 guardrails",
            count_ok,
            f"{len(rules)} guardrails",
            structural=True,
        )
    ]
    bad = [
        rule
        for rule in rules
        if len(rule.split()) < MIN_GUARDRAIL_WORDS
        or _ends_cut_off(rule)
        or not (_starts_imperative(rule) or MODALS.search(rule) or _states_constraint(rule))
    ]
    checks.append(
        Check(
            "guardrails are instructions",
            bool(rules) and not bad,
            "every guardrail is a whole instruction"
            if rules and not bad
            else f"not a whole instruction: {bad[0][:60]!r}"
            if bad
            else "no guardrails",
        )
    )
    repeated = [
        rules[j]
        for i in range(len(rules))
        for j in range(i + 1, len(rules))
        if _near(rules[i], rules[j])
    ]
    checks.append(
        Check(
            "guardrails are distinct",
            not repeated,
            "no guardrail repeats another"
            if not repeated
            else f"repeats an earlier guardrail: {repeated[0][:60]!r}",
        )
    )
    task = reading.source_prefixes
    if _on_task(*_directive_coverage(reading)):
        task = task | prefixes(reading.directive)  # a directive on the idea spells out the task
    trade_words = set().union(*(TRADE_IDEAS[trade] for trade in _idea_trades(reading)))
    related = [rule for rule in rules if key_terms(rule) & task or set(words(rule)) & trade_words]
    share = len(related) / len(rules) if rules else 0.0
    checks.append(
        Check(
            "guardrails are about the idea",
            share >= RELATED_GUARDRAILS,
            f"{len(related)} of {len(rules)} guardrails share a key term with the idea or task",
            value=share,
        )
    )
    idea_terms = key_terms(f"{reading.idea} {reading.context}")
    foreign = [
        rule
        for rule in rules
        for demo_idea, demo_rule in demos
        if _near(rule, demo_rule) and not key_terms(demo_idea) & idea_terms
    ]
    checks.append(
        Check(
            "guardrails not copied from an unrelated example",
            not foreign,
            "no guardrail is copied from an example about something else"
            if not foreign
            else f"copied from an unrelated example: {foreign[0][:60]!r}",
        )
    )
    return checks


def _not_given(tokens: Iterable[str], given: str) -> list[str]:
    return [token for token in tokens if plain(token) not in given]


def _noise(reading: _Reading) -> dict[str, list[str]]:
    """Noise found in the model's fields, by kind (things the idea and context do not hold)."""
    found: dict[str, list[str]] = {kind: [] for kind in NOISE_CHECKS}
    given = reading.given
    usual = set(NUMBER.findall(given)) | _domain_numbers(reading)
    for _name, text in reading.prose:
        digits = TIMESTAMP.findall(text) + LONG_DIGITS.findall(text) + NUMBER_TUPLE.findall(text)
        bare = DESIGNATION.sub(" ", MEASURE.sub(" ", text))
        new_numbers = set(NUMBER.findall(bare)) - usual
        if len(new_numbers) > MAX_NEW_NUMBERS:
            digits.append(", ".join(sorted(new_numbers)))
        found["digits"].extend(_not_given(digits, given))
        files = [
            name
            for name in (m.group(0) for m in FILE_NAME.finditer(text))
            if "." in name and not TECH_JS.match(name) and name.lower() not in WELL_KNOWN_FILES
        ]
        files += [m.group(0) for m in DOMAIN.finditer(text)] + URL.findall(text)
        found["files"].extend(_not_given(files, given))
        pairs = KEY_VALUE.findall(text) + LITERALS.findall(text)
        if len(pairs) >= 2 or LITERALS.search(text):
            found["key_values"].append(text[:60])
        glued = [
            token
            for token in (raw.strip(".,;:()\"'") for raw in _TOKEN.findall(text))
            if any(_glued(part, reading) for part in token.split("-"))
        ]
        found["glued"].extend(_not_given(glued, given))
        slugs = [
            slug
            for slug in SLUG.findall(text)
            if slug not in COMMON_COMPOUNDS and slug.lower() not in FRAMEWORKS and _sluglike(slug)
        ]
        found["slugs"].extend(_not_given(slugs, given))
        leaks = [m.group(0) for m in PROGRAM_WORDS.finditer(text)]
        leaks += [m.group(0) for m in FRAMEWORK_WORDS.finditer(text)]
        leaks += [m.group(0) for m in PLACEHOLDERS.finditer(text)]
        found["program"].extend(_not_given(leaks, given))
    prompt = reading.prompt.replace(reading.context, "") if reading.context else reading.prompt
    found["files"].extend(_not_given(URL.findall(prompt) + DOMAIN.findall(prompt), given))
    leaks = [m.group(0) for m in PROGRAM_WORDS.finditer(prompt)]
    found["program"].extend(leaks + [m.group(0) for m in PLACEHOLDERS.finditer(prompt)])
    return found


def _domain_numbers(reading: _Reading) -> set[str]:
    """Numbers the idea's domain uses: ports and status codes in software, small numbers in a
    maths lesson."""
    usual = set(SOFTWARE_NUMBERS) if "software" in _idea_trades(reading) else set()
    if MATH_WORDS & set(words(reading.given)):
        usual |= SMALL_NUMBERS
    return usual


def _glued(token: str, reading: _Reading) -> bool:
    """Words run together ('useFastAPIwithFet'): camel case that is no well-known name, no
    real word, and not a name made of the idea's own words ('RateLimit' for rate limiting)."""
    if not CAMEL.search(token) or plain(token) in KNOWN_CAMEL or is_real_word(token):
        return False
    parts = CAMEL_PART.findall(token)
    made_of_given = "".join(parts) == token and all(
        key_terms(part) and key_terms(part) <= reading.source_prefixes for part in parts
    )
    return not made_of_given


def _sluglike(token: str) -> bool:
    """A hyphenated run that is not an English compound ('two-year-old'): it starts with a
    verb ('use-static-cache'), has a part that is no word, or runs to four parts or more."""
    parts = token.split("-")
    return (
        parts[0] in IMPERATIVES
        or len(parts) >= 4
        or not all(part.isdigit() or is_real_word(part) for part in parts)
    )


NOISE_CHECKS: dict[str, tuple[str, str]] = {
    "digits": ("no timestamps or digit runs", "digit noise"),
    "files": ("no file names, domains or URLs", "a file name, domain or URL"),
    "key_values": ("no key: value lists", "a key: value list"),
    "glued": ("no glued words", "glued words"),
    "slugs": ("no slugs", "a slug"),
    "program": ("no program words or placeholders", "the program's own words"),
}


def check_noise(reading: _Reading) -> list[Check]:
    """One check per kind of noise, naming what was found."""
    found = _noise(reading)
    checks = []
    for kind, (name, what) in NOISE_CHECKS.items():
        items = found.get(kind, [])
        checks.append(Check(name, not items, f"{what}: {items[0]!r}" if items else f"no {what}"))
    echo = INJECTION_ECHO.search(reading.prompt) or any(
        INJECTION_ECHO.search(text) for _, text in reading.prose
    )
    echoed = echo.group(0) if isinstance(echo, re.Match) else "an injection-like phrase"
    checks.append(
        Check(
            "no injection echo",
            not echo,
            "no 'as an AI' or 'hard rules' echo" if not echo else f"echoes {echoed!r}",
        )
    )
    return checks


def check_language(reading: _Reading) -> list[Check]:
    """The fields speak the idea's language, in real words that do not loop."""
    text = " ".join(text for _, text in reading.prose)
    written = language_of(text)
    checks = [
        Check(
            "idea's language",
            written == reading.language,
            f"written in {written}, the idea is in {reading.language}"
            if written != reading.language
            else f"written in the idea's language ({written})",
        )
    ]
    candidates = [
        word
        for word in re.findall(r"[^\W\d_]{3,}", text)
        if plain(word) not in reading.given and not word.isupper()
    ]
    unknown = [word for word in candidates if not is_real_word(word)]
    share = len(unknown) / len(candidates) if candidates else 0.0
    crowded = any(
        sum(
            1
            for word in re.findall(r"\b[a-z]{3,}\b", field_text)
            if word not in reading.given and not is_real_word(word)
        )
        >= FIELD_NON_WORDS
        for _, field_text in reading.prose
    )
    checks.append(
        Check(
            "real words",
            share <= NON_WORD_SHARE and not crowded,
            f"{share:.0%} non-words" + (f" (e.g. {unknown[0]!r})" if unknown else ""),
            value=1.0 - min(1.0, share / (2 * NON_WORD_SHARE)),
        )
    )
    loops = [name for name, field_text in reading.prose if _loops(field_text)]
    checks.append(
        Check(
            "no word loops",
            not loops,
            "no field circles on the same words"
            if not loops
            else f"the {loops[0]} circles on the same words",
        )
    )
    return checks


def _loops(text: str) -> bool:
    """A short field using one key term 3+ times, or repeating a run of three words with a
    content word ('de la comida'; a repeated comparison such as '1/8 is bigger than' is
    no loop). Hyphenated names count as one term ('aria-expanded' and 'aria-activedescendant'
    are two attributes, not a loop on 'aria')."""
    tokens = words(text)
    terms = [plain(token.strip(".,;:()\"'")) for token in _TOKEN.findall(text)]
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


def check_structure(reading: _Reading) -> list[Check]:
    """The parts are there and the prompt holds them (guaranteed by the template)."""
    known = reading.framework in FRAMEWORKS
    holds = bool(reading.prompt) and all(
        (coverage(key_terms(text), prefixes(reading.prompt)) or 1.0) >= 0.8
        for _, text in reading.prose
    )
    return [
        Check(
            "known framework",
            known,
            f"framework {reading.framework!r}",
            structural=True,
        ),
        Check(
            "prompt holds every part",
            holds,
            "the prompt states the role, task and every guardrail"
            if holds
            else "the prompt leaves out a part",
            structural=True,
        ),
    ]


def check_prompt(
    idea: str,
    context: str,
    role: str,
    directive: str,
    framework: str,
    guardrails: Iterable[str],
    improved_prompt: str,
    *,
    demos: Sequence[Demo] = (),
) -> QualityReport:
    """Every check of one improved prompt, its verdict and its score.

    `demos` are (idea, guardrail) pairs of the examples the program was shown (few-shot), so
    a guardrail copied from an example about something else is caught.
    """
    reading = _Reading(
        idea=idea.strip(),
        context=context.strip(),
        role=role.strip(),
        directive=directive.strip(),
        framework=framework.strip().lower(),
        guardrails=tuple(rule.strip() for rule in guardrails if rule.strip()),
        prompt=improved_prompt.strip(),
        given=plain(f"{idea}\n{context}"),
        idea_terms=key_terms(request_of(idea)),
        source_prefixes=prefixes(f"{idea} {context}"),
        language=language_of(idea),
    )
    checks = (
        check_structure(reading)
        + check_role(reading)
        + check_directive(reading)
        + check_guardrails(reading, demos)
        + check_noise(reading)
        + check_language(reading)
    )
    acceptable, score = score_of(checks)
    failures = tuple(check for check in checks if not check.passed)
    return QualityReport(tuple(checks), acceptable, score, failures)


def check_run(run: PromptRun) -> QualityReport:
    """`check_prompt` of a stored run's parts."""
    return check_prompt(
        run.original_idea,
        run.context,
        run.role,
        run.directive,
        run.framework,
        run.guardrails,
        run.improved_prompt,
    )
