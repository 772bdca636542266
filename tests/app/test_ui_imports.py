"""The workbench's own modules load without DSPy: the page script never imports it while the
warm-up thread does (two threads importing the same packages can deadlock Python's locks)."""

from tests.support import heavy_imports_of


def test_the_run_page_and_model_choice_load_neither_dspy_nor_litellm():
    assert heavy_imports_of("ui.run_page", "ui.model_choice", "ui.views", "ui.text") == []
