"""The model this browser session improves, tries and refines with: a sidebar selector.

The choice lives in the session state, so it holds across pages and is this person's own;
pages read it with `chosen_model()` on the script thread and pass it as `model=`.
"""

from __future__ import annotations

import streamlit as st

from promptimp.service import ImproveService

KEY = "model_choice"


def select_model(service: ImproveService) -> None:
    """A sidebar selectbox over the service's available models, the configured one first."""
    labels = {choice.id: choice.label for choice in service.available_models()}
    if st.session_state.get(KEY) not in labels:  # e.g. its provider's key was removed
        st.session_state.pop(KEY, None)
    st.sidebar.selectbox(
        "Model",
        list(labels),
        format_func=labels.__getitem__,
        key=KEY,
        help="Improve, Compare, Try it and Refine use this model in this browser session; "
        "each run records it as its model.",
    )


def chosen_model() -> str | None:
    """The id of the model chosen in the sidebar; None before the sidebar ran (the default)."""
    return st.session_state.get(KEY)
