"""Health: storage status, the settings in effect (keys masked) and a model check."""

import pandas as pd
import streamlit as st

from promptimp.diagnostics import check_model
from ui import resources
from ui.text import escape_markdown
from ui.views import confidence_text, latency_text

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
st.caption("Improves a fixed one-line idea with the configured model. Nothing is stored.")
if st.button("Test the model connection", icon=":material/bolt:"):
    with st.spinner("Asking the model…"):
        result = check_model(service)
    if result.ok:
        st.success(f"{escape_markdown(result.model_version)} answered in {result.latency_ms:,} ms.")
        st.text(result.message)
    else:
        st.error(escape_markdown(result.message))

st.subheader("Settings in effect")
st.caption("From the environment and .env; API keys are masked.")
view = service.settings.public_view()
st.dataframe(
    pd.DataFrame(
        {"setting": list(view), "value": ["" if v is None else str(v) for v in view.values()]}
    ),
    hide_index=True,
    height=35 * (len(view) + 1) + 3,  # every row, no inner scrolling
)
