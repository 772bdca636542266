"""Trades: the profession words of a role and the words of an idea in each trade.

A role is a profession when it holds a trade's profession word (or a broad one such as
'consultant'); it fits the idea when its trade can serve the trades the idea's words belong to.
"""

from __future__ import annotations

import re

from promptimp.quality.framing import request_of
from promptimp.quality.lexicon import plain, words
from promptimp.quality.reading import Reading

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
        "navigation navegacion index indexes indices query queries consulta consultas test "
        "pytest fixture fixtures unit unitarias pruebas junit jest spring boot jpa flutter dart "
        "iphone ipad push notifications notificaciones ssh github gitlab pull commit branch "
        "div docstrings docstring module modulo npm package",
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
        "readme linkedin tweet docs documentation wording tone presentation presentacion slides "
        "diapositivas",
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
        "alquiler local comercial onboarding welcome entrevista contratar contratacion hire hiring "
        "recruit recruiting reclutar candidate candidato candidatos job empleo",
    ),
    "legal": (
        "lawyer attorney counsel paralegal abogado abogada notary solicitor",
        "contract contrato contratos terms terminos privacy privacidad gdpr rgpd legal policy "
        "politica license licencia trademark debt deuda compliance lease alquiler factura cookie "
        "cookies consent consentimiento disclaimer",
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
    "humanities": (
        "historian historiador philosopher filosofo",
        "history historia historical historico revolution revolucion empire imperio war guerra "
        "philosophy filosofia socrates plato medieval ancient antigua",
    ),
    "events": (
        "",
        "party parties fiesta fiestas birthday cumpleanos wedding boda celebration celebrar "
        "celebracion anniversary aniversario",
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
    "writing": frozenset(
        {"writing", "business", "education", "legal", "research", "humanities", "events"}
    ),
    "education": frozenset({"education", "research", "writing", "humanities"}),
    "health": frozenset({"health", "research", "food", "sports"}),
    "business": frozenset({"business", "writing", "data", "legal", "design", "events"}),
    "legal": frozenset({"legal", "business"}),
    "research": frozenset(
        {"research", "data", "health", "education", "software", "business", "humanities"}
    ),
    "design": frozenset({"design", "software", "business"}),
    "sports": frozenset({"sports", "health"}),
    "food": frozenset({"food", "health"}),
    "humanities": frozenset({"humanities", "education", "writing", "research"}),
    "events": frozenset({"events", "business"}),
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


def idea_trades(reading: Reading) -> set[str]:
    """The trades whose idea words the idea's request or its context use."""
    given = set(words(f"{request_of(reading.idea)} {reading.context}"))
    return {trade for trade, vocabulary in TRADE_IDEAS.items() if given & vocabulary}
