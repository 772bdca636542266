"""Form values that outlive a page switch.

Streamlit forgets a widget's value when a script run does not draw it, which is every run of
another page. `restore` puts a form's last submitted values back before its widgets are drawn,
so a form always shows the input of the result beside it; `remember` keeps them on submit.
"""

from __future__ import annotations

from typing import Any

import streamlit as st


def restore(form: str, defaults: dict[str, Any]) -> None:
    """Give every widget key of `form` its last submitted value, else its default."""
    saved = st.session_state.get(f"{form}_submitted", {})
    for key, default in defaults.items():
        if key not in st.session_state:
            st.session_state[key] = saved.get(key, default)


def remember(form: str, keys: list[str] | dict[str, Any]) -> None:
    """Keep the submitted values of the widgets `keys` of `form`."""
    st.session_state[f"{form}_submitted"] = {key: st.session_state[key] for key in keys}
