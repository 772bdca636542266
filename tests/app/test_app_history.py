"""The History page: search, filters, sorting and paging in SQL; detail, delete, clean-up."""

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from app_helpers import SCRIPT_IDEA, click, shown_text, unescape

from promptimp.history.sqlite.migrations import PROMPT_HISTORY

REST, HAIKU, SCRIPT, MARKETING = (
    "Design a REST API for user management",
    "Write a haiku about autumn rain",
    SCRIPT_IDEA,
    "Plan a marketing email campaign",
)


def ideas(at) -> list[str]:
    return at.dataframe[0].value["idea"].tolist() if at.dataframe else []


def select_row(at, row: int):
    at.session_state["history_table"] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    return at.run()


def test_runs_are_listed_newest_first(seeded, open_page):
    at = open_page("history")
    assert ideas(at) == [REST, HAIKU, SCRIPT, MARKETING]
    assert at.markdown[0].value == "**4 matching runs** · page 1 of 1"


def test_an_empty_database_explains_itself(workbench, open_page):
    at = open_page("history")
    assert [info.value for info in at.info] == [
        "No runs stored yet. Improve a prompt and it shows up here."
    ]


def test_full_text_search_narrows_the_table(seeded, open_page):
    at = open_page("history")
    at.text_input(key="history_search").input("haiku").run()
    assert ideas(at) == [HAIKU]
    at.text_input(key="history_search").input("nothing matches this").run()
    assert ideas(at) == []
    assert at.info[0].value == "No runs match. Clear the search or widen the filters."


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("history_backend", "few-shot", [HAIKU, SCRIPT]),
        ("history_model", "local/smollm2", [SCRIPT, MARKETING]),
        ("history_confidence", (0.7, 1.0), [REST, MARKETING]),
        ("history_confidence", (0.0, 0.7), [HAIKU]),
    ],
)
def test_filters_narrow_the_table(seeded, open_page, key, value, expected):
    at = open_page("history")
    widget = at.selectbox(key=key) if key != "history_confidence" else at.slider(key=key)
    widget.set_value(value).run()
    assert ideas(at) == expected


def test_a_date_range_narrows_the_table(seeded, open_page):
    at = open_page("history")
    today = datetime.now(UTC).date()
    at.date_input(key="history_dates").set_value((today - timedelta(days=2), today)).run()
    assert ideas(at) == [REST, HAIKU]


def test_sorting_by_confidence(seeded, open_page):
    at = open_page("history")
    at.selectbox(key="history_sort").set_value("Highest confidence").run()
    assert ideas(at) == [REST, MARKETING, HAIKU, SCRIPT]  # unknown confidence last


def test_paging_and_page_size(store, make_run, open_page):
    for number in range(60):
        store.save(make_run(original_idea=f"Idea number {number:02d}"))
    at = open_page("history")
    assert len(ideas(at)) == 50
    at.number_input(key="history_page").set_value(2).run()
    assert ideas(at) == [f"Idea number {n:02d}" for n in range(9, -1, -1)]
    assert at.markdown[0].value == "**60 matching runs** · page 2 of 2"
    at.selectbox(key="history_size").set_value(100).run()
    assert at.number_input(key="history_page").value == 1 and len(ideas(at)) == 60


def test_selecting_a_row_shows_the_whole_run_literally(seeded, open_page):
    at = select_row(open_page("history"), 2)
    assert [header.value for header in at.subheader] == [
        "Run #2",
        "Try it",
        "Versions",
        "Refine",
        "Tags",
        "Learn from it",
    ]
    texts = shown_text(at)
    assert texts[0] == SCRIPT_IDEA
    assert seeded[1].role in texts and seeded[1].directive in texts
    assert [code.value for code in at.code] == [seeded[1].improved_prompt]


def test_a_damaged_row_is_marked_in_the_table_and_warned_about_in_its_view(
    store, make_run, workbench, open_page
):
    store.save(make_run(original_idea="A run whose guardrails were damaged"))
    store.save(make_run(original_idea="A sound run stored after it"))
    with sqlite3.connect(workbench) as db:
        db.execute(f"UPDATE {PROMPT_HISTORY} SET guardrails = ? WHERE id = 1", ["[not json"])
    db.close()

    def damage_warnings(at) -> list[str]:
        return [unescape(w.value) for w in at.warning if "damaged" in w.value]

    at = open_page("history")
    frame = at.dataframe[0].value
    assert list(zip(frame["id"], frame["damaged"], strict=True)) == [(2, ""), (1, "damaged")]
    assert damage_warnings(select_row(at, 1)) == [
        "This stored run is damaged (guardrails are not JSON): it is shown as far as it can be "
        "read, so some fields may not be what was written."
    ]
    assert at.subheader[0].value == "Run #1"
    assert damage_warnings(select_row(at, 0)) == []


def test_deleting_a_run_asks_first(seeded, store, open_page):
    def confirming(at) -> bool:
        return "history_delete_confirm" in [button.key for button in at.button]

    at = click(select_row(open_page("history"), 0), "Delete run")
    assert confirming(at) and store.get(4) is not None
    at = click(at, "Cancel")
    assert not confirming(at) and store.get(4) is not None
    at = click(click(at, "Delete run"), "Delete")
    assert not confirming(at) and store.get(4) is None
    assert [s.value for s in at.success] == ["Deleted run #4."]
    assert ideas(at) == [HAIKU, SCRIPT, MARKETING] and not at.subheader


def test_retention_cleanup_button_reports_what_it_removed(store, make_run, monkeypatch, open_page):
    monkeypatch.setenv("SQLITE_AUTO_CLEANUP", "false")
    store.save(make_run(timestamp=datetime.now(UTC) - timedelta(days=45)))
    store.save(make_run())
    at = click(open_page("history"), "Clean up now")
    assert [s.value for s in at.success] == [
        "Retention clean-up: 1 run removed (older than 30 days)."
    ]
    assert store.total_count() == 1 and len(ideas(at)) == 1


def test_exports_are_offered_only_when_something_matches(seeded, open_page):
    at = open_page("history")
    labels = {b.proto.label: b.proto.disabled for b in at.get("download_button")}
    assert labels == {"Export CSV": False, "Export JSON": False}
    at.text_input(key="history_search").input("nothing matches this").run()
    labels = {b.proto.label: b.proto.disabled for b in at.get("download_button")}
    assert labels == {"Export CSV": True, "Export JSON": True}
