"""What pages share: the service (cached per process) and cached read queries.

Pages call these functions instead of touching the store directly, so every read is cached
for READ_TTL_S seconds and every write is followed by `reads_changed()`.
"""

from __future__ import annotations

import threading
from typing import Any

import streamlit as st
from pydantic import BaseModel

from promptimp.history import HistoryReader, RunFilter
from promptimp.history.records import Trial
from promptimp.models import PromptRun
from promptimp.service import Health, ImproveService
from promptimp.settings import load_settings

READ_TTL_S = 60


def build_service() -> ImproveService:
    """The service configured from the environment; tests replace this to inject an LM."""
    return ImproveService(load_settings())


@st.cache_resource(show_spinner=False)
def get_service() -> ImproveService:
    """The one service (and through it the store and LM) of this process."""
    return build_service()


def history_enabled() -> bool:
    return get_service().history_enabled


def history() -> HistoryReader:
    """The service's history for reading (pages check history_enabled() first); writes go
    through the service's methods (delete_run, save_comparison, ...), past its breaker."""
    return get_service().history


@st.cache_resource(show_spinner=False)
def warm_up() -> threading.Thread:
    """Load the model and programs once per process in the background, so the first person
    to press Improve does not wait for them (a failure shows at that first improve).

    Altair is imported first, here on the script thread: it shares narwhals with
    scikit-learn (few-shot demo selection), and a page importing narwhals while the warm-up
    thread does made Python's import locks report a deadlock.
    """
    import altair  # noqa: F401

    thread = threading.Thread(target=get_service().warm_up, name="model-warm-up", daemon=True)
    thread.start()
    return thread


@st.cache_resource(show_spinner=False)
def startup_cleanup() -> int | None:
    """Apply the retention policy once per process; rows removed, None if it did not run."""
    return get_service().startup_cleanup()


@st.cache_data(ttl=READ_TTL_S, show_spinner=False)
def health() -> Health:
    return get_service().health()


@st.cache_data(ttl=READ_TTL_S, show_spinner=False)
def query_runs(filters: RunFilter, sort: str, limit: int, offset: int) -> list[PromptRun]:
    return history().query(filters, sort=sort, limit=limit, offset=offset)


@st.cache_data(ttl=READ_TTL_S, show_spinner=False)
def count_runs(filters: RunFilter) -> int:
    return history().count(filters)


@st.cache_data(ttl=READ_TTL_S, show_spinner=False)
def get_run(run_id: int) -> PromptRun | None:
    return history().get(run_id)


@st.cache_data(ttl=READ_TTL_S, show_spinner=False)
def versions(run_id: int) -> list[PromptRun]:
    """Every version in the run's chain, oldest first ([] for an unknown id)."""
    return history().versions(run_id)


@st.cache_data(ttl=READ_TTL_S, show_spinner=False)
def trials(run_id: int) -> list[Trial]:
    """The run's stored trials, newest first."""
    return history().trials(run_id)


@st.cache_data(ttl=READ_TTL_S, show_spinner=False)
def all_tags() -> list[str]:
    return history().all_tags()


@st.cache_data(ttl=READ_TTL_S, show_spinner=False)
def model_versions() -> list[str]:
    return history().model_versions()


@st.cache_data(ttl=READ_TTL_S, show_spinner=False)
def authors() -> list[str]:
    return history().authors()


def signed_in_author() -> str | None:
    """The signed-in user's email (or name) when Streamlit login ([auth] in secrets.toml) is
    configured and someone signed in; None otherwise, and the service records PROMPTIMP_USER
    or the OS user name. Read it on the script thread, before starting a job."""
    if not st.user.get("is_logged_in"):
        return None
    return st.user.get("email") or st.user.get("name")


@st.cache_data(ttl=READ_TTL_S, show_spinner=False)
def insights(threshold: float, bins: int) -> dict[str, Any]:
    """Every aggregate the Insights page draws, computed in SQL, as plain data for charts."""
    store = history()
    return {
        "statistics": store.statistics().model_dump(),
        "share_confident": store.share_at_least(threshold),
        "daily": _dumped(store.daily_summary()),
        "models": _dumped(store.model_summary()),
        "confidence_bins": _dumped(store.histogram("confidence", bins)),
        "latency_bins": _dumped(store.histogram("latency_ms", bins)),
    }


@st.cache_data(ttl=READ_TTL_S, show_spinner=False)
def comparisons(limit: int) -> dict[str, Any]:
    """Recent comparisons and each backend's win rate over all of them."""
    store = history()
    rates = store.comparison_win_rates()
    return {
        "recent": _dumped(store.recent_comparisons(limit)),
        "win_rates": {"total": rates.total, **rates.model_dump()["verdicts"]},
    }


_READS = (
    health,
    query_runs,
    count_runs,
    get_run,
    versions,
    trials,
    all_tags,
    model_versions,
    authors,
    insights,
    comparisons,
)


def reads_changed() -> None:
    """Forget cached reads after a write, so every page shows the new state."""
    for cached in _READS:
        cached.clear()


def _dumped(records: list[BaseModel]) -> list[dict[str, Any]]:
    return [record.model_dump() for record in records]
