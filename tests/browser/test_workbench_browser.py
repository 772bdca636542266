"""The served workbench in a real Chromium, with the embedded local model.

Starts the workbench as `make run` does (`streamlit run workbench`) on a free port against a
tmp database holding one run whose texts and model name are HTML. A deep link is the first
request of its own fresh server, and so is a run on a provider that never answers (it is
cancelled). The rest improves an idea for real, finds it in History, checks that stored HTML
shows as text and never runs, compares both backends, and saves a screenshot of every page in
a pytest tmp dir, or in the folder that PROMPTIMP_SCREENSHOTS names (relative to the checkout,
e.g. tests/browser/artifacts).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from promptimp.history import SQLiteStore
from promptimp.models import BackendType, PromptRun
from tests.support import free_port, running_server, stalled_provider

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
START_TIMEOUT_S = 60
RUN_TIMEOUT_MS = 30_000
IMPROVE_TIMEOUT_MS = 300_000  # loading and running the local model on two cores
IDEA = "Design a REST API for user management"
HOSTILE = "<img src=x onerror=alert(1)>"
HOSTILE_IDEA = f"Summarise this safely {HOSTILE} <script>alert(2)</script>"
expect.set_options(timeout=RUN_TIMEOUT_MS)  # two shared cores: a page can take a while


def seed(db_path: Path) -> None:
    """One stored run whose texts and model name are HTML."""
    store = SQLiteStore(db_path)
    store.save(
        PromptRun(
            original_idea=HOSTILE_IDEA,
            improved_prompt=f"You are {HOSTILE}.",
            role=HOSTILE,
            directive="<b>not bold</b>",
            framework="decomposition",
            guardrails=(HOSTILE, "<i>b</i>", "c"),
            backend=BackendType.ZERO_SHOT,
            confidence=0.5,
            latency_ms=10,
            model_version=HOSTILE,
        )
    )
    store.close()


@contextmanager
def served(db_path: Path, **settings: str) -> Iterator[str]:
    """A fresh workbench server started as `make run` starts it, on the embedded model unless
    `settings` say otherwise; yields its URL."""
    port = free_port()
    env = {
        **os.environ,
        "SQLITE_DB_PATH": str(db_path),
        "LLM_PROVIDER": "local",
        "LLM_MODEL": "",
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
        **settings,
    }
    command = [sys.executable, "-m", "streamlit", "run", "workbench", "--server.port", str(port)]
    command += ["--server.address", "127.0.0.1"]
    url = f"http://127.0.0.1:{port}"
    log_path = db_path.parent / "streamlit.log"
    ready = f"{url}/_stcore/health"
    with running_server(command, ready, log_path, timeout_s=START_TIMEOUT_S, cwd=ROOT, env=env):
        yield url


@contextmanager
def browser_tab() -> Iterator[Page]:
    """A Chromium tab; any JavaScript dialog (an alert) fails the test."""
    dialogs: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        tab = browser.new_page(viewport={"width": 1400, "height": 1800})
        tab.set_default_timeout(RUN_TIMEOUT_MS)
        tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        yield tab
        browser.close()
    assert dialogs == [], f"a script ran in the page: {dialogs}"


@pytest.fixture(scope="module")
def app_url(tmp_path_factory) -> Iterator[str]:
    """The served app; its database holds one run whose texts are HTML."""
    db_path = tmp_path_factory.mktemp("served") / "history.db"
    seed(db_path)
    with served(db_path) as url:
        yield url


@pytest.fixture(scope="module")
def page(app_url) -> Iterator[Page]:
    """One browser tab for the module, opened at the app's root."""
    with browser_tab() as tab:
        tab.goto(app_url)
        expect(tab.get_by_role("heading", name="Improve a prompt")).to_be_visible()
        yield tab


def settle(page: Page) -> None:
    """Wait until the script run the last action started has finished (seen idle twice)."""
    running = page.get_by_test_id("stStatusWidget")
    for _ in range(2):
        page.wait_for_timeout(500)
        expect(running).to_have_count(0, timeout=RUN_TIMEOUT_MS)


def open_page(page: Page, title: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
    settle(page)


@pytest.fixture(scope="module")
def shoot(tmp_path_factory) -> Callable[[Page, str], None]:
    """`shoot(page, name)` saves a screenshot as <name>.png in the screenshots folder."""
    chosen = os.environ.get("PROMPTIMP_SCREENSHOTS")
    folder = ROOT / chosen if chosen else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)

    def take(page: Page, name: str) -> None:
        page.screenshot(path=folder / f"{name}.png")  # the app scrolls inside; a tall viewport

    return take


def select_first_row(page: Page) -> None:
    """Click the first data row of the History table (a canvas) on its row marker."""
    table = page.get_by_test_id("stDataFrame").first
    box = table.bounding_box()
    page.mouse.click(box["x"] + 12, box["y"] + 35 + 17)
    settle(page)


def sidebar_is_from_app_py(tab: Page) -> None:
    """The router's sidebar: page titles (not file names) and the model/history status."""
    nav = tab.get_by_test_id("stSidebarNav")
    for title in ("Improve", "History", "Insights", "Compare", "Evaluate", "Health"):
        expect(nav).to_contain_text(title)  # case-sensitive: the file names are lower case
    expect(nav.get_by_text("app", exact=True)).to_have_count(0)
    sidebar = tab.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text("LANGUAGE MODEL")).to_be_visible()
    expect(sidebar.get_by_text("1 run stored")).to_be_visible()


# Tests with a server and tab of their own come first: the module's tab (`page`) is opened
# by the first test that asks for it, and Playwright's sync API runs one at a time.


def test_a_deep_link_as_the_first_request_goes_through_app_py(tmp_path, shoot):
    seed(tmp_path / "history.db")
    with served(tmp_path / "history.db") as url, browser_tab() as tab:
        tab.goto(f"{url}/history")  # nothing has opened / on this server yet
        expect(tab.get_by_role("heading", name="History", exact=True)).to_be_visible()
        sidebar_is_from_app_py(tab)
        settle(tab)
        tab.mouse.move(0, 0)
        shoot(tab, "deep-link-history")
        tab.goto(f"{url}/insights")  # later visitors too
        expect(tab.get_by_role("heading", name="Insights", exact=True)).to_be_visible()
        sidebar_is_from_app_py(tab)


def test_a_slow_improvement_shows_elapsed_time_and_can_be_cancelled(tmp_path, shoot):
    provider = {"LLM_PROVIDER": "openai", "OPENAI_API_KEY": "sk-test"}
    with (
        stalled_provider() as base_url,
        served(tmp_path / "history.db", LLM_BASE_URL=base_url, **provider) as url,
        browser_tab() as tab,
    ):
        tab.goto(url)
        tab.get_by_role("textbox", name="Idea").fill(IDEA)
        tab.get_by_role("button", name="Improve").click()
        progress = tab.get_by_text(re.compile(r"Improving with zero-shot… \d+ s"))
        expect(progress).to_be_visible()
        expect(progress).to_have_text(re.compile(r"… [2-9]\d* s$"), timeout=10_000)  # it counts
        shoot(tab, "improve-progress")
        tab.get_by_role("button", name="Cancel").click()
        expect(tab.get_by_text("Cancelled: nothing will be shown.")).to_be_visible()
        expect(progress).to_have_count(0)


def test_improve_an_idea_with_the_local_model(page, shoot):
    page.get_by_role("textbox", name="Idea").fill(IDEA)
    page.get_by_role("button", name="Improve").click()
    expect(page.get_by_role("heading", name="Improved prompt")).to_be_visible(
        timeout=IMPROVE_TIMEOUT_MS
    )
    settle(page)
    expect(page.get_by_test_id("stCode").first).to_contain_text("You are")
    for section in ("Role", "Directive", "Framework", "Guardrails", "Reasoning"):
        expect(page.get_by_text(section, exact=True).first).to_be_visible()
    expect(page.get_by_test_id("stMetricValue").nth(3)).to_have_text("#2")
    expect(page.get_by_role("button", name="Download as .md")).to_be_visible()
    shoot(page, "improve")


def test_find_the_run_in_history_by_search(page, shoot):
    open_page(page, "History")
    search = page.get_by_role("textbox", name="Search")
    search.fill("REST")
    search.press("Enter")
    settle(page)
    expect(page.get_by_text("1 matching run")).to_be_visible()
    select_first_row(page)
    expect(page.get_by_role("heading", name="Run #2")).to_be_visible()
    expect(page.get_by_test_id("stText").get_by_text(IDEA, exact=True)).to_be_visible()
    page.mouse.move(0, 0)
    shoot(page, "history")


def test_stored_html_shows_as_text_and_never_runs(page, shoot):
    search = page.get_by_role("textbox", name="Search")
    search.fill("Summarise")
    search.press("Enter")
    settle(page)
    select_first_row(page)
    expect(page.get_by_role("heading", name="Run #1")).to_be_visible()
    texts = page.get_by_test_id("stText")
    expect(texts.get_by_text(HOSTILE_IDEA, exact=True)).to_be_visible()
    expect(texts.get_by_text(HOSTILE, exact=True)).to_be_visible()  # the role
    expect(texts.get_by_text("<b>not bold</b>", exact=True)).to_be_visible()
    items = page.get_by_test_id("stMarkdownContainer").get_by_role("listitem")
    guardrail = items.filter(has_text=re.compile(f"^{re.escape(HOSTILE)}$"))  # not a check's
    expect(guardrail.first).to_be_visible()
    assert page.locator("img[src='x']").count() == 0
    page.mouse.move(0, 0)
    shoot(page, "history-html")


def test_the_improve_form_still_holds_the_idea_after_history(page):
    open_page(page, "Improve")
    expect(page.get_by_role("textbox", name="Idea")).to_have_value(IDEA)
    expect(page.get_by_role("heading", name="Improved prompt")).to_be_visible()


def test_compare_shows_which_backend_runs_and_a_readable_verdict_table(page, shoot):
    open_page(page, "Compare")
    page.get_by_role("textbox", name="Idea").fill(IDEA)
    page.get_by_role("button", name="Run both").click()
    expect(page.get_by_text(re.compile(r"Improving with few-shot \(step 2 of 2\)"))).to_be_visible(
        timeout=IMPROVE_TIMEOUT_MS
    )
    shoot(page, "compare-progress")
    better = page.get_by_role("button", name="Few-shot is better")
    expect(better).to_be_visible(timeout=IMPROVE_TIMEOUT_MS)
    better.click()
    settle(page)
    expect(page.get_by_text("Saved: few-shot is better.")).to_be_visible()
    expect(page.get_by_text("Over 1 stored comparison.")).to_be_visible()
    table = page.get_by_test_id("stDataFrame").last
    table.scroll_into_view_if_needed()
    scroller = table.locator(".dvn-scroller")
    widths = scroller.evaluate("element => [element.scrollWidth, element.clientWidth]")
    assert widths[0] <= widths[1], f"the verdict table scrolls sideways: {widths}"
    page.mouse.move(0, 0)
    shoot(page, "compare")


def test_evaluate_offers_the_upload_box_only_for_an_upload(page):
    open_page(page, "Evaluate")
    uploader = page.get_by_test_id("stFileUploader")
    expect(uploader).to_have_count(0)
    page.get_by_text("Upload a JSONL file").click()
    settle(page)
    expect(uploader).to_have_count(1)
    page.get_by_text("data/devset.jsonl (bundled)").click()
    settle(page)
    expect(uploader).to_have_count(0)


@pytest.mark.parametrize(
    ("title", "heading", "charts"),
    [
        ("Insights", "Insights", 6),
        ("Evaluate", None, None),  # the evaluation engineer's page: it renders, no more
        ("Health", "Health", 0),
    ],
)
def test_every_other_page_renders(page, title, heading, charts, shoot):
    open_page(page, title)
    if heading:
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    if charts is not None:
        drawn = page.get_by_test_id("stVegaLiteChart")
        expect(drawn).to_have_count(charts)
        for index in range(charts):  # Vega draws after the script run has ended
            expect(drawn.nth(index).locator("canvas, svg").first).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert page.locator("img[src='x']").count() == 0  # the seeded model name is an <img> tag
    page.mouse.move(0, 0)  # no hover toolbars in the picture
    shoot(page, title.lower())
