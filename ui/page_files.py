"""Where the page scripts live, as absolute paths.

Streamlit resolves a relative page path against the folder of the script it was started with,
which is workbench/ under `make run` and the checkout root under AppTest; absolute paths name
the same files in both.
"""

from pathlib import Path

PAGES_DIR = Path(__file__).resolve().parents[1] / "pages"


def page_file(name: str) -> Path:
    """pages/<name>.py"""
    return PAGES_DIR / f"{name}.py"
