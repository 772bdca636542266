"""Streamlit login end to end: a real Chromium signs in through st.login against a local
OpenID Connect provider (tests/oidc_provider.py), improves an idea with the embedded model,
and finds the run in History under the signed-in email.

The workbench is started as `make run` starts it, from the checkout (so its
.streamlit/config.toml applies); the [auth] section lives in a secrets.toml in the test's tmp
dir, passed with `--secrets.files`, which replaces the default <cwd>/.streamlit/secrets.toml
and ~/.streamlit/secrets.toml. Nothing in the flow is faked on Streamlit's side: the browser
follows /auth/login -> the provider's /authorize -> /oauth2callback, where Streamlit
(Authlib) exchanges the code, checks the id_token's signature against /jwks, its issuer,
audience and nonce, and sets its signed identity cookie.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_workbench_browser import (
    IMPROVE_TIMEOUT_MS,
    ROOT,
    START_TIMEOUT_S,
    browser_tab,
    open_page,
    select_first_row,
    settle,
)
from tests.oidc_provider import OIDCProvider, oidc_provider
from tests.support import free_port, running_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

EMAIL = "ana.lima@example.org"
OFFLINE_USER = "offline-user"  # PROMPTIMP_USER: who runs are recorded as without sign-in
IDEA = "Write a welcome email for new team members"


def auth_secrets(provider: OIDCProvider) -> str:
    """The [auth] section of secrets.toml that points st.login at `provider`."""
    return (
        "[auth]\n"
        f'redirect_uri = "{provider.redirect_uri}"\n'
        'cookie_secret = "a test cookie secret that is long enough"\n'
        f'client_id = "{provider.client_id}"\n'
        f'client_secret = "{provider.client_secret}"\n'
        f'server_metadata_url = "{provider.metadata_url}"\n'
    )


@contextmanager
def served_with_login(tmp_path: Path) -> Iterator[tuple[str, OIDCProvider]]:
    """A fresh workbench whose login goes to a fresh local provider; yields (URL, provider)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with oidc_provider(
        client_id="workbench",
        client_secret="workbench-secret",
        redirect_uri=f"{url}/oauth2callback",
        email=EMAIL,
        name="Ana Lima",
    ) as provider:
        secrets_path = tmp_path / "secrets.toml"
        secrets_path.write_text(auth_secrets(provider))
        env = {
            **os.environ,
            "SQLITE_DB_PATH": str(tmp_path / "history.db"),
            "LLM_PROVIDER": "local",
            "LLM_MODEL": "",
            "PROMPTIMP_USER": OFFLINE_USER,
            "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
        }
        command = [sys.executable, "-m", "streamlit", "run", "workbench"]
        command += ["--server.port", str(port), "--server.address", "127.0.0.1"]
        command += ["--secrets.files", str(secrets_path)]
        log_path = tmp_path / "streamlit.log"
        ready = f"{url}/_stcore/health"
        with running_server(command, ready, log_path, timeout_s=START_TIMEOUT_S, cwd=ROOT, env=env):
            yield url, provider


def sign_in(tab: Page) -> None:
    sidebar = tab.get_by_test_id("stSidebar")
    sidebar.get_by_role("button", name="Sign in").click()  # off to the provider and back
    expect(sidebar.get_by_text(f"Signed in as {EMAIL}")).to_be_visible()
    expect(sidebar.get_by_role("button", name="Sign in")).to_have_count(0)


def improve(tab: Page, idea: str) -> None:
    tab.get_by_role("textbox", name="Idea").fill(idea)
    tab.get_by_text("zero-shot", exact=True).click()  # the quicker backend
    tab.get_by_role("button", name="Improve").click()
    expect(tab.get_by_role("heading", name="Improved prompt")).to_be_visible(
        timeout=IMPROVE_TIMEOUT_MS
    )
    settle(tab)


def author_options(tab: Page) -> list[str]:
    """What History's Author filter offers (opens the list, reads it, closes it)."""
    tab.get_by_test_id("stSelectbox").filter(has_text="Author").click()
    options = tab.get_by_role("option")
    expect(options.first).to_be_visible()
    offered = options.all_inner_texts()
    tab.keyboard.press("Escape")
    return offered


def test_a_signed_in_user_is_the_author_of_their_runs(tmp_path):
    with served_with_login(tmp_path) as (url, provider), browser_tab() as tab:
        tab.goto(url)
        expect(tab.get_by_role("heading", name="Improve a prompt")).to_be_visible()
        sign_in(tab)
        assert provider.tokens_issued == 1

        improve(tab, IDEA)
        open_page(tab, "History")
        expect(tab.get_by_text("1 matching run")).to_be_visible()
        assert author_options(tab) == ["All", EMAIL]  # not OFFLINE_USER: nobody ran signed out
        select_first_row(tab)
        expect(tab.get_by_role("heading", name="Run #1")).to_be_visible()
        expect(tab.get_by_text(f"by {EMAIL}")).to_be_visible()

        sidebar = tab.get_by_test_id("stSidebar")
        sidebar.get_by_role("button", name="Sign out").click()
        expect(sidebar.get_by_role("button", name="Sign in")).to_be_visible()
        expect(sidebar.get_by_text("Signed in as")).to_have_count(0)
