"""Compare: one idea through zero-shot and few-shot side by side; record which is better."""

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from promptimp.crafting.diff import word_diff
from promptimp.models import BackendType, ImproveResult, PromptImpError
from promptimp.text import plural
from ui import inputs, jobs, resources
from ui.model_choice import chosen_model
from ui.text import diff_markdown, escape_markdown
from ui.views import confidence_text, latency_text, render_quality, run_quality, seconds_text

JOB = "compare_job"
FORM = {"compare_idea": "", "compare_context": ""}
VERDICTS = {
    "zero-shot": ("Zero-shot is better", ":material/arrow_back:"),
    "tie": ("About the same", ":material/drag_handle:"),
    "few-shot": ("Few-shot is better", ":material/arrow_forward:"),
}


def show_side(column: DeltaGenerator, title: str, result: ImproveResult) -> None:
    """One backend's figures, quality verdict and checks, and prompt."""
    with column:
        st.subheader(title)
        figures = st.columns(2)
        figures[0].metric("Confidence", confidence_text(result.run.confidence))
        figures[1].metric("Latency", latency_text(result.run.latency_ms))
        for warning in result.warnings:
            st.warning(escape_markdown(warning))
        render_quality(run_quality(result.run))
        st.code(result.run.improved_prompt, language="markdown", wrap_lines=True)


def improve_both(
    job: jobs.Job, idea: str, context: str, author: str | None, model: str | None
) -> dict[str, ImproveResult]:
    """Zero-shot, then few-shot, telling the job which one runs (on a worker thread)."""
    results = {}
    for step, backend in enumerate(BackendType, start=1):
        job.advance(f"Improving with {backend.value}", step)
        results[backend.value] = service.improve(idea, context, backend, author, model)
    return results


def pair_text(first: str, second: str) -> str:
    return f"{first} → {second}"


def recent_table(rows: list[dict]) -> None:
    """The latest verdicts, one readable row each, narrow enough not to scroll sideways."""
    frame = pd.DataFrame(
        {
            "when": [row["timestamp"].replace(tzinfo=None) for row in rows],
            "idea": [row["idea"] for row in rows],
            "verdict": [VERDICTS[row["verdict"]][0] for row in rows],
            "confidence": [
                pair_text(
                    confidence_text(row["zero_shot_confidence"]),
                    confidence_text(row["few_shot_confidence"]),
                )
                for row in rows
            ],
            "latency": [
                pair_text(
                    seconds_text(row["zero_shot_latency_ms"]),
                    seconds_text(row["few_shot_latency_ms"]),
                )
                for row in rows
            ],
        }
    )
    st.dataframe(
        frame,
        hide_index=True,
        column_config={
            "when": st.column_config.DatetimeColumn(
                "When (UTC)", format="YYYY-MM-DD HH:mm", width=130
            ),
            "idea": st.column_config.TextColumn("Idea", width=280),
            "verdict": st.column_config.TextColumn("Verdict", width=130),
            "confidence": st.column_config.TextColumn(
                "Confidence (zero → few)", width=150, help="Zero-shot, then few-shot."
            ),
            "latency": st.column_config.TextColumn(
                "Latency (zero → few)", width=150, help="Zero-shot, then few-shot."
            ),
        },
    )


def record(verdict: str) -> None:
    """Store the verdict on the pair shown (a button callback, so errors are kept for later)."""
    pair = st.session_state["compare_pair"]
    try:
        resources.get_service().save_comparison(
            pair["zero-shot"].run.id, pair["few-shot"].run.id, verdict, pair["idea"]
        )
    except PromptImpError as error:
        pair["error"] = str(error)
        return
    pair["verdict"] = verdict
    resources.reads_changed()


def add_winner(run_id: int) -> None:
    """Add the winning run to the user trainset (a button callback; the outcome is kept)."""
    pair = st.session_state["compare_pair"]
    try:
        example = resources.get_service().crafting.add_to_trainset(run_id)
    except PromptImpError as error:
        pair["trainset"] = ("error", str(error))
        return
    pair["trainset"] = (
        "added",
        f"Added run #{example.source_run_id} to the user trainset: few-shot draws demos "
        "from it from now on.",
    )


def trainset_offer(pair: dict) -> None:
    """After a verdict, the winner can teach few-shot; a tie names no winner."""
    if pair["verdict"] == "tie":
        st.caption("A tie names no winner, so there is nothing to add to the trainset.")
        return
    winner = pair[pair["verdict"]].run
    if outcome := pair.get("trainset"):
        kind, message = outcome
        (st.success if kind == "added" else st.error)(escape_markdown(message))
        return
    try:
        present = [example.source_run_id for example in service.crafting.trainset()]
    except PromptImpError as error:
        st.error(escape_markdown(str(error)))
        return
    if winner.id in present:
        st.info(
            f"Run #{winner.id} is already example {present.index(winner.id) + 1} of the "
            "user trainset."
        )
        return
    st.button(
        "Add the winner to the trainset",
        icon=":material/school:",
        on_click=add_winner,
        args=(winner.id,),
        help=f"Run #{winner.id} ({pair['verdict']}) becomes a few-shot example.",
        key="compare_add_winner",
    )


service = resources.get_service()
inputs.restore("compare", FORM)
st.title("Compare zero-shot and few-shot")
st.caption(
    "Improve one idea with both backends, read them side by side, and say which is better. "
    "Verdicts add up to each backend's win rate below."
)

with st.form("compare"):
    idea = st.text_area(
        "Idea", placeholder="Write a product launch email", height=100, key="compare_idea"
    )
    context = st.text_area("Context (optional)", height=70, key="compare_context")
    submitted = st.form_submit_button("Run both", type="primary", icon=":material/compare_arrows:")

if submitted:
    inputs.remember("compare", FORM)
    st.session_state.pop("compare_pair", None)
    author, model = resources.signed_in_author(), chosen_model()
    jobs.start(
        JOB, lambda job: improve_both(job, idea, context, author, model), "Improving", steps=2
    )

if finished := jobs.take_finished(JOB):
    try:
        results = finished.result()
    except PromptImpError as error:
        st.error(escape_markdown(str(error)))
    else:
        st.session_state["compare_pair"] = {
            **results,
            "idea": results["zero-shot"].run.original_idea,
        }
    resources.reads_changed()  # even a failed pair may have stored its zero-shot run
elif jobs.running(JOB):
    jobs.show_progress(JOB)
elif jobs.was_cancelled(JOB):
    st.info(jobs.CANCELLED)

pair = st.session_state.get("compare_pair")
if pair:
    zero, few = pair["zero-shot"], pair["few-shot"]
    left, right = st.columns(2, gap="large")
    show_side(left, "Zero-shot", zero)
    show_side(right, "Few-shot", few)

    diff = word_diff(zero.run.improved_prompt, few.run.improved_prompt)
    st.subheader("What changed")
    st.caption(
        f"From zero-shot to few-shot: +{plural(diff.added, 'word')} (green), "
        f"-{plural(diff.removed, 'word')} "
        f"(red, struck out); {diff.similarity:.0%} similar."
    )
    with st.container(border=True, height=320):
        st.markdown(diff_markdown(diff))

    st.subheader("Which is better?")
    if error := pair.pop("error", None):
        st.error(escape_markdown(error))
    if pair.get("verdict"):
        st.success(f"Saved: {VERDICTS[pair['verdict']][0].lower()}.")
        trainset_offer(pair)
    elif not (zero.stored and few.stored):
        st.info("Both runs must be saved to history before a verdict can be stored.")
    else:
        buttons = st.columns(3)
        for column, (verdict, (label, icon)) in zip(buttons, VERDICTS.items(), strict=True):
            column.button(
                label,
                icon=icon,
                on_click=record,
                args=(verdict,),
                width="stretch",
                key=f"verdict_{verdict}",
            )

if resources.history_enabled():
    st.divider()
    st.subheader("Win rates")
    data = resources.comparisons(20)
    rates = data["win_rates"]
    if not rates["total"]:
        st.caption("No verdicts yet. Compare an idea above and pick the better prompt.")
    else:
        figures = st.columns(3)
        for column, verdict in zip(figures, ("zero-shot", "few-shot", "tie"), strict=True):
            column.metric(
                "Ties" if verdict == "tie" else f"{verdict.capitalize()} wins",
                f"{rates[verdict]['rate']:.0%}",
                help=f"{rates[verdict]['wins']:,} of {plural(rates['total'], 'comparison')}",
            )
        st.caption(f"Over {plural(rates['total'], 'stored comparison')}. Most recent:")
        recent_table(data["recent"])
