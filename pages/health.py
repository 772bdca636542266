"""Health: storage status, the settings in effect (keys masked) and a check of each model."""

import pandas as pd
import streamlit as st

from promptimp.diagnostics import CHECK_IDEA
from ui import resources
from ui.model_check import ModelCheckReport, run_model_check
from ui.text import escape_markdown
from ui.views import confidence_text, latency_text, render_quality


def show_check(report: ModelCheckReport | None) -> None:
    """One model's status line, then the quality checks of its answer."""
    if report is None:
        st.caption("Not tested yet.")
    elif report.quality is None:
        st.error(escape_markdown(report.check.message))
    else:
        st.success(
            f"Round trip worked: {escape_markdown(report.check.model_version)} answered in "
            f"{report.check.latency_ms:,} ms."
        )
        render_quality(report.quality)


service = resources.get_service()
st.title("Health")
st.caption("Is the history database reachable, which model answers, and with what settings.")

report = service.health()  # live, not cached: this page is where people look when in doubt
if report.status == "healthy":
    st.success("Healthy: the history database is reachable.", icon=":material/check_circle:")
elif report.status == "disabled":
    st.info("History is turned off (SQLITE_ENABLED=false).", icon=":material/block:")
else:
    st.error(f"Unhealthy: {escape_markdown(report.reason)}", icon=":material/error:")

figures = st.columns(4)
figures[0].metric("Records", "n/a" if report.total_records is None else f"{report.total_records:,}")
figures[1].metric("Average confidence", confidence_text(report.average_confidence))
figures[2].metric("Average latency", latency_text(report.average_latency_ms))
figures[3].metric("Storage breaker", report.breaker_state)

st.markdown("**Database path**")
st.code(report.database_path, language=None)
st.markdown("**Language model**")
st.code(f"{report.provider} / {report.model}", language=None)

st.subheader("Model check")
st.caption(
    f"Improves the fixed idea “{CHECK_IDEA}” zero-shot with each configured model and checks "
    "what comes back. Nothing is stored."
)
checks: dict[str, ModelCheckReport] = st.session_state.setdefault("health_checks", {})
test_all = st.button("Test every model", icon=":material/bolt:", key="health_check_all")
for choice in service.available_models():
    with st.container(border=True):
        name_col, button_col = st.columns([5, 1], vertical_alignment="center")
        name_col.markdown(f"**{escape_markdown(choice.label)}**")
        if button_col.button("Test", key=f"health_check_{choice.id}", width="stretch") or test_all:
            with st.spinner(f"Asking {escape_markdown(choice.id)}…"):
                checks[choice.id] = run_model_check(service, choice.id)
        show_check(checks.get(choice.id))

st.subheader("Settings in effect")
st.caption("From the environment and .env; API keys are masked.")
view = service.settings.public_view()
st.dataframe(
    pd.DataFrame(
        {"setting": list(view), "value": ["" if v is None else str(v) for v in view.values()]}
    ),
    hide_index=True,
    column_config={
        "setting": st.column_config.TextColumn("Setting"),
        "value": st.column_config.TextColumn("Value"),
    },
    height=35 * (len(view) + 1) + 3,  # every row, no inner scrolling
)
