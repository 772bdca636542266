"""Objects: the things a rule or a request is about, and the words that call for each.

A guardrail such as 'Give each action item one owner' is about meetings; for an idea that
names no meeting (nor a transcript, an agenda, a call) it is a rule about something else. Each
entry below holds the words that name an object (regular-expression prefixes of plain, lower-case
words) and the words of an idea or context that mention or imply it. A part that names an
object its idea and context never call for is off the task, however well it is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from promptimp.quality.lexicon import words


@dataclass(frozen=True)
class Thing:
    """One object: what it is called in a prompt and what in an idea calls for it."""

    name: str
    named: re.Pattern[str]
    called_for: re.Pattern[str]


def _pattern(terms: str) -> re.Pattern[str]:
    """Word-start prefixes ('meeting' also matches 'meetings'); a term may end in \\b."""
    return re.compile(r"\b(?:" + "|".join(terms.split()) + ")")


_OBJECTS: dict[str, tuple[str, str]] = {
    # object: (words that name it, words of an idea or context that call for it)
    "an API endpoint": (
        r"endpoint",
        r"api\b apis\b rest\b graphql endpoint server servidor backend route ruta webhook http "
        r"microservic fastapi flask django express spring\b auth login jwt oauth",
    ),
    "a service boundary": (
        r"service\sboundary borde\sdel\sservicio",
        r"api\b apis\b endpoint service servicio server servidor backend microservic webhook "
        r"form\b forms\b formulario input entrada fastapi flask django express spring\b "
        r"graphql rest\b",
    ),
    "a web stack": (
        r"web\sstack",
        r"web\b website sitio app\b apps\b api\b apis\b backend frontend django flask fastapi "
        r"rails laravel express node server servidor html saas spa\b",
    ),
    "a combobox": (
        r"combobox",
        r"combobox autocomplet dropdown desplegable typeahead select\b",
    ),
    "keyboard use and focus": (
        r"keyboard teclado focus\sring foco\svisible",
        r"accessib accesib a11y keyboard teclado form\b forms\b formulario screen\sreader "
        r"lector\sde\spantalla wcag modal menu dialog combobox dropdown desplegable button "
        r"boton navigation navegacion toggle switch\b landing page pagina hero\b ui\b "
        r"component componente website sitio web\b",
    ),
    "a shop": (
        r"shop\b shops\b tienda",
        r"shop\b shops\b tienda store\b stores\b retail ecommerce e\scommerce comercio boutique "
        r"bakery panader pasteler cafe\b cafeteria restaurant business negocio pyme recipe "
        r"receta cook cocinar meal comida dinner cena menu food grocer",
    ),
    "a product roadmap": (
        r"roadmap hoja\sde\sruta",
        r"roadmap hoja\sde\sruta build\snext product producto feature funcionalidad release "
        r"backlog sprint",
    ),
    "a code listing": (
        r"exact\slines? line\sor\sblock corrected\scode lineas\sexactas codigo\scorregido",
        r"code\b codigo diff\b pull\srequest snippet script function funcion file\b files\b "
        r"archivo config query queries consulta sql\b class\b clase review revis bug\b bugs\b "
        r"feedback comment edit draft text\b texto essay ensayo story cuento poem poema "
        r"error\b errors\b errores traceback exception excepcion crash debug depur python "
        r"javascript typescript java\b react vue\b node\b",
    ),
    "attackers and threats": (
        r"attacker atacante threat amenaza",
        r"secur segur threat amenaza attack ataque vulnerab pentest hack breach brecha phishing "
        r"malware auth jwt password contrasena mfa\b 2fa firewall xss injection inyeccion csrf "
        r"risk riesgo",
    ),
    "a firewall": (
        r"firewall cortafuegos",
        r"server servidor vps\b linux ubuntu debian network\b red\b firewall cortafuegos "
        r"harden ec2 nginx secur segur",
    ),
    "a buyer": (
        r"buyer comprador prospect",
        r"sales ventas sell vender pitch prospect lead\b leads\b outreach cold\b b2b deal\b "
        r"comprador buyer purchase compra ecommerce product\b products\b producto discovery "
        r"call\b inmobiliaria real\sestate property propiedad vivienda",
    ),
    "a delay": (
        r"delay retraso",
        r"delay retras late\b tarde shipping envio deadline plazo postpon aplaz apolog disculp "
        r"order pedido",
    ),
    "a book's chapters": (
        r"chapter capitulo",
        r"book libro novel\b novels\b novela chapter capitulo story stories cuento ebook thesis "
        r"tesis manual",
    ),
    "fiction (dialogue, plot, a narrator)": (
        r"dialogue dialogo narrator narrador plot\b trama one\stense fiction ficcion novelist "
        r"novelista",
        r"story stories cuento novel\b novels\b novela fiction ficcion script guion screenplay "
        r"play\b obra scene escena character personaje narrat dialog relato chapter capitulo "
        r"fanfic book libro socrat philosoph filosof microrrelato terror horror",
    ),
    "learners": (
        r"learner student alumn estudiante learning\sobjective objetivo\sde\saprendizaje",
        r"teach ensen lesson leccion class\b classes clase course curso student alumn "
        r"estudiante school escuela colegio kids\b ninos grade\b graders schooler learn aprend "
        r"study estudi exam\b exams\b examen tutor homework deberes workshop taller training "
        r"formacion kid\b child children hijo hija bachiller rubric rubrica grading thesis tesis "
        r"master univers phd doctor",
    ),
    "employees and their jobs": (
        r"employee empleado puesto",
        r"employee empleado staff\b plantilla hr\b rrhh hiring contrat team\b equipo job\b "
        r"puesto workplace trabajo laboral manager onboarding performance salary salario "
        r"worker trabajador exit\b company empresa pyme organi business negocio policy "
        r"politica volunteer voluntari",
    ),
    "a meeting": (
        r"meeting reunion kickoff action\sitem agenda",
        r"meeting reunion kickoff call\b calls\b llamada standup retro\b retrospective workshop "
        r"taller transcript transcripcion acta\b agenda session sesion conference "
        r"one\son\sone onboarding raise\b aumento negotiat negocia outreach offsite event evento",
    ),
    "a marketing campaign": (
        r"call\sto\saction llamada\sa\sla\saccion campaign campana",
        r"marketing campaign campana promo promocion email correo newsletter landing ad\b ads\b "
        r"anuncio sale\b sales ventas launch lanzamiento post\b posts\b social instagram "
        r"linkedin tiktok brand marca seo\b funnel conversion signup blog content contenido "
        r"article articulo",
    ),
    "a dish or recipe": (
        r"dish plato recipe receta oven horno ingredient ingrediente",
        r"cook cocinar recipe receta meal comida dinner cena lunch almuerzo breakfast desayuno "
        r"bake\b baking horne bread\b pan\b sourdough masa menu food dish plato restaurant "
        r"cake tarta pastel egg\b eggs\b huevo chicken pollo rice\b arroz vegan vegetarian "
        r"gluten dessert postre soup sopa pasta",
    ),
    "a readme": (
        r"readme",
        r"readme docs\b documentation documentacion repo\b repository repositorio github "
        r"open\ssource library librer package paquete",
    ),
    "a Kubernetes pod": (
        r"pod\b pods\b",
        r"kubernetes k8s pod\b pods\b cluster helm openshift eks\b gke\b aks\b",
    ),
    "a translation": (
        r"translation traduccion translator traductor target\slanguage idioma\sde\sdestino",
        r"translat traduc subtit locali i18n multilingual multilingue idioma bilingual bilingue",
    ),
    "a diagnosis": (
        r"medication medicamento",
        r"pain\b dolor symptom sintoma sick enferm injur lesion medical medic doctor salud "
        r"health diagnos illness patient paciente pregnan embaraz disease clinic therapy "
        r"terapia treatment tratamiento",
    ),
    "a model to train": (
        r"training,?\s(?:validation|set|data) prediction\stime leakage conjunto\sde\sentrenamiento "
        r"fuga\sde\sdatos",
        r"model modelo predict predic forecast pronost machine\slearning ml\b train\b training "
        r"entren classif regress churn neural deep\slearning dataset sensor maintenance "
        r"mantenimiento",
    ),
    "pytest": (r"pytest", r"pytest python django flask fastapi"),
    "Python": (r"python", r"python pytest django flask fastapi pandas numpy jupyter docstring"),
}
OBJECTS = tuple(
    Thing(name, _pattern(named), _pattern(called_for))
    for name, (named, called_for) in _OBJECTS.items()
)


def _plain_words(text: str) -> str:
    return " ".join(words(text))


@lru_cache(maxsize=4096)
def called_for(given: str) -> frozenset[str]:
    """The objects the idea and context (`given`) mention or imply."""
    text = _plain_words(given)
    return frozenset(thing.name for thing in OBJECTS if thing.called_for.search(text))


def foreign_objects(text: str, given: str) -> list[str]:
    """The objects `text` names that the idea and context (`given`) never call for."""
    plain_text = _plain_words(text)
    wanted = called_for(given)
    return [
        thing.name
        for thing in OBJECTS
        if thing.name not in wanted and thing.named.search(plain_text)
    ]
