"""Normalise a program's raw output and assemble the final improved prompt from its parts."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping

from promptimp.models import FRAMEWORKS, MAX_GUARDRAILS, ImprovedPrompt
from promptimp.quality import QualityReport, check_prompt, evidence_confidence
from promptimp.text import indefinite_article

APPROACH: dict[str, tuple[str, str]] = {
    "chain-of-thought": (
        "Use chain-of-thought: reason step by step before giving the final answer.",
        "Razona paso a paso antes de dar la respuesta final (chain-of-thought).",
    ),
    "tree-of-thoughts": (
        "Use tree-of-thoughts: explore several options, compare them, then commit to the best.",
        "Explora varias opciones, compáralas y quédate con la mejor (tree-of-thoughts).",
    ),
    "decomposition": (
        "Use decomposition: split the task into parts, solve each, then combine them.",
        "Divide la tarea en partes, resuelve cada una y combínalas (descomposición).",
    ),
    "role-playing": (
        "Use role-playing: answer fully in character as the expert described above.",
        "Responde por completo en el papel del experto descrito (juego de rol).",
    ),
    "react": (
        "Use react: alternate short reasoning steps with concrete actions and observations.",
        "Alterna pasos breves de razonamiento con acciones y observaciones concretas (ReAct).",
    ),
    "step-back": (
        "Use step-back: first state the general principles involved, then apply them here.",
        "Enuncia primero los principios generales y luego aplícalos aquí (step-back).",
    ),
    "few-shot": (
        "Use few-shot: give a short worked example first, then follow its pattern.",
        "Da primero un ejemplo breve resuelto y luego sigue su patrón (few-shot).",
    ),
    "self-critique": (
        "Use self-critique: draft an answer, review it against the guardrails, then improve it.",
        "Escribe un borrador, revísalo con las restricciones y mejóralo (autocrítica).",
    ),
}
DEFAULT_FRAMEWORK = "chain-of-thought"

HEADINGS = {
    "en": ("You are {role}.", "Task", "Context", "Approach", "Guardrails"),
    "es": ("Eres {role}.", "Tarea", "Contexto", "Enfoque", "Restricciones"),
}

_SPANISH_WORDS = frozenset(
    {
        "el",
        "la",
        "los",
        "las",
        "un",
        "una",
        "de",
        "del",
        "para",
        "por",
        "con",
        "sobre",
        "que",
        "y",
        "en",
        "es",
        "mi",
        "su",
        "como",
        "cómo",
        "qué",
        "diseñar",
        "crear",
        "escribir",
        "necesito",
        "quiero",
        "ayuda",
        "ayúdame",
    }
)
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s*")


def detect_language(text: str) -> str:
    """'es' when the text reads as Spanish, else 'en' (a light stop-word heuristic)."""
    words = re.findall(r"[a-záéíóúñü]+", text.lower())
    if not words:
        return "en"
    spanish = sum(word in _SPANISH_WORDS for word in words)
    accented = any(ch in text.lower() for ch in "ñ¿¡áéíóú")
    return "es" if spanish / len(words) >= 0.2 or (accented and spanish) else "en"


def normalise_guardrails(value: object) -> tuple[str, ...]:
    """A tuple of distinct, non-empty guardrails (at most five) from a list or a text."""
    if isinstance(value, str):
        text = value.strip()
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        items: Iterable[object] = parsed if isinstance(parsed, list) else text.splitlines()
    elif isinstance(value, Iterable):
        items = value
    else:
        items = ()
    cleaned: list[str] = []
    for item in items:
        line = _BULLET.sub("", str(item)).strip()
        if line and line.lower() not in {c.lower() for c in cleaned}:
            cleaned.append(line)
    return tuple(cleaned[:MAX_GUARDRAILS])


def normalise_confidence(value: object) -> float | None:
    """A float clamped into [0, 1]; a percentage (85 or '85%') becomes 0.85; None if unparseable."""
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip().rstrip("%")
    try:
        number = float(text)
    except ValueError:
        return None
    if number != number:  # NaN
        return None
    if 1.0 < number <= 100.0:
        number /= 100.0
    return max(0.0, min(1.0, number))


def normalise_framework(value: object) -> str:
    """The known framework id closest to `value` (case, spaces and underscores ignored)."""
    text = re.sub(r"[\s_]+", "-", str(value or "").strip().lower())
    if text in FRAMEWORKS:
        return text
    for framework in FRAMEWORKS:
        if framework.replace("-", "") in text.replace("-", ""):
            return framework
    return text or DEFAULT_FRAMEWORK


_NAMES = """python java javascript typescript go rust ruby swift kotlin scala linux windows
android react angular vue django flask rails node kubernetes docker terraform excel google apple
microsoft amazon azure instagram facebook tiktok twitter shopify salesforce wordpress figma
spotify unity"""
NAMES = frozenset(_NAMES.split())
"""Names a role may start with ('Python developer'): they keep their capital."""


def _in_sentence(role: str) -> str:
    """The role as it reads after "You are" / "Eres": its first word lower-cased unless it is
    an acronym or a name ('Python', 'LinkedIn')."""
    role = role.strip().rstrip(".")
    first = role.split(" ", 1)[0]
    if first and first[1:] == first[1:].lower() and first.lower() not in NAMES:
        return role[0].lower() + role[1:]
    return role


def _english_role(role: str) -> str:
    """'Senior editor' -> 'a senior editor'; keeps acronyms, names and roles that have an
    article."""
    role = _in_sentence(role)
    if not role or role.split(" ", 1)[0] in {"a", "an", "the"}:
        return role
    return f"{indefinite_article(role)} {role}"


def assemble_prompt(
    role: str,
    directive: str,
    framework: str,
    guardrails: Iterable[str],
    context: str,
    language: str,
) -> str:
    """The complete prompt, in sections, in the idea's language."""
    opening, task, context_heading, approach, rules = HEADINGS.get(language, HEADINGS["en"])
    english, spanish = APPROACH.get(framework, (f"Use {framework}.", f"Usa {framework}."))
    role = _english_role(role) if language == "en" else _in_sentence(role)
    sections = [opening.format(role=role), f"## {task}\n{directive}"]
    if context.strip():
        sections.append(f"## {context_heading}\n{context.strip()}")
    sections.append(f"## {approach}\n{spanish if language == 'es' else english}")
    sections.append(f"## {rules}\n" + "\n".join(f"- {rule}" for rule in guardrails))
    return "\n\n".join(sections)


def _text(fields: Mapping[str, object], name: str) -> str:
    return str(fields.get(name) or "").strip()


def _confidence(
    report: QualityReport, stated: float | None, domain_fit: object, *, embedded: bool
) -> float | None:
    """The checks' evidence, and on the embedded path no higher than how sure the curated
    program is of the idea's domain (`domain_fit`, when it gives one)."""
    confidence = evidence_confidence(report, stated, embedded=embedded)
    if embedded and isinstance(domain_fit, float) and confidence is not None:
        return min(confidence, domain_fit)
    return confidence


def to_improved_prompt(
    fields: Mapping[str, object], idea: str, context: str, *, assemble: bool
) -> ImprovedPrompt:
    """Normalise raw output fields; assemble the prompt when asked or when the model gave none."""
    role, directive = _text(fields, "role"), _text(fields, "directive")
    framework = normalise_framework(fields.get("framework"))
    guardrails = normalise_guardrails(fields.get("guardrails"))
    prompt = _text(fields, "improved_prompt")
    if assemble or not prompt:
        language = detect_language(f"{idea} {context}")
        prompt = assemble_prompt(role, directive, framework, guardrails, context, language)
    report = check_prompt(idea, context, role, directive, framework, guardrails, prompt)
    stated = normalise_confidence(fields.get("confidence"))
    return ImprovedPrompt(
        improved_prompt=prompt,
        role=role,
        directive=directive,
        framework=framework,
        guardrails=guardrails,
        reasoning=_text(fields, "reasoning"),
        confidence=_confidence(report, stated, fields.get("domain_fit"), embedded=assemble),
    )
