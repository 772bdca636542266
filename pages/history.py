"""History: search, filter, sort and page through stored runs; inspect, craft, delete, export."""

import io
import math
from collections.abc import Callable
from datetime import UTC, datetime, time
from functools import partial

import streamlit as st

from promptimp.history import RunFilter
from promptimp.models import BackendType, ImproveResult, PromptImpError, PromptRun
from promptimp.text import plural
from ui import resources
from ui.run_page import render_run_page
from ui.text import escape_markdown
from ui.views import RUN_COLUMNS, render_run, runs_frame

SORTS = {
    "Newest first": "timestamp desc",
    "Oldest first": "timestamp asc",
    "Highest confidence": "confidence desc",
    "Lowest confidence": "confidence asc",
    "Slowest": "latency_ms desc",
    "Fastest": "latency_ms asc",
}
PAGE_SIZES = (25, 50, 100)
ALL = "All"
TABLE_KEY = "history_table"
OPENED = "history_opened"
NO_SELECTION = {"selection": {"rows": [], "columns": [], "cells": []}}


def read_filters() -> RunFilter:
    """The filter widgets, as a RunFilter (an untouched widget filters nothing)."""
    with st.container(border=True):
        text_col, backend_col, model_col, author_col = st.columns([3, 1, 2, 2])
        text = text_col.text_input(
            "Search", placeholder="Words in the idea, context or prompt", key="history_search"
        )
        backend = backend_col.selectbox(
            "Backend", [ALL, *(b.value for b in BackendType)], key="history_backend"
        )
        model = model_col.selectbox(
            "Model", [ALL, *resources.model_versions()], key="history_model"
        )
        author = author_col.selectbox("Author", [ALL, *resources.authors()], key="history_author")
        dates_col, confidence_col, tag_col = st.columns([2, 2, 1])
        dates = dates_col.date_input(
            "Dates (UTC)", value=(), format="YYYY-MM-DD", key="history_dates"
        )
        low, high = confidence_col.slider(
            "Confidence", 0.0, 1.0, (0.0, 1.0), step=0.05, key="history_confidence"
        )
        tag = tag_col.selectbox("Tag", [ALL, *resources.all_tags()], key="history_tag")
    return RunFilter(
        text=text.strip(),
        backend=None if backend == ALL else backend,
        model_version=None if model == ALL else model,
        author=None if author == ALL else author,
        since=datetime.combine(dates[0], time.min, UTC) if dates else None,
        until=datetime.combine(dates[-1], time.max, UTC) if dates else None,
        min_confidence=low if low > 0.0 else None,
        max_confidence=high if high < 1.0 else None,
        tag=None if tag == ALL else tag,
    )


def export(writer: Callable[[io.StringIO, RunFilter], int], filters: RunFilter) -> str:
    """The matching runs as CSV or JSON text (run when the download is clicked)."""
    out = io.StringIO()
    writer(out, filters)
    return out.getvalue()


def open_refined(result: ImproveResult) -> None:
    """A version refined in the run view is shown next, in place of the row it came from
    (the table's rows move when a run is added, so the selection is cleared)."""
    st.session_state[OPENED] = result.run.id
    st.session_state["history_deselect"] = True


def opened_run(selected: list[PromptRun]) -> PromptRun | None:
    """The selected row's run; else the run refined last, while no other row is selected."""
    if selected:
        st.session_state.pop(OPENED, None)
        return selected[0]
    opened = st.session_state.get(OPENED)
    return resources.get_run(opened) if opened is not None else None


def ask_delete(run_id: int) -> None:
    st.session_state["history_delete"] = run_id


def forget_delete() -> None:
    st.session_state.pop("history_delete", None)


@st.dialog("Delete this run?", on_dismiss=forget_delete)
def confirm_delete(run_id: int) -> None:
    st.write(f"Run #{run_id} will be removed from the history. This cannot be undone.")
    delete_col, cancel_col = st.columns(2)
    if delete_col.button("Delete", type="primary", key="history_delete_confirm", width="stretch"):
        try:
            resources.get_service().delete_run(run_id)
        except PromptImpError as error:  # a dialog reruns on its own, outside app.py
            st.error(escape_markdown(str(error)))
            return
        forget_delete()
        resources.reads_changed()
        st.session_state["history_deselect"] = True
        st.session_state["history_notice"] = f"Deleted run #{run_id}."
        st.rerun()
    if cancel_col.button("Cancel", key="history_delete_cancel", width="stretch"):
        forget_delete()
        st.rerun()


history = resources.history()  # app.py lists this page only when history is on
st.title("History")
st.caption("Every stored run. Search, filters, sorting and paging run in the database.")
if notice := st.session_state.pop("history_notice", None):
    st.success(notice)

filters = read_filters()
total = resources.count_runs(filters)
count_col, sort_col = st.columns([4, 2], vertical_alignment="bottom")
sort = sort_col.selectbox("Sort", list(SORTS), key="history_sort")
table_slot = st.container()  # filled once the paging controls below it are read
csv_col, json_col, _, size_col, page_col = st.columns([1, 1, 2, 1, 1], vertical_alignment="bottom")
size = size_col.selectbox("Rows per page", PAGE_SIZES, index=1, key="history_size")
pages = max(1, math.ceil(total / size))
view = (filters, sort, size)
if st.session_state.get("history_view") != view:  # new criteria start again at page 1
    st.session_state["history_view"] = view
    st.session_state["history_page"] = 1
page = page_col.number_input("Page", min_value=1, max_value=pages, key="history_page")
count_col.markdown(f"**{plural(total, 'matching run')}** · page {page:,} of {pages:,}")
shown = (view, page)
if st.session_state.get("history_shown") != shown:
    st.session_state["history_shown"] = shown  # other rows now: forget the selected one
    st.session_state[TABLE_KEY] = NO_SELECTION
    st.session_state.pop(OPENED, None)
elif st.session_state.pop("history_deselect", False):
    st.session_state[TABLE_KEY] = NO_SELECTION

runs = resources.query_runs(filters, SORTS[sort], size, (page - 1) * size)
selected = []
if runs:
    event = table_slot.dataframe(
        runs_frame(runs),
        key=TABLE_KEY,
        on_select="rerun",
        selection_mode="single-row",
        hide_index=True,
        column_config=RUN_COLUMNS,
    )
    selected = [runs[row] for row in event.selection.rows if row < len(runs)]
elif filters == RunFilter():
    table_slot.info("No runs stored yet. Improve a prompt and it shows up here.")
else:
    table_slot.info("No runs match. Clear the search or widen the filters.")

exports = [
    (csv_col, "CSV", history.export_csv, "csv", "text/csv", ":material/table:"),
    (json_col, "JSON", history.export_json, "json", "application/json", ":material/data_object:"),
]
for column, label, writer, suffix, mime, icon in exports:
    column.download_button(
        f"Export {label}",
        partial(export, writer, filters),
        file_name=f"prompt-history.{suffix}",
        mime=mime,
        on_click="ignore",
        icon=icon,
        disabled=total == 0,
    )

run = opened_run(selected)
if run is not None:
    st.divider()
    title_col, delete_col = st.columns([5, 1], vertical_alignment="bottom")
    title_col.subheader(f"Run #{run.id}")
    delete_col.button(
        "Delete run", icon=":material/delete:", on_click=ask_delete, args=(run.id,), width="stretch"
    )
    if st.session_state.get("history_delete") == run.id:
        confirm_delete(run.id)
    render_run(run, key=f"history-{run.id}", show_input=True)
    st.divider()
    render_run_page(run, key=f"history-{run.id}", on_refined=open_refined)
else:
    st.caption("Select a row to see the whole run.")

with st.expander("Retention clean-up"):
    days = resources.get_service().settings.SQLITE_RETENTION_DAYS
    st.write(f"Delete every run older than {plural(days, 'day')} (SQLITE_RETENTION_DAYS).")
    if st.button("Clean up now", icon=":material/cleaning_services:", key="history_cleanup"):
        removed = resources.get_service().delete_old_runs(days)
        resources.reads_changed()
        st.session_state["history_notice"] = (
            f"Retention clean-up: {plural(removed, 'run')} removed"
            f" (older than {plural(days, 'day')})."
        )
        st.rerun()
