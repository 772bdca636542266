"""Improve: turn a rough idea (and optional context) into a structured prompt."""

import streamlit as st

from promptimp.models import BackendType, ImproveResult, PromptImpError
from ui import inputs, jobs
from ui.model_choice import chosen_model
from ui.resources import get_service, reads_changed, signed_in_author
from ui.run_page import render_run_page
from ui.text import escape_markdown
from ui.views import RUN_COLUMNS, render_run, runs_frame

JOB = "improve_job"

service = get_service()
backends = [backend.value for backend in BackendType]
form = {
    "improve_idea": "",
    "improve_context": "",
    "improve_backend": service.settings.default_backend,
}
inputs.restore("improve", form)

st.title("Improve a prompt")
st.caption(
    "Describe what you want from an AI assistant in a sentence or two. The improver picks an "
    "expert role, a precise directive, a reasoning framework and guardrails, and assembles "
    "a ready-to-paste prompt."
)

with st.form("improve"):
    idea = st.text_area(
        "Idea", placeholder="Design a REST API for user management", height=100, key="improve_idea"
    )
    context = st.text_area(
        "Context (optional)",
        placeholder="Audience, constraints, tech stack, tone…",
        height=80,
        key="improve_context",
    )
    backend = st.radio(
        "Backend",
        backends,
        horizontal=True,
        help="zero-shot follows the instructions alone; few-shot also sees similar examples.",
        key="improve_backend",
    )
    submitted = st.form_submit_button("Improve", type="primary", icon=":material/auto_fix_high:")

session_results = st.session_state.setdefault("improve_results", [])
if submitted:
    inputs.remember("improve", form)
    st.session_state.pop("improve_current", None)
    author, model = signed_in_author(), chosen_model()
    jobs.start(
        JOB,
        lambda job: service.improve(idea, context, backend, author, model),
        f"Improving with {backend}",
    )

if finished := jobs.take_finished(JOB):
    try:
        result = finished.result()
    except PromptImpError as error:
        st.error(escape_markdown(str(error)))
    else:
        session_results.insert(0, result)
        st.session_state["improve_current"] = result
        if result.stored:
            reads_changed()
elif jobs.running(JOB):
    jobs.show_progress(JOB)
elif jobs.was_cancelled(JOB):
    st.info(jobs.CANCELLED)


def show_refined(result: ImproveResult) -> None:
    """A refined version becomes the result shown, and joins this session's runs."""
    session_results.insert(0, result)
    st.session_state["improve_current"] = result


current = st.session_state.get("improve_current")
if current is not None:
    for warning in current.warnings:
        st.warning(escape_markdown(warning))
    st.subheader("Improved prompt")
    render_run(current.run, key="improve-current")
    st.divider()
    render_run_page(current.run, key=f"improve-{current.run.id}", on_refined=show_refined)

if session_results:
    st.divider()
    st.subheader("This session")
    st.caption("Runs you made since opening the workbench, newest first.")
    st.dataframe(
        runs_frame([result.run for result in session_results]),
        hide_index=True,
        column_config=RUN_COLUMNS,
    )
