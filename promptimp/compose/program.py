"""CuratedImprover: the embedded model's improve program.

A 135M model writes junk when it writes roles and guardrails from nothing, so on the embedded
path the parts come from the curated domain library (`promptimp.compose.library`):
- the idea's domain: the nearest domain document (`DomainClassifier`; few-shot adds the
  trainset's examples to their domains' documents);
- the role and 3 guardrails of that domain ranked by the key words the idea uses, after the
  rules the idea itself states;
- the directive: the idea as an imperative in its own words (`phrasing`), then what a good
  answer needs (the sub-topic's need the idea calls for, else the domain's), or, for a vague
  idea, what to ask for first (a concept to explain needs nothing more);
- the framework: the model's one short choice among those that suit the domain (few-shot shows
  it the nearest examples' choices and adds them to the options).
The prediction's `domain_fit` is how sure the classifier is of the domain (its lead over the next
domain, LEAST_FIT..1); `assembly.to_improved_prompt` makes the confidence the lower of it and the
quality score.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import dspy
from dspy.utils.exceptions import AdapterParseError

from promptimp.compose.domains import DomainClassifier, content_words
from promptimp.compose.library import DomainLibrary, idea_terms
from promptimp.compose.phrasing import (
    is_concept_explanation,
    is_explain_task,
    is_fix_task,
    task_sentence,
)
from promptimp.compose.stated_rules import stated_rules
from promptimp.fewshot import DemoSelector
from promptimp.models import MAX_GUARDRAILS, BackendType
from promptimp.quality import language_of, request_of

SURE_MARGIN = 0.05
"""A lead this large of the nearest domain over the next one makes the domain certain: on the
devset and wildset the median lead is 0.041 when the domain is right and 0.015 when it is wrong
(bench/retrieval_bench.py)."""
LEAST_FIT = 0.4
VAGUE_TERMS = 3
"""An idea with no context and at most this many content words is vague: ask for the rest."""
FIX_NEEDS = {
    "en": "List the likely causes from most to least probable, how to confirm each, and the fix.",
    "es": "Enumera las causas probables de más a menos, cómo confirmar cada una y la solución.",
}
"""What a good answer to a reported problem needs, in any domain."""
EXPLAIN_NEEDS = {
    "en": "Explain it step by step with one concrete example, and say what depends on details "
    "not given.",
    "es": "Explícalo paso a paso con un ejemplo concreto y di qué depende de detalles que no se "
    "dan.",
}
"""What a good answer to a question or a how-to needs, in any domain."""
CONTEXT_NOTE = {
    "en": "Use the context below.",
    "es": "Ten en cuenta el contexto de abajo.",
}
REASONING = {
    "en": "The idea reads as {domain} work, so the role is {role}; the guardrails are that "
    "domain's rules{matched}.",
    "es": "La idea es del ámbito {domain}, así que el rol es {role}; las restricciones son las "
    "de ese ámbito{matched}.",
}
MATCHED = {"en": ", chosen for {terms}", "es": ", elegidas por {terms}"}
KEPT_RULES = {
    "en": " The rules the idea sets come first.",
    "es": " Las reglas que pone la idea van primero.",
}


class ChooseFramework(dspy.Signature):
    """Choose the reasoning framework that best fits the task."""

    original_idea: str = dspy.InputField(desc="the user's rough idea")
    context: str = dspy.InputField(desc="optional background; may be empty")
    framework: str = dspy.OutputField()


def choose_among(options: Sequence[str]) -> type[dspy.Signature]:
    """ChooseFramework with its answer held to `options` (the grammar enforces the choice)."""
    return ChooseFramework.with_updated_fields("framework", type_=Literal[tuple(options)])


def domain_fit(margin: float) -> float:
    """How sure the domain is, from the nearest domain's lead: LEAST_FIT at no lead, 1 at
    SURE_MARGIN or more."""
    return round(LEAST_FIT + (1 - LEAST_FIT) * min(1.0, max(0.0, margin) / SURE_MARGIN), 3)


def is_vague(idea: str, context: str) -> bool:
    """Two or three words and no context: too little to act on without asking."""
    return not context.strip() and len(content_words(request_of(idea))) <= VAGUE_TERMS


class CuratedImprover(dspy.Module):
    """Improves a prompt from the curated library; the model chooses the framework."""

    def __init__(
        self,
        library: DomainLibrary,
        classifier: DomainClassifier,
        select_demos: DemoSelector | None = None,
    ) -> None:
        super().__init__()
        self.library = library
        self.classifier = classifier
        self.select_demos = select_demos

    def forward(self, original_idea: str, context: str = "") -> dspy.Prediction:
        language = language_of(f"{original_idea} {context}")
        ranked = self.classifier.ranked(original_idea, context)
        (domain, similarity), (_, runner_up) = ranked[0], ranked[1]
        pack = self.library[domain]
        terms = idea_terms(request_of(original_idea), context)
        role = pack.role_for(terms, language)
        stated = stated_rules(original_idea, language)
        guardrails = [*stated, *pack.guardrails_for(terms, language)][:MAX_GUARDRAILS]
        directive = " ".join(self._directive(original_idea, context, language, pack, terms))
        framework = self._framework(original_idea, context, pack.frameworks)
        matched = sorted(
            {
                word
                for rule in pack.guardrails.get(language)
                if rule.text in guardrails
                for word in rule.matched(terms)
            }
        )
        reasoning = REASONING[language].format(
            domain=domain,
            role=role,
            matched=MATCHED[language].format(terms=", ".join(matched)) if matched else "",
        ) + (KEPT_RULES[language] if stated else "")
        return dspy.Prediction(
            role=role,
            directive=directive,
            framework=framework,
            guardrails=guardrails,
            reasoning=reasoning,
            domain_fit=domain_fit(similarity - runner_up),
            domain=domain,
        )

    def _directive(
        self, idea: str, context: str, language: str, pack, terms: set[str]
    ) -> list[str]:
        task = task_sentence(idea, language)
        sentences = [task]
        if is_vague(idea, context) and not is_concept_explanation(task):
            sentences.append(pack.ask_first.get(language))
        elif is_fix_task(task):
            sentences.append(FIX_NEEDS[language])
        elif is_explain_task(task):
            sentences.append(EXPLAIN_NEEDS[language])
        else:
            sentences.append(pack.needs_for(terms, language))
        if context.strip():
            sentences.append(CONTEXT_NOTE[language])
        return sentences

    def _framework(self, idea: str, context: str, suited: Sequence[str]) -> str:
        """The model's choice among the frameworks that suit the domain; few-shot shows it the
        nearest examples' choices (nearest last) and adds them to the options."""
        nearest = list(reversed(self.select_demos(idea, context))) if self.select_demos else []
        demos = [
            dspy.Example(original_idea=d.original_idea, context=d.context, framework=d.framework)
            for d in nearest
        ]
        options = list(dict.fromkeys([*suited, *(demo.framework for demo in demos)]))
        choose = dspy.Predict(choose_among(options))
        try:
            return choose(original_idea=idea, context=context, demos=demos).framework
        except AdapterParseError:  # an answer outside the options: the domain's usual one
            return options[0]


def build_curated_program(
    backend: BackendType, library: DomainLibrary, select_demos: DemoSelector | None = None
) -> CuratedImprover:
    """Zero-shot: the library alone. Few-shot: the selector's pool (the trainset) joins its
    domains' documents, and its nearest examples show the model their framework choices."""
    if backend is BackendType.FEW_SHOT and select_demos is not None:
        classifier = DomainClassifier(library, select_demos.pool)
        return CuratedImprover(library, classifier, select_demos)
    return CuratedImprover(library, DomainClassifier(library))
