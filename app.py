"""The workbench router: settings check, start-up clean-up, shared sidebar, page router.

`make run` starts it through workbench/streamlit_app.py, so deep links go through here too
(docs/ARCHITECTURE.md, "Deep links"); AppTest opens this file directly.
"""

import streamlit as st

from promptimp.models import PromptImpError
from promptimp.settings import SettingsError
from promptimp.text import plural
from ui.model_choice import select_model
from ui.page_files import page_file
from ui.resources import get_service, health, startup_cleanup, warm_up
from ui.text import escape_markdown
from ui.views import latency_text

st.set_page_config(page_title="Prompt Improver Workbench", page_icon="✨", layout="wide")

IMPROVE = st.Page(
    page_file("improve"), title="Improve", icon=":material/auto_fix_high:", default=True
)
HISTORY_PAGES = [  # need stored runs
    st.Page(page_file("history"), title="History", icon=":material/history:"),
    st.Page(page_file("insights"), title="Insights", icon=":material/insights:"),
    st.Page(page_file("library"), title="Library", icon=":material/library_books:"),
]
OTHER_PAGES = [
    st.Page(page_file("compare"), title="Compare", icon=":material/compare_arrows:"),
    st.Page(page_file("stability"), title="Stability", icon=":material/repeat:"),
    st.Page(page_file("evaluate"), title="Evaluate", icon=":material/fact_check:"),
    st.Page(page_file("health"), title="Health", icon=":material/monitor_heart:"),
]


def sidebar_status(removed: int | None) -> None:
    """Provider, model and the state of the history database."""
    report = health()
    st.caption("LANGUAGE MODEL")
    st.markdown(f"**{escape_markdown(report.provider)}** · {escape_markdown(report.model)}")
    st.caption("HISTORY")
    if report.status == "healthy":
        st.markdown(f":green[●] {plural(report.total_records, 'run')} stored")
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
        st.caption(f"Start-up clean-up removed {plural(removed, 'old run')}.")


def sign_in() -> None:
    """Sign in or out, when Streamlit login ([auth] in secrets.toml) is configured: runs are
    then recorded as made by the signed-in user."""
    if "is_logged_in" not in st.user:
        return
    if st.user.is_logged_in:
        who = st.user.get("email") or st.user.get("name") or "signed in"
        st.caption(f"Signed in as {escape_markdown(str(who))}")
        st.button("Sign out", on_click=st.logout, key="sign_out")
    else:
        st.button("Sign in", on_click=st.login, key="sign_in")


try:
    service = get_service()
except SettingsError as error:
    st.error(escape_markdown(str(error)))
    st.stop()

warm_up()
removed = startup_cleanup()
select_model(service)
status = st.sidebar.container()  # filled after the page, so it counts the page's own writes
history_pages = HISTORY_PAGES if service.history_enabled else []
page = st.navigation([IMPROVE, *history_pages, *OTHER_PAGES])
try:
    page.run()
except PromptImpError as error:  # e.g. the database became unreadable mid-session
    st.error(escape_markdown(str(error)))
finally:  # also when the page failed
    with status:
        sidebar_status(removed)
        sign_in()
