"""Rendering shared by pages. Stored and model text only ever goes out as plain text.

Text a person or a model wrote is shown with st.text, st.code or st.dataframe (never parsed),
or escaped with `escape_markdown` where a Markdown element is the only option. Nothing here
calls st.stop(): app.py draws the sidebar after the page, which a stop would prevent.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from promptimp.models import PromptRun
from promptimp.quality import Check, QualityReport, check_run
from promptimp.text import plural
from ui.text import escape_markdown


def confidence_text(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def latency_text(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.0f} ms"


def seconds_text(milliseconds: float | None) -> str:
    """A latency in seconds, for tight spaces: "12.3 s"."""
    return "n/a" if milliseconds is None else f"{milliseconds / 1000:,.1f} s"


def text_section(title: str, body: str) -> None:
    """A bold fixed heading over a plain-text body."""
    st.markdown(f"**{title}**")
    st.text(body or "—")


def run_quality(run: PromptRun) -> QualityReport:
    """The core quality checks of a run's parts (promptimp.quality)."""
    return check_run(run)


CAVEAT = "The checks cannot tell whether every rule fits this idea: read them before use."
"""Said with every pass: people labeled most composed prompts that pass every check as needing
an edit first (README, Quality checks and confidence)."""


def verdict_text(report: QualityReport) -> str:
    """The verdict in one line: acceptable or not, the score, how many checks failed."""
    checks = plural(len(report.checks), "check")
    if report.acceptable:
        return f"Quality: acceptable, score {report.score:.2f}; all {checks} passed. {CAVEAT}"
    return (
        f"Quality: not acceptable, score {report.score:.2f}; "
        f"{len(report.failures)} of {checks} failed."
    )


def checks_markdown(checks: tuple[Check, ...]) -> str:
    """One escaped list item per check: its name and why it passed or failed."""
    return "\n".join(
        f"- {escape_markdown(check.name)}: {escape_markdown(check.reason)}" for check in checks
    )


def render_quality(report: QualityReport) -> None:
    """The verdict (a warning when not acceptable), then what failed and what passed, and why."""
    if report.acceptable:
        st.success(verdict_text(report), icon=":material/verified:")
    else:
        st.warning(verdict_text(report), icon=":material/report:")
        st.markdown("**Failed checks**")
        st.markdown(checks_markdown(report.failures))
    passed = tuple(check for check in report.checks if check.passed)
    with st.expander(f"Passed checks ({len(passed)})"):
        st.markdown(checks_markdown(passed) or "None passed.")


def render_run(run: PromptRun, *, key: str, show_input: bool = False) -> None:
    """A run as sections: figures, quality checks, parts on the left, the full prompt right."""
    if run.damaged:
        st.warning(
            f"This stored run is damaged ({escape_markdown(run.damaged)}): it is shown as far as "
            "it can be read, so some fields may not be what was written.",
            icon=":material/broken_image:",
        )
    figures = st.columns(4)
    figures[0].metric("Confidence", confidence_text(run.confidence))
    figures[1].metric("Latency", latency_text(run.latency_ms))
    figures[2].metric("Backend", run.backend.value)
    figures[3].metric("Run", f"#{run.id}" if run.id is not None else "not saved")
    render_quality(run_quality(run))
    if show_input:
        text_section("Idea", run.original_idea)
        if run.context:
            text_section("Context", run.context)
        by = f" · by {escape_markdown(run.author)}" if run.author else ""
        st.caption(
            f"{run.timestamp:%Y-%m-%d %H:%M:%S} UTC · model {escape_markdown(run.model_version)}"
            + by
        )
    else:
        st.caption(f"Made with {escape_markdown(run.model_version or 'an unrecorded model')}")
    parts, prompt = st.columns([2, 3], gap="large")
    with parts:
        text_section("Role", run.role)
        text_section("Directive", run.directive)
        text_section("Framework", run.framework)
        st.markdown("**Guardrails**")
        st.markdown("\n".join(f"- {escape_markdown(rule)}" for rule in run.guardrails) or "—")
        text_section("Reasoning", run.reasoning)
    with prompt:
        st.markdown("**Improved prompt**")
        st.code(run.improved_prompt, language="markdown", wrap_lines=True)
        st.download_button(
            "Download as .md",
            run.improved_prompt,
            file_name=f"prompt-{run.id if run.id is not None else 'unsaved'}.md",
            mime="text/markdown",
            on_click="ignore",
            icon=":material/download:",
            key=f"{key}-download",
        )


def runs_frame(runs: list[PromptRun]) -> pd.DataFrame:
    """One row per run for st.dataframe (cells are shown as text, never parsed)."""
    return pd.DataFrame(
        {
            "id": [run.id for run in runs],
            "when (UTC)": [run.timestamp.replace(tzinfo=None) for run in runs],
            "backend": [run.backend.value for run in runs],
            "model": [run.model_version for run in runs],
            "confidence": [run.confidence for run in runs],
            "latency (ms)": [run.latency_ms for run in runs],
            "idea": [run.original_idea for run in runs],
            "tags": [", ".join(run.tags) for run in runs],
            "damaged": ["damaged" if run.damaged else "" for run in runs],
        },
        columns=[
            "id",
            "when (UTC)",
            "backend",
            "model",
            "confidence",
            "latency (ms)",
            "idea",
            "tags",
            "damaged",
        ],
    )


RUN_COLUMNS = {
    "id": st.column_config.NumberColumn("Run", width="small", format="%d"),
    "when (UTC)": st.column_config.DatetimeColumn("When (UTC)", format="YYYY-MM-DD HH:mm"),
    "backend": st.column_config.TextColumn("Backend"),
    "model": st.column_config.TextColumn("Model"),
    "confidence": st.column_config.ProgressColumn(
        "Confidence", min_value=0.0, max_value=1.0, format="%.2f"
    ),
    "latency (ms)": st.column_config.NumberColumn("Latency (ms)", format="localized"),
    "idea": st.column_config.TextColumn("Idea", width="large"),
    "tags": st.column_config.TextColumn("Tags"),
    "damaged": st.column_config.TextColumn(
        "Damaged", width="small", help="The stored row could not be read whole."
    ),
}
"""Column config for `runs_frame` tables."""
