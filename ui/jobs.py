"""Slow service calls on a worker thread, so a page can show elapsed time and offer Cancel.

A page starts a job under a session-state key; while it runs, `show_progress` redraws the
elapsed time every POLL_S seconds (a fragment, so the rest of the page stays put) and has a
Cancel button; once it is done the page takes the outcome with `take_finished`.

Cancel stops waiting and discards the result. It does not stop the model: a call in progress
cannot be interrupted, so it finishes on its worker and the service stores the run in the
history as usual. The job survives page switches (it lives in the session state).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

POLL_S = 0.5
CANCELLED = (
    "Cancelled: nothing will be shown. A model call under way cannot be interrupted: it "
    "finishes in the background and what it makes is stored in the history as usual."
)
QUICK_S = 0.5  # a call that ends this fast (bad input, a fast model) shows no progress
WORKERS = 4  # runs of all sessions share these; the local model itself serves one at a time


@dataclass
class Job:
    """One background call and what it is doing now (the worker updates `stage`, `step`)."""

    stage: str
    steps: int = 1
    step: int = 1
    started: float = field(default_factory=time.monotonic)
    future: Future | None = None

    def advance(self, stage: str, step: int) -> None:
        """Called by the work itself when it moves on (e.g. to the second backend)."""
        self.stage, self.step = stage, step

    @property
    def elapsed_s(self) -> float:
        return time.monotonic() - self.started

    @property
    def waiting(self) -> bool:
        """Queued behind other runs, not started yet."""
        return self.future is not None and not self.future.running() and not self.future.done()


@st.cache_resource(show_spinner=False)
def _workers() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="workbench-job")


def start(key: str, work: Callable[[Job], Any], stage: str, steps: int = 1) -> Job:
    """Run `work(job)` on a worker; the job is kept under `key` until taken or cancelled."""
    job = Job(stage=stage, steps=steps)
    job.future = _workers().submit(work, job)
    st.session_state[key] = job
    wait([job.future], timeout=QUICK_S)
    return job


def running(key: str) -> Job | None:
    job = st.session_state.get(key)
    return job if job is not None and not job.future.done() else None


def take_finished(key: str) -> Future | None:
    """The finished job's future (call `.result()`), removed from the session; else None."""
    job = st.session_state.get(key)
    if job is None or not job.future.done():
        return None
    del st.session_state[key]
    return job.future


def cancel(key: str) -> None:
    """Stop waiting for the job under `key`; its outcome is discarded when it arrives."""
    st.session_state.pop(key, None)
    st.session_state[f"{key}_cancelled"] = True


def was_cancelled(key: str) -> bool:
    """True once after `cancel(key)`, so the page can say so."""
    return bool(st.session_state.pop(f"{key}_cancelled", False))


@st.fragment(run_every=POLL_S)
def show_progress(key: str) -> None:
    """Elapsed time, the current stage and a Cancel button; reruns the page when done."""
    job = st.session_state.get(key)
    if job is None or job.future.done():
        st.rerun()  # the whole page: it takes the outcome (or shows the cancel)
    if job.waiting:
        label = f"Waiting for the model (busy with other runs)… {job.elapsed_s:.0f} s"
    else:
        step = f" (step {job.step} of {job.steps})" if job.steps > 1 else ""
        label = f"{job.stage}{step}… {job.elapsed_s:.0f} s"
    with st.container(border=True):
        text_col, button_col = st.columns([5, 1], vertical_alignment="center")
        text_col.markdown(f":material/progress_activity: {label}")
        if job.steps > 1:
            text_col.progress((job.step - 1) / job.steps)
        button_col.button(
            "Cancel", icon=":material/close:", on_click=cancel, args=(key,), key=f"{key}_cancel"
        )
