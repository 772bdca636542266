"""The Library page: tagged keepers, a tag filter, a preview and the two downloads."""

import json

import pytest
from app_helpers import unescape
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from promptimp.crafting.library import render_json, render_markdown


@pytest.fixture
def downloads(monkeypatch) -> dict[str, str]:
    """What each download button of the last run offers, by file name (a spy: files are
    still stored as usual)."""
    offered: dict[str, str] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def load_and_get_id(self, path_or_data, mimetype, kind, filename=None):
        offered[filename] = (
            path_or_data.decode() if isinstance(path_or_data, bytes) else path_or_data
        )
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", load_and_get_id)
    return offered


@pytest.fixture
def library(store, make_run):
    """Two tagged keepers, a tagged run that is not a keeper and an untagged keeper."""
    production = store.save(make_run(original_idea="Write a haiku about autumn rain"))
    tested = store.save(make_run(original_idea="Plan a *marketing* email campaign"))
    not_kept = store.save(make_run(original_idea="Summarise a research paper"))
    untagged = store.save(make_run(original_idea="Draft a privacy policy"))
    for run, tag in ((production, "production"), (tested, "tested"), (not_kept, "tested")):
        store.add_tag(run.id, tag)
    for run in (production, tested, untagged):
        store.set_keeper(run.id)
    return {"production": store.get(production.id), "tested": store.get(tested.id)}


def preview(at) -> str:
    """The Markdown shown in the preview box (the page's last markdown element)."""
    return at.main.markdown[-1].value


def test_an_empty_library_says_how_to_fill_it(store, make_run, open_page):
    store.save(make_run())  # a run, but no tagged keeper
    at = open_page("library")
    assert not at.exception and not at.error
    (info,) = at.info
    assert "mark a version as the keeper in its run view and tag it" in info.value
    assert not at.get("download_button") and not at.main.selectbox


def test_tagged_keepers_are_listed_newest_first_and_downloaded(library, downloads, open_page):
    at = open_page("library")
    assert not at.exception and not at.error
    tested, production = library["tested"], library["production"]
    assert preview(at) == render_markdown([tested, production]).strip()
    assert "## Plan a \\*marketing\\* email campaign" in preview(at)
    assert at.selectbox(key="library_tag").options == ["All tags", "production", "tested"]
    assert [b.proto.label for b in at.get("download_button")] == [
        "Download Markdown",
        "Download JSON",
    ]
    assert downloads["prompt-library.md"] == render_markdown([tested, production])
    assert downloads["prompt-library.json"] == render_json([tested, production])


def test_the_tag_filter_narrows_the_preview_and_the_downloads(library, downloads, open_page):
    at = open_page("library")
    at = at.selectbox(key="library_tag").set_value("production").run()
    production = library["production"]
    assert preview(at) == render_markdown([production]).strip()
    assert "1 prompt tagged “production”; the preview is the Markdown file." in [
        unescape(c.value) for c in at.caption
    ]
    entries = json.loads(downloads["prompt-library-production.json"])
    assert [entry["run_id"] for entry in entries] == [production.id]
    assert downloads["prompt-library-production.md"] == render_markdown([production])
