"""Insights: headline figures and charts of confidence and latency, aggregated in SQL."""

import altair as alt
import pandas as pd
import streamlit as st

from promptimp.models import BackendType
from ui import resources
from ui.views import confidence_text, latency_text

BINS = 20
COUNT_AXIS = alt.Axis(tickMinStep=1, format="d")
BACKEND_COLOR = alt.Color(
    "backend:N", title="Backend", scale=alt.Scale(domain=[b.value for b in BackendType])
)


def headline(stats: dict, share: float | None, threshold: float) -> None:
    figures = st.columns(5)
    figures[0].metric("Runs", f"{stats['total_count']:,}")
    figures[1].metric("Average confidence", confidence_text(stats["average_confidence"]))
    figures[2].metric("p50 latency", latency_text(stats["p50_latency_ms"]))
    figures[3].metric("p95 latency", latency_text(stats["p95_latency_ms"]))
    figures[4].metric(
        f"Confidence ≥ {threshold:.2f}",
        "n/a" if share is None else f"{share:.0%}",
        help="Share of runs with a known confidence at or above MIN_CONFIDENCE_THRESHOLD.",
    )


def over_time(daily: pd.DataFrame, field: str, title: str, number_format: str) -> alt.Chart:
    """A line per backend of a daily average."""
    return (
        alt.Chart(daily, title=title)
        .mark_line(point=True)
        .encode(
            x=alt.X("day:T", title=None),
            y=alt.Y(f"{field}:Q", title=None),
            color=BACKEND_COLOR,
            tooltip=[
                alt.Tooltip("day:T"),
                "backend:N",
                alt.Tooltip(f"{field}:Q", format=number_format),
                "runs:Q",
            ],
        )
    )


def distribution(bins: list[dict], title: str, axis: str) -> alt.Chart:
    """Bars of pre-binned counts (lower, upper, count)."""
    return (
        alt.Chart(pd.DataFrame(bins), title=title)
        .mark_bar()
        .encode(
            x=alt.X("lower:Q", bin="binned", title=axis),
            x2="upper:Q",
            y=alt.Y("count:Q", title="runs", axis=COUNT_AXIS),
            tooltip=[
                alt.Tooltip("lower:Q", format=",.2f"),
                alt.Tooltip("upper:Q", format=",.2f"),
                "count:Q",
            ],
        )
    )


def charts(data: dict) -> None:
    daily = pd.DataFrame(data["daily"])
    daily["day"] = pd.to_datetime(daily["day"])
    left, right = st.columns(2)
    left.altair_chart(
        over_time(daily, "average_confidence", "Average confidence per day", ".2f"),
        width="stretch",
    )
    right.altair_chart(
        over_time(daily, "average_latency_ms", "Average latency per day (ms)", ",.0f"),
        width="stretch",
    )
    left, right = st.columns(2)
    left.altair_chart(
        distribution(data["latency_bins"], "Latency", "latency (ms)"), width="stretch"
    )
    right.altair_chart(
        distribution(data["confidence_bins"], "Confidence", "confidence"), width="stretch"
    )
    runs_per_day = (
        alt.Chart(daily, title="Runs per day")
        .mark_bar()
        .encode(
            x=alt.X("yearmonthdate(day):T", title=None),
            y=alt.Y("runs:Q", title="runs", axis=COUNT_AXIS),
            color=BACKEND_COLOR,
            tooltip=[alt.Tooltip("day:T"), "backend:N", "runs:Q"],
        )
    )
    st.altair_chart(runs_per_day, width="stretch")


def by_model(rows: list[dict]) -> None:
    st.subheader("By model")
    models = pd.DataFrame(rows).rename(
        columns={
            "model_version": "model",
            "average_confidence": "average confidence",
            "average_latency_ms": "average latency (ms)",
        }
    )
    table, chart = st.columns([3, 2])
    table.dataframe(
        models,
        hide_index=True,
        column_config={
            "average confidence": st.column_config.ProgressColumn(
                min_value=0.0, max_value=1.0, format="%.2f"
            ),
            "average latency (ms)": st.column_config.NumberColumn(format="%d"),
        },
    )
    chart.altair_chart(
        alt.Chart(models)
        .mark_bar()
        .encode(
            x=alt.X("runs:Q", title="runs", axis=COUNT_AXIS),
            y=alt.Y("model:N", sort="-x", title=None),
            tooltip=["model:N", "runs:Q"],
        ),
        width="stretch",
    )


threshold = resources.get_service().settings.MIN_CONFIDENCE_THRESHOLD
st.title("Insights")
st.caption("How confident the improver is and how long it takes, over every stored run.")

data = resources.insights(threshold, BINS)
if not data["statistics"]["total_count"]:
    st.info("No runs yet. Improve a few prompts and their figures and charts appear here.")
    st.page_link("pages/improve.py", label="Improve a prompt", icon=":material/auto_fix_high:")
else:
    headline(data["statistics"], data["share_confident"], threshold)
    charts(data)
    by_model(data["models"])
