"""Try a prompt on a target model: one user message, its answer, latency and token counts.

Any dspy.LM-like target works (the embedded engine or a litellm provider). Token counts come
from DSPy's usage tracking (litellm's usage, the embedded engine's Response usage); they are
None when the target reports none. Model failures propagate for the caller to word.
"""

from __future__ import annotations

import time
from typing import Any

import dspy

from promptimp.history.records import Trial, TrialAnswer
from promptimp.models import InputError, PromptRun, utc_now


def try_prompt(lm: Any, prompt: str, max_tokens: int | None = None) -> TrialAnswer:
    """Send `prompt` as one user message to `lm` (cache off) and time its answer, which is
    at most `max_tokens` long when given (else the LM's own limit)."""
    if not prompt.strip():
        raise InputError("There is no prompt to try; improve an idea first.")
    with dspy.track_usage() as tracker:
        started = time.perf_counter()
        limit = {} if max_tokens is None else {"max_tokens": max_tokens}
        outputs = lm(prompt, cache=False, **limit)
        latency_ms = round((time.perf_counter() - started) * 1000)
    usage: dict[str, Any] = {}
    for entry in tracker.get_total_tokens().values():
        usage.update(entry)
    return TrialAnswer(
        prompt=prompt,
        answer=_text(outputs[0]) if outputs else "",
        latency_ms=latency_ms,
        prompt_tokens=usage.get("prompt_tokens"),
        completion_tokens=usage.get("completion_tokens"),
    )


def _text(output: Any) -> str:
    """An LM output's text (a plain string, or a dict when it carries more than text)."""
    return str(output.get("text") or "") if isinstance(output, dict) else str(output)


def original_prompt(run: PromptRun) -> str:
    """The idea as it was typed, with its context appended when there is one."""
    return f"{run.original_idea}\n\n{run.context}" if run.context.strip() else run.original_idea


def try_run(
    lm: Any, run: PromptRun, target_model: str | None = None, max_tokens: int | None = None
) -> Trial:
    """A stored run's improved prompt and its original idea, each tried on `lm` (answers of
    at most `max_tokens` when given).

    `target_model` names the target for the record; it defaults to the LM's model id.
    """
    if run.id is None:
        raise InputError("Only a stored run can be tried; save it first.")
    return Trial(
        run_id=run.id,
        timestamp=utc_now(),
        target_model=target_model or str(getattr(lm, "model", "")),
        original=try_prompt(lm, original_prompt(run), max_tokens),
        improved=try_prompt(lm, run.improved_prompt, max_tokens),
    )
