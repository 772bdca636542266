"""Stability: improve one idea N times and show how much the answers agree."""

from collections.abc import Callable

import pandas as pd
import streamlit as st

from promptimp.crafting.stability import MAX_REPEATS, Spread, Stability
from promptimp.crafting_loop import StabilityResult
from promptimp.models import BackendType, PromptImpError
from promptimp.text import plural
from ui import inputs, jobs, resources
from ui.model_choice import chosen_model
from ui.text import escape_markdown
from ui.views import RUN_COLUMNS, confidence_text, latency_text, render_run, runs_frame

JOB = "stability_job"
RESULT = "stability_result"
TABLE_KEY = "stability_runs_table"
FORM = {
    "stability_idea": "",
    "stability_context": "",
    "stability_backend": BackendType.ZERO_SHOT.value,
    "stability_repeats": 5,
}


def repeat(
    job: jobs.Job,
    idea: str,
    context: str,
    backend: str,
    repeats: int,
    model: str | None,
    author: str | None,
) -> StabilityResult:
    """The service's stability run, telling the job which run is under way (on a worker)."""

    def progress(done: int, total: int) -> None:
        if done < total:
            job.advance(f"Improving, run {done + 1} of {total}", 1)

    job.advance(f"Improving, run 1 of {repeats}", 1)
    return service.crafting.stability(
        idea,
        context,
        backend,
        repeats,
        model=model,
        author=author,
        progress=progress,
    )


def spread_row(
    name: str, spread: Spread | None, text: Callable[[float | None], str]
) -> dict[str, str]:
    """A table row: the part's name, then its min, median and max as `text` words them."""
    values = (
        (None, None, None) if spread is None else (spread.minimum, spread.median, spread.maximum)
    )
    return {"": name, **dict(zip(("min", "median", "max"), map(text, values), strict=True))}


def show_spread(stability: Stability) -> None:
    """Confidence and latency ranges, how the parts vary, guardrails, the acceptable share."""
    st.metric(
        "Acceptable",
        f"{stability.acceptable_share:.0%}",
        help="The share of runs whose prompt passes every quality check.",
    )
    st.markdown("**Confidence and latency**")
    st.dataframe(
        pd.DataFrame(
            [
                spread_row("Confidence", stability.confidence, confidence_text),
                spread_row("Latency", stability.latency_ms, latency_text),
            ]
        ),
        hide_index=True,
    )
    st.markdown("**Role and framework**")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "part": name,
                    "distinct": variety.distinct,
                    "most common": variety.most_common,
                    "changed": f"{variety.changed_share:.0%}",
                }
                for name, variety in (("Role", stability.role), ("Framework", stability.framework))
            ]
        ),
        hide_index=True,
        column_config={
            "part": st.column_config.TextColumn("Part"),
            "distinct": st.column_config.NumberColumn("Distinct values"),
            "most common": st.column_config.TextColumn("Most common", width="large"),
            "changed": st.column_config.TextColumn(
                "Runs that changed", help="The share of runs not on the most common value."
            ),
        },
    )
    st.markdown("**Guardrails**")
    st.dataframe(
        pd.DataFrame(
            {
                "guardrail": list(stability.guardrails),
                "runs": [f"{count} of {stability.runs}" for count in stability.guardrails.values()],
            }
        ),
        hide_index=True,
        column_config={
            "guardrail": st.column_config.TextColumn("Guardrail", width="large"),
            "runs": st.column_config.TextColumn("Runs containing it"),
        },
    )


def show_runs(result: StabilityResult) -> None:
    """The N runs; the selected one is shown below the table."""
    st.subheader("The runs")
    runs = list(result.runs)
    event = st.dataframe(
        runs_frame(runs),
        hide_index=True,
        column_config=RUN_COLUMNS,
        on_select="rerun",
        selection_mode="single-row",
        key=TABLE_KEY,
    )
    selected = [runs[row] for row in event.selection.rows if row < len(runs)]
    if not selected:
        st.caption("Select a run to see it whole.")
        return
    render_run(selected[0], key="stability_run", show_input=True)


service = resources.get_service()
inputs.restore("stability", FORM)
st.title("Stability")
st.caption(
    f"Improve one idea up to {MAX_REPEATS} times and see how much the answers agree: "
    "confidence and latency, how often the role, framework and guardrails change, and how "
    "many prompts pass the quality checks. Every run is stored in the history."
)

with st.form("stability"):
    idea = st.text_area(
        "Idea", placeholder="Write a product launch email", height=100, key="stability_idea"
    )
    context = st.text_area("Context (optional)", height=70, key="stability_context")
    backend_col, repeats_col = st.columns(2)
    backend = backend_col.radio(
        "Backend", [b.value for b in BackendType], horizontal=True, key="stability_backend"
    )
    repeats = repeats_col.number_input(
        f"Runs (1 to {MAX_REPEATS})", step=1, key="stability_repeats"
    )
    submitted = st.form_submit_button("Run", type="primary", icon=":material/repeat:")

if submitted:
    inputs.remember("stability", FORM)
    st.session_state.pop(RESULT, None)
    st.session_state[TABLE_KEY] = {"selection": {"rows": [], "columns": [], "cells": []}}
    model = chosen_model()
    author = resources.signed_in_author()
    jobs.start(
        JOB,
        lambda job: repeat(job, idea, context, backend, int(repeats), model, author),
        "Improving",
    )

if finished := jobs.take_finished(JOB):
    try:
        st.session_state[RESULT] = finished.result()
    except PromptImpError as error:
        st.error(escape_markdown(str(error)))
    resources.reads_changed()  # even a failed series may have stored its first runs
elif jobs.running(JOB):
    jobs.show_progress(JOB)
elif jobs.was_cancelled(JOB):
    st.info(jobs.CANCELLED)

result: StabilityResult | None = st.session_state.get(RESULT)
if result:
    st.subheader(f"Spread over {plural(result.stability.runs, 'run')}")
    for warning in result.warnings:
        st.warning(escape_markdown(warning))
    show_spread(result.stability)
    show_runs(result)
