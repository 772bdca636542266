"""The guardrails: 3-5 whole instructions, distinct, about the idea, not copied."""

from __future__ import annotations

import re
from collections.abc import Sequence

from promptimp.models import MAX_GUARDRAILS, MIN_GUARDRAILS
from promptimp.quality.directive import directive_coverage, on_task
from promptimp.quality.lexicon import key_terms, plain, prefixes, words
from promptimp.quality.objects import foreign_objects
from promptimp.quality.reading import Reading
from promptimp.quality.report import Check, Demo
from promptimp.quality.sentences import MODALS, ends_cut_off, starts_imperative, states_constraint
from promptimp.quality.trades import TRADE_IDEAS, idea_trades

MIN_GUARDRAIL_WORDS = 4
RELATED_GUARDRAILS = 1 / 3
"""The least share of guardrails that must share a key term with the idea, context or task."""
VAGUE_TERMS = 2
"""An idea with at most this many key terms names no object: the prompt may ask for it."""
ASKS_FIRST = re.compile(r"(?:^|[.!?]\s+)(?:ask|pide|pregunta)\b", re.I)
"""A directive sentence that asks for what the idea leaves out."""


def _near(first: str, second: str) -> bool:
    """Two texts with (nearly) the same key terms."""
    ours, theirs = key_terms(first), key_terms(second)
    if not ours or not theirs:
        return plain(first).strip() == plain(second).strip()
    return len(ours & theirs) / len(ours | theirs) >= 0.7


def _asks_for_what_is_missing(reading: Reading) -> bool:
    """A vague idea (at most VAGUE_TERMS key terms) whose directive asks for the missing
    pieces first: its guardrails can only be general rules of the craft."""
    return len(reading.idea_terms) <= VAGUE_TERMS and bool(ASKS_FIRST.search(reading.directive))


def check_guardrails(reading: Reading, demos: Sequence[Demo]) -> list[Check]:
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
        or ends_cut_off(rule)
        or not (starts_imperative(rule) or MODALS.search(rule) or states_constraint(rule))
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
    if on_task(*directive_coverage(reading)):
        task = task | prefixes(reading.directive)  # a directive on the idea spells out the task
    trade_words = set().union(*(TRADE_IDEAS[trade] for trade in idea_trades(reading)))
    related = [rule for rule in rules if key_terms(rule) & task or set(words(rule)) & trade_words]
    share = len(related) / len(rules) if rules else 0.0
    asks_first = _asks_for_what_is_missing(reading)
    checks.append(
        Check(
            "guardrails are about the idea",
            share >= RELATED_GUARDRAILS or asks_first,
            f"{len(related)} of {len(rules)} guardrails share a key term with the idea or task"
            + (
                ", and the vague idea's directive asks for the missing details"
                if asks_first
                else ""
            ),
            value=max(share, RELATED_GUARDRAILS) if asks_first else share,
        )
    )
    checks.append(_objects_check(reading))
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


def _objects_check(reading: Reading) -> Check:
    """No guardrail is about an object (a meeting, a recipe, a pod) the idea never calls for."""
    given = f"{reading.idea}\n{reading.context}"
    off_task = [
        (number, rule, things)
        for number, rule in enumerate(reading.guardrails, 1)
        if (things := foreign_objects(rule, given))
    ]
    if not off_task:
        return Check(
            "guardrails are about the idea's objects",
            True,
            "every guardrail is about something the idea mentions or implies",
        )
    number, rule, things = off_task[0]
    return Check(
        "guardrails are about the idea's objects",
        False,
        f"guardrail {number} is about {things[0]}, which the idea never mentions: {rule[:60]!r}",
    )
