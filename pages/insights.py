"""Insights: headline figures and charts of confidence and latency, aggregated in SQL."""

import altair as alt
import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from promptimp.models import BackendType
from ui import charts as charts_lib
from ui import resources
from ui.page_files import page_file
from ui.views import confidence_text, latency_text

BINS = 20
MIN_LATENCY_SPAN_S = 1.0
NO_CONFIDENCE = "No run has a known confidence yet."
NO_LATENCY = "No run has a known latency yet."
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


def in_seconds(bins: list[dict]) -> list[dict]:
    return [{**b, "lower": b["lower"] / 1000, "upper": b["upper"] / 1000} for b in bins]


def show(column: DeltaGenerator, chart: alt.TopLevelMixin | None, missing: str) -> None:
    """The chart in `column`, or a one-line note when there is nothing to draw."""
    if chart is None:
        column.caption(missing)
    else:
        column.altair_chart(chart, width="stretch")


def charts(data: dict) -> None:
    daily = pd.DataFrame(data["daily"])
    daily["day"] = pd.to_datetime(daily["day"])
    daily["average_latency_s"] = daily["average_latency_ms"] / 1000
    left, right = st.columns(2)
    show(
        left,
        charts_lib.daily_line(
            daily,
            "average_confidence",
            "Average confidence per day",
            ".2f",
            BACKEND_COLOR,
            alt.Scale(domain=[0, 1]),
        ),
        NO_CONFIDENCE,
    )
    show(
        right,
        charts_lib.daily_line(
            daily,
            "average_latency_s",
            "Average latency per day (s)",
            ",.1f",
            BACKEND_COLOR,
            alt.Scale(zero=True),
        ),
        NO_LATENCY,
    )
    left, right = st.columns(2)
    latency_bins = charts_lib.spread_bins(in_seconds(data["latency_bins"]), MIN_LATENCY_SPAN_S)
    show(left, charts_lib.distribution(latency_bins, "Latency", "latency (s)", ",.1f"), NO_LATENCY)
    show(
        right,
        charts_lib.distribution(data["confidence_bins"], "Confidence", "confidence", ".2f"),
        NO_CONFIDENCE,
    )
    st.altair_chart(charts_lib.runs_per_day(daily, BACKEND_COLOR), width="stretch")


def by_model(rows: list[dict]) -> None:
    st.subheader("By model")
    models = (
        pd.DataFrame(rows)
        .rename(
            columns={
                "model_version": "model",
                "average_confidence": "average confidence",
                "average_latency_ms": "average latency (ms)",
            }
        )
        .round({"average latency (ms)": 0})
    )
    table, chart = st.columns([3, 2])
    table.dataframe(
        models,
        hide_index=True,
        column_config={
            "model": st.column_config.TextColumn("Model"),
            "runs": st.column_config.NumberColumn("Runs", format="localized"),
            "average confidence": st.column_config.ProgressColumn(
                "Average confidence", min_value=0.0, max_value=1.0, format="%.2f"
            ),
            "average latency (ms)": st.column_config.NumberColumn(
                "Average latency (ms)", format="localized"
            ),
        },
    )
    chart.altair_chart(
        alt.Chart(models)
        .mark_bar()
        .encode(
            x=alt.X("runs:Q", title="runs", axis=charts_lib.COUNT_AXIS),
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
    st.page_link(page_file("improve"), label="Improve a prompt", icon=":material/auto_fix_high:")
else:
    headline(data["statistics"], data["share_confident"], threshold)
    charts(data)
    by_model(data["models"])
