"""The workbench's own modules load without DSPy: the page script never imports it while the
warm-up thread does (two threads importing the same packages can deadlock Python's locks)."""

import subprocess
import sys

from app_helpers import ROOT


def test_the_run_page_and_model_choice_load_neither_dspy_nor_litellm():
    code = (
        "import sys, ui.run_page, ui.model_choice, ui.views, ui.text\n"
        "print(sorted(m for m in ('dspy', 'litellm') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert done.stdout.strip() == "[]", done.stderr
