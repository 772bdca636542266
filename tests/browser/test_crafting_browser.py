"""The crafting loop in a real Chromium on the embedded model, as a person walks it.

Improve an idea, try it (both answers side by side), refine it once with quick feedback,
read the word diff between the two versions, keep the new one, tag it "production", export
the prompt library as Markdown, then find the keeper in History. Screenshots go where
test_workbench_browser.py puts them (PROMPTIMP_SCREENSHOTS, else a pytest tmp dir).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from promptimp.history import SQLiteStore
from tests.browser.test_workbench_browser import (
    IDEA,
    IMPROVE_TIMEOUT_MS,
    ROOT,
    browser_tab,
    open_page,
    select_first_row,
    served,
    settle,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FEEDBACK = "Add a guardrail about security"


def screenshot(page: Page, folder: Path, name: str) -> None:
    page.mouse.move(0, 0)  # no hover toolbars in the picture
    page.screenshot(path=folder / f"{name}.png")  # the app scrolls inside a tall viewport


def scroll_to(page: Page, heading: str) -> None:
    page.get_by_role("heading", name=heading, exact=True).scroll_into_view_if_needed()


def test_improve_try_refine_diff_keep_tag_and_export(tmp_path):
    chosen = os.environ.get("PROMPTIMP_SCREENSHOTS")
    shots = ROOT / chosen if chosen else tmp_path / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    db_path = tmp_path / "history.db"
    with served(db_path) as url, browser_tab() as page:
        page.goto(url)
        sidebar = page.get_by_test_id("stSidebar")
        model = sidebar.get_by_role("combobox", name="Model")
        expect(model).to_have_value("smollm2-135m-instruct (embedded, no network)")

        page.get_by_role("textbox", name="Idea").fill(IDEA)
        page.get_by_role("button", name="Improve").click()
        expect(page.get_by_role("heading", name="Improved prompt")).to_be_visible(
            timeout=IMPROVE_TIMEOUT_MS
        )
        settle(page)
        expect(page.get_by_text(re.compile(r"^Made with local/"))).to_be_visible()

        page.get_by_role("button", name="Try it").click()
        expect(page.get_by_text(re.compile(r"^Tried .* UTC on local/"))).to_be_visible(
            timeout=IMPROVE_TIMEOUT_MS
        )
        settle(page)
        expect(page.get_by_text(re.compile(r"^Original idea · [\d,]+ ms$"))).to_be_visible()
        expect(page.get_by_text(re.compile(r"^Improved prompt · [\d,]+ ms$"))).to_be_visible()
        tokens = page.get_by_text(re.compile(r"^Tokens: \d[\d,]* in · \d[\d,]* out$"))
        expect(tokens).to_have_count(2)
        scroll_to(page, "Try it")
        screenshot(page, shots, "crafting-try")

        page.get_by_role("button", name=FEEDBACK).click()
        expect(page.get_by_text("Refined into run #2, shown above.")).to_be_visible(
            timeout=IMPROVE_TIMEOUT_MS
        )
        settle(page)
        expect(page.get_by_test_id("stMetricValue").nth(3)).to_have_text("#2")
        expect(page.get_by_text(f"Asked for: {FEEDBACK}")).to_be_visible()
        changed = page.get_by_text(re.compile(r"^Changed: .*\+\d[\d,]* words? \(green\)"))
        expect(changed).to_be_visible()
        expect(page.get_by_role("combobox", name="From")).to_have_value("Version 1 (run #1)")
        expect(page.get_by_role("combobox", name="To")).to_have_value("Version 2 (run #2)")
        counts = re.search(r"\+([\d,]+) words? \(green\), -([\d,]+) words?", changed.inner_text())
        added, removed = (int(count.replace(",", "")) for count in counts.groups())
        marked = page.get_by_test_id("stMain").locator("span[style*='background-color']")
        assert marked.filter(has=page.locator("del")).count() >= min(removed, 1)
        assert marked.filter(has_not=page.locator("del")).count() >= min(added, 1)
        assert added + removed > 0
        scroll_to(page, "Versions")
        screenshot(page, shots, "crafting-versions")

        page.get_by_role("button", name="Keep this version").click()
        settle(page)
        expect(page.get_by_text("Version 2 (run #2) is the keeper.")).to_be_visible()
        page.get_by_role("button", name="Tag production").click()
        settle(page)
        expect(page.get_by_text("Tagged run #2 'production'.")).to_be_visible()
        expect(page.get_by_role("button", name="Tag production")).to_have_count(0)
        scroll_to(page, "Tags")
        screenshot(page, shots, "crafting-tags")

        store = SQLiteStore(db_path)
        first, second = store.versions(1)
        store.close()
        assert (second.parent_id, second.feedback, second.keeper) == (1, FEEDBACK, True)
        assert second.tags == ("production",) and not first.keeper
        assert second.improved_prompt != first.improved_prompt

        open_page(page, "Library")
        with page.expect_download() as download:
            page.get_by_role("button", name="Download Markdown").click()
        exported = Path(download.value.path()).read_text(encoding="utf-8")
        assert second.improved_prompt in exported  # the keeper, fenced verbatim
        assert "- **Tags:** production" in exported and "- **Run:** 2," in exported
        assert exported.count("- **Run:** ") == 1  # one section: only the keeper
        screenshot(page, shots, "crafting-library")

        open_page(page, "History")
        expect(page.get_by_text("2 matching runs")).to_be_visible()
        select_first_row(page)  # newest first: the keeper
        expect(page.get_by_role("heading", name="Run #2")).to_be_visible()
        expect(page.get_by_text("Version 2 (run #2) is the keeper.")).to_be_visible()
        scroll_to(page, "Versions")
        screenshot(page, shots, "crafting-history")
