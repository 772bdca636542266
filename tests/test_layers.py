"""The architecture's import rules, read from the source: the core never imports its surfaces
or the evaluation tooling, and only the service reaches a HistoryStore's writes."""

import ast
from pathlib import Path

import pytest

from tests.support import heavy_imports_of

REPO = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    """Every module `path` imports, at any depth of the file (lazy imports included)."""
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules.add(node.module)
    return modules


def files(folder: str) -> list[Path]:
    return sorted((REPO / folder).rglob("*.py"))


@pytest.mark.parametrize("path", files("promptimp"), ids=lambda p: str(p.relative_to(REPO)))
def test_the_core_imports_no_surface_and_no_evaluation_tooling(path):
    outside = {m for m in imported_modules(path) if m.split(".")[0] in {"eval", "cli", "ui"}}
    assert outside == set()


@pytest.mark.parametrize(
    "path",
    [*files("cli"), *files("eval"), *files("pages"), *files("ui"), REPO / "app.py"],
    ids=lambda p: str(p.relative_to(REPO)),
)
def test_surfaces_never_name_the_service_store(path):
    source = path.read_text(encoding="utf-8")
    assert "._store" not in source and "HistoryStore" not in source


def test_the_command_line_parts_do_not_import_the_app_that_joins_them():
    parts = [*files("cli"), REPO / "eval" / "cli.py"]
    importers = [
        p.name
        for p in parts
        if p.name not in {"app.py", "__main__.py"} and "cli.app" in imported_modules(p)
    ]
    assert importers == []


def test_tagging_and_the_library_load_neither_dspy_nor_litellm():
    modules = ("promptimp.crafting_loop", "promptimp.crafting.tags", "promptimp.crafting.library")
    assert heavy_imports_of(*modules) == []
