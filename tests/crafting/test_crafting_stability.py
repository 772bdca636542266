"""Stability: the spread of N runs of one idea, and the repeat count's range."""

import pytest

from promptimp.assembly import assemble_prompt
from promptimp.crafting.stability import MAX_REPEATS, Spread, summarise, validate_repeats
from promptimp.models import BackendType, InputError, PromptRun
from tests.quality_cases import CONTEXT, GOOD, IDEA


def run_of(confidence=0.8, latency_ms=1000, **changes) -> PromptRun:
    """A run of IDEA whose prompt is assembled from GOOD with `changes` (acceptable as is)."""
    parts = {**GOOD, **changes}
    prompt = assemble_prompt(
        parts["role"], parts["directive"], parts["framework"], parts["guardrails"], CONTEXT, "en"
    )
    return PromptRun(
        original_idea=IDEA,
        context=CONTEXT,
        improved_prompt=prompt,
        backend=BackendType.ZERO_SHOT,
        confidence=confidence,
        latency_ms=latency_ms,
        **parts,
    )


@pytest.mark.parametrize("n", [1, 5, MAX_REPEATS])
def test_repeat_counts_from_one_to_ten_are_accepted(n):
    assert validate_repeats(n) == n


@pytest.mark.parametrize("n", [0, -1, MAX_REPEATS + 1, 1000])
def test_repeat_counts_outside_one_to_ten_are_refused(n):
    with pytest.raises(InputError, match="1 to 10 times"):
        validate_repeats(n)


def test_summary_gives_the_spread_and_how_often_each_part_changes():
    rules = GOOD["guardrails"]
    runs = [
        run_of(0.6, 900),
        run_of(0.9, 3000, role=GOOD["role"].upper() + ".", guardrails=[*rules[:3], "Use  HTTPS."]),
        run_of(None, 1500, role="Technical writer for API reference docs", framework="react"),
        run_of(0.7, 1200, role="AI assistant"),
    ]
    summary = summarise(runs)
    assert summary.runs == 4
    assert summary.confidence == Spread(minimum=0.6, median=0.7, maximum=0.9)
    assert summary.latency_ms == Spread(minimum=900, median=1350, maximum=3000)
    assert summary.role.distinct == 3 and summary.role.changed_share == 0.5
    assert summary.role.most_common == GOOD["role"].casefold()
    assert summary.framework.distinct == 2 and summary.framework.changed_share == 0.25
    assert summary.framework.most_common == "decomposition"
    first, second, third, fourth = (rule.rstrip(".").casefold() for rule in rules)
    assert summary.guardrails == {first: 4, second: 4, third: 4, fourth: 3, "use https": 1}
    assert summary.acceptable_share == 0.5  # the generic role and the writer fail the checks


def test_one_run_is_stable_and_unknown_figures_have_no_spread():
    summary = summarise([run_of(None, None)])
    assert summary.confidence is None and summary.latency_ms is None
    assert summary.role.distinct == 1 and summary.role.changed_share == 0.0
    assert summary.acceptable_share == 1.0


def test_runs_of_different_ideas_or_too_many_runs_are_refused():
    with pytest.raises(InputError, match="one idea"):
        summarise([run_of(), run_of().model_copy(update={"original_idea": "Another idea"})])
    with pytest.raises(InputError, match="1 to 10"):
        summarise([])
    with pytest.raises(InputError, match="1 to 10"):
        summarise([run_of()] * (MAX_REPEATS + 1))
