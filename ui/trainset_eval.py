"""The Evaluate page's section on the user trainset: its examples (listed, removable) and
few-shot's score on the chosen dataset without and with them, side by side.

"Without" runs on a variant of the service whose few-shot draws demos from the shipped
trainset only (DSPY_FEWSHOT_USER_TRAINSET_PATH empty); "with" on the service itself. Both
evaluation runs are stored like any other.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from eval.reports import compare_reports
from eval.runner import evaluate_backend
from promptimp.crafting.user_trainset import UserExample
from promptimp.history.records import EvalReport
from promptimp.models import BackendType, PromptImpError
from promptimp.text import plural
from ui import resources
from ui.text import escape_markdown

RESULT = "eval_before_after_reports"
NOTICE = "eval_trainset_notice"
WITHOUT = "Without your examples"
WITH = "With your examples"
EMPTY = (
    "No user examples yet. Add a good run with “Add to trainset” under a stored run (Improve, "
    "History), “Add the winner to the trainset” in Compare, or `promptimp trainset add ID`; "
    "few-shot then draws demos from them too."
)


def remove(number: int) -> None:
    """Remove example `number` (a button callback; the outcome is kept for the next run)."""
    try:
        removed = resources.get_service().crafting.remove_from_trainset(index=number)
    except PromptImpError as error:
        st.session_state[NOTICE] = ("error", str(error))
        return
    st.session_state.pop(RESULT, None)  # its "with" score no longer describes the trainset
    st.session_state[NOTICE] = ("removed", f"Removed example {number}: {removed.idea}")


def examples_table(examples: list[UserExample]) -> None:
    st.dataframe(
        pd.DataFrame(
            {
                "number": range(1, len(examples) + 1),
                "idea": [example.idea for example in examples],
                "role": [example.role for example in examples],
                "run": [example.source_run_id for example in examples],
            }
        ),
        hide_index=True,
        column_config={
            "number": st.column_config.NumberColumn("Example", width="small"),
            "idea": st.column_config.TextColumn("Idea", width="large"),
            "role": st.column_config.TextColumn("Role"),
            "run": st.column_config.NumberColumn("From run", format="%d", width="small"),
        },
    )


def remove_control(examples: list[UserExample]) -> None:
    names = {number: f"{number}. {example.idea[:80]}" for number, example in enumerate(examples, 1)}
    choice_col, button_col = st.columns([4, 1], vertical_alignment="bottom")
    number = choice_col.selectbox(
        "Example to remove", list(names), format_func=names.get, key="eval_remove_choice"
    )
    button_col.button(
        "Remove example",
        icon=":material/delete:",
        on_click=remove,
        args=(number,),
        width="stretch",
        key="eval_remove",
    )


def score_both(read_examples: Callable[[], tuple[str, list]], limit: int, count: int) -> None:
    """Evaluate few-shot without, then with, the user trainset; the pair lands in the session."""
    service = resources.get_service()
    try:
        name, examples = read_examples()
        examples = examples[:limit]
        bar = st.progress(0.0, text="Evaluating…")
        reports = []
        for number, (who, dataset) in enumerate(
            (
                (service.variant(DSPY_FEWSHOT_USER_TRAINSET_PATH=""), f"{name} · shipped only"),
                (service, f"{name} · with {plural(count, 'user example')}"),
            )
        ):
            reports.append(
                evaluate_backend(
                    who,
                    examples,
                    BackendType.FEW_SHOT,
                    dataset=dataset,
                    progress=lambda done, total: bar.progress(
                        done / total, f"{done:,} of {plural(total, 'example')}"
                    ),
                    offset=number * len(examples),
                    total=2 * len(examples),
                )
            )
    except PromptImpError as error:
        st.error(escape_markdown(str(error)))
        return
    finally:
        resources.reads_changed()
    bar.empty()
    st.session_state[RESULT] = tuple(reports)


def share_text(share: float | None) -> str:
    return "n/a" if share is None else f"{share:.0%}"


def render_before_after(before: EvalReport, after: EvalReport, part_label) -> None:
    """Both scores, both acceptable shares and every part with its delta, side by side."""
    comparison = compare_reports(before, after)
    figures = st.columns(4)
    figures[0].metric(WITHOUT, f"{before.score:.3f}", help=f"Evaluation run #{before.id}")
    figures[1].metric(
        WITH,
        f"{after.score:.3f}",
        f"{comparison.score_delta:+.3f}",
        help=f"Evaluation run #{after.id}",
    )
    figures[2].metric(f"Acceptable, {WITHOUT.lower()}", share_text(before.acceptable_share))
    figures[3].metric(f"Acceptable, {WITH.lower()}", share_text(after.acceptable_share))
    names = sorted(set(before.parts) | set(after.parts))
    parts = pd.DataFrame(
        {
            "without": [before.parts.get(name) for name in names],
            "with": [after.parts.get(name) for name in names],
            "delta": [comparison.part_deltas.get(name) for name in names],
        },
        index=[part_label(name) for name in names],
    )
    st.dataframe(
        parts,
        column_config={
            "_index": st.column_config.TextColumn("Part"),
            "without": st.column_config.NumberColumn(WITHOUT, format="%.3f"),
            "with": st.column_config.NumberColumn(WITH, format="%.3f"),
            "delta": st.column_config.NumberColumn("With − without", format="%+.3f"),
        },
    )


def section(read_examples: Callable[[], tuple[str, list]], part_label) -> None:
    """The user examples, a remove control, and few-shot's score before and after them."""
    service = resources.get_service()
    st.subheader("Your examples")
    if notice := st.session_state.pop(NOTICE, None):
        kind, message = notice
        (st.success if kind == "removed" else st.error)(escape_markdown(message))
    try:
        examples = service.crafting.trainset()
    except PromptImpError as error:
        st.error(escape_markdown(str(error)))
        return
    if not examples:
        st.info(EMPTY)
        return
    st.caption(
        f"{plural(len(examples), 'user example')} in "
        f"{escape_markdown(service.crafting.trainset_path)}; few-shot draws demos from them "
        "alongside the shipped trainset."
    )
    examples_table(examples)
    remove_control(examples)

    st.markdown("**Score before and after adding them**")
    st.caption(
        "Evaluates few-shot on the dataset chosen above twice: with the shipped trainset only, "
        "then with your examples too."
    )
    with st.form("eval_before_after"):
        limit = st.number_input("Examples (the first N)", 1, 10_000, 5, key="eval_ba_limit")
        submitted = st.form_submit_button("Score before and after")
    if submitted:
        score_both(read_examples, int(limit), len(examples))
    if result := st.session_state.get(RESULT):
        render_before_after(*result, part_label)
