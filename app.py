"""Streamlit entry point: settings check, start-up clean-up, shared sidebar, page router."""

import streamlit as st

from promptimp.models import PromptImpError
from promptimp.settings import SettingsError
from ui.resources import get_service, health, startup_cleanup
from ui.text import escape_markdown
from ui.views import latency_text

st.set_page_config(page_title="Prompt Improver Workbench", page_icon="✨", layout="wide")

IMPROVE = st.Page(
    "pages/improve.py", title="Improve", icon=":material/auto_fix_high:", default=True
)
HISTORY_PAGES = [  # need stored runs
    st.Page("pages/history.py", title="History", icon=":material/history:"),
    st.Page("pages/insights.py", title="Insights", icon=":material/insights:"),
]
OTHER_PAGES = [
    st.Page("pages/compare.py", title="Compare", icon=":material/compare_arrows:"),
    st.Page("pages/evaluate.py", title="Evaluate", icon=":material/fact_check:"),
    st.Page("pages/health.py", title="Health", icon=":material/monitor_heart:"),
]


def sidebar_status(removed: int | None) -> None:
    """Provider, model and the state of the history database."""
    report = health()
    st.caption("LANGUAGE MODEL")
    st.markdown(f"**{escape_markdown(report.provider)}** · {escape_markdown(report.model)}")
    st.caption("HISTORY")
    if report.status == "healthy":
        st.markdown(f":green[●] {report.total_records:,} runs stored")
        st.caption(
            f"avg latency {latency_text(report.average_latency_ms)}"
            f" · breaker {report.breaker_state}"
        )
    elif report.status == "disabled":
        st.markdown(":gray[●] turned off (SQLITE_ENABLED=false)")
    else:
        st.markdown(":red[●] unavailable")
        st.caption(escape_markdown(report.reason))
    st.caption(escape_markdown(report.database_path))
    if removed:
        st.caption(f"Start-up clean-up removed {removed:,} old runs.")


try:
    service = get_service()
except SettingsError as error:
    st.error(escape_markdown(str(error)))
    st.stop()

removed = startup_cleanup()
status = st.sidebar.container()  # filled after the page, so it counts the page's own writes
history_pages = HISTORY_PAGES if service.store is not None else []
page = st.navigation([IMPROVE, *history_pages, *OTHER_PAGES])
try:
    page.run()
except PromptImpError as error:  # e.g. the database became unreadable mid-session
    st.error(escape_markdown(str(error)))
finally:  # also when the page failed
    with status:
        sidebar_status(removed)
