"""Imports point one way: views (the screens) → pipelines/models; pipelines → models; models import neither; only app.py and
views/ import Streamlit. Checked on the source with ast, so a lazy import inside a function counts too."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from pipelines.config import ROOT

SKIP = {".venv", ".git", "tests", "node_modules", "__pycache__"}


def python_files(folder: Path = ROOT) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if not SKIP & set(p.relative_to(ROOT).parts))


def imported_packages(path: Path) -> set[str]:
    """The top-level names a module imports, absolute imports only (relative ones stay inside their package)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in {
                "import_module", "__import__"} and node.args and isinstance(node.args[0], ast.Constant):
            names.add(str(node.args[0].value).split(".")[0])
    return names


def importers_of(package: str, files: list[Path]) -> list[str]:
    return [str(p.relative_to(ROOT)) for p in files if package in imported_packages(p)]


def test_imported_packages_sees_every_form_of_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import os.path\nfrom streamlit import x\nfrom . import y\n"
                      "def f():\n    import pipelines.cli\n    importlib.import_module('models.db')\n")

    assert imported_packages(module) == {"os", "streamlit", "pipelines", "models"}


def test_layers_the_layers_exist() -> None:
    assert python_files(ROOT / "models") and python_files(ROOT / "pipelines")


def test_layers_models_import_neither_pipelines_nor_streamlit() -> None:
    files = python_files(ROOT / "models")

    assert importers_of("pipelines", files) == []
    assert importers_of("streamlit", files) == []


def test_layers_pipelines_never_import_streamlit() -> None:
    assert importers_of("streamlit", python_files(ROOT / "pipelines")) == []


@pytest.mark.parametrize("package", ["views", "app"])
def test_layers_pipelines_and_models_never_import_the_pages(package: str) -> None:
    assert importers_of(package, python_files(ROOT / "pipelines") + python_files(ROOT / "models")) == []


def test_layers_only_app_and_pages_import_streamlit() -> None:
    # benchmarks/ drive the app through Streamlit's AppTest, as tests/ do; they are harnesses, not layers of the app.
    allowed = [p for p in importers_of("streamlit", python_files())
               if p == "app.py" or p.startswith("views/") or p.startswith("benchmarks/")]

    assert importers_of("streamlit", python_files()) == allowed
