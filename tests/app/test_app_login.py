"""Without Streamlit login ([auth] in secrets.toml) the sidebar offers no Sign in, and runs are
recorded under PROMPTIMP_USER (the signed-in case: tests/browser/test_login.py)."""

from app_helpers import unescape
from test_app_improve import IDEA, improve


def test_without_login_there_is_no_sign_in_and_runs_are_by_promptimp_user(
    store, monkeypatch, open_page
):
    monkeypatch.setenv("PROMPTIMP_USER", "ana")
    at = improve(open_page("improve"), IDEA)
    assert not at.exception and not at.error
    sidebar_buttons = [button.label for button in at.sidebar.button]
    assert "Sign in" not in sidebar_buttons and "Sign out" not in sidebar_buttons
    assert not any("Signed in as" in caption.value for caption in at.sidebar.caption)
    assert [run.author for run in store.query()] == ["ana"]

    at.switch_page("pages/history.py").run()
    assert at.selectbox(key="history_author").options == ["All", "ana"]
    at.session_state["history_table"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert any(unescape(caption.value).endswith(" · by ana") for caption in at.caption)
