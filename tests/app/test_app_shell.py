"""The router and the shared sidebar, and every page on an empty and a filled database."""

from datetime import UTC, datetime, timedelta

import pytest
from app_helpers import TIMEOUT_S, click, open_app, unescape

from promptimp.models import BackendType
from ui.resources import get_service, warm_up

PAGES = ["improve", "history", "insights", "library", "compare", "stability", "evaluate", "health"]


@pytest.mark.parametrize("database", ["workbench", "seeded"])
@pytest.mark.parametrize("name", PAGES)
def test_every_page_renders_on_an_empty_and_a_filled_database(request, open_page, name, database):
    request.getfixturevalue(database)  # "workbench" is empty, "seeded" holds runs
    at = open_page(name)
    assert not at.exception
    assert not at.error
    assert len(at.title) == 1


def test_sidebar_shows_provider_model_and_database(seeded, workbench, open_page):
    at = open_page("improve")
    shown = [unescape(element.value) for element in (*at.sidebar.markdown, *at.sidebar.caption)]
    assert "**openai** · dummy" in shown
    assert ":green[●] 4 runs stored" in shown
    assert str(workbench) in shown


def test_a_bad_setting_is_one_error_line_and_no_page(workbench, monkeypatch):
    monkeypatch.setenv("LLM_PROVIDER", "skynet")
    at = open_app().run()
    assert not at.exception
    assert [unescape(error.value) for error in at.error] == [
        "Invalid setting LLM_PROVIDER='skynet': "
        "expected 'local', 'ollama', 'openai', 'anthropic', 'gemini' or 'deepseek'."
    ]
    assert not at.title


def test_retention_cleanup_runs_once_per_process(store, make_run, open_page):
    old = datetime.now(UTC) - timedelta(days=40)
    store.save(make_run(timestamp=old))
    store.save(make_run())
    at = open_page("improve")
    assert "Start-up clean-up removed 1 old run." in [c.value for c in at.sidebar.caption]
    store.save(make_run(timestamp=old))
    at.run()
    assert store.total_count() == 2  # the second old run stays until the next process


@pytest.mark.parametrize("name", PAGES)
def test_every_page_has_the_shared_sidebar(store, open_page, name):
    at = open_page(name)  # an empty database: some pages stop early
    assert ":green[●] 0 runs stored" in [element.value for element in at.sidebar.markdown]


def test_the_sidebar_counts_a_run_stored_by_the_page(store, open_page):
    at = open_page("improve")
    at.text_area(key="improve_idea").input("Design a REST API for user management")
    at = click(at, "Improve")
    assert ":green[●] 1 run stored" in [element.value for element in at.sidebar.markdown]


def test_without_history_its_pages_are_not_offered(workbench, monkeypatch, open_page):
    monkeypatch.setenv("SQLITE_ENABLED", "false")
    at = open_page("improve")
    assert ":gray[●] turned off (SQLITE_ENABLED=false)" in [m.value for m in at.sidebar.markdown]
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/history.py")
    at.switch_page("pages/compare.py").run()
    at.text_area(key="compare_idea").input("Design a REST API for user management")
    at = click(at, "Run both")
    assert not at.exception and len(at.code) == 2
    assert [info.value for info in at.info] == [
        "Both runs must be saved to history before a verdict can be stored."
    ]


def test_the_model_is_warmed_up_once_per_process_in_the_background(workbench, open_page):
    at = open_page("improve")
    thread = warm_up()  # the one the app started: cached per process
    thread.join(timeout=TIMEOUT_S)
    assert thread.name == "model-warm-up" and not thread.is_alive()
    service = get_service()
    assert service.runtime().built_backends == set(BackendType)  # built, nothing run
    assert service.history.total_count() == 0
    at.switch_page("pages/history.py").run()
    assert warm_up() is thread
