"""The architecture as one table: which room may import which, checked on the source with ast.

Every import counts — at the top, inside a function, under TYPE_CHECKING, and importlib.import_module('...') with a
literal name — and relative imports are resolved. Adding a room means adding its row to ROOMS.
"""
from __future__ import annotations

import ast
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipelines.core.config import ROOT

PROJECT = ("pipelines", "models", "views", "app", "server", "benchmarks", "scripts", "tests", "conftest", "migrations")
SKIP = {".venv", ".git", "node_modules", "__pycache__"}


@dataclass(frozen=True)
class Room:
    may_import: frozenset[str]  # project modules (or packages) this room may import, besides itself
    sqlalchemy: bool = True  # False: the room is pure of the database


def room(*allowed: str, sqlalchemy: bool = True) -> Room:
    return Room(frozenset(allowed), sqlalchemy)


CORE, ENGINE, PLAN = "pipelines.core", "pipelines.engine", "pipelines.plan"
INTAKE, STORE, PRESENT = "pipelines.intake", "pipelines.store", "pipelines.present"
WORKFLOW, BRIEFING, CLI = "pipelines.workflow", "pipelines.briefing", "pipelines.cli"
# The store's vocabulary that pure rooms may share: DataFrame column names and submission states (no SQLAlchemy).
VOCABULARY = ("models.columns", "models.states")

# room → what it may import. A module belongs to the longest room name its own name starts with.
ROOMS: dict[str, Room] = {
    CORE: room(*VOCABULARY, sqlalchemy=False),
    ENGINE: room(CORE, sqlalchemy=False),
    PLAN: room(CORE, ENGINE, *VOCABULARY, sqlalchemy=False),
    PRESENT: room(CORE, ENGINE, PLAN, *VOCABULARY, sqlalchemy=False),
    STORE: room(CORE, ENGINE, PLAN, "models"),
    INTAKE: room(CORE, ENGINE, PLAN, STORE, "models"),
    WORKFLOW: room(CORE, ENGINE, PLAN, INTAKE, STORE, "models"),
    BRIEFING: room(CORE, ENGINE, PLAN, STORE, PRESENT, "models"),
    CLI: room(CORE, ENGINE, PLAN, INTAKE, STORE, PRESENT, WORKFLOW, BRIEFING, "models"),
    "pipelines.__main__": room(CLI),
    "pipelines": room(),  # the package's own __init__: a docstring and __all__
    "models": room(),
    "views": room(CORE, ENGINE, PLAN, INTAKE, STORE, PRESENT, WORKFLOW, BRIEFING, "models"),
    "app": room("views", CORE, "models"),
    "server": room(CORE, WORKFLOW, "models"),  # the web server: the sign-in routes around the pages
}


def python_files(folder: Path = ROOT) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if not SKIP & set(p.relative_to(folder).parts))


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, root: Path = ROOT) -> set[str]:
    """Every module a file imports, by its full name; `from a import b` is a.b when that is a module of the tree."""
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(package, node.level, node.module)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if _is_module(sub, root) else base)
        elif isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in {
                "import_module", "__import__"} and node.args and isinstance(node.args[0], ast.Constant):
            found.add(str(node.args[0].value))
    return found


def _resolve(package: str, level: int, module: str | None) -> str:
    if level == 0:
        return module or ""
    base = package.split(".")[: len(package.split(".")) - (level - 1)]
    return ".".join([*base, *([module] if module else [])])


def _is_module(name: str, root: Path) -> bool:
    path = root.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def private_imports(path: Path, root: Path = ROOT) -> list[str]:
    """Names starting with _ imported from another module of the project."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [f"{node.module}.{alias.name}" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
            and node.level == 0 and (node.module or "").split(".")[0] in PROJECT
            for alias in node.names if alias.name.startswith("_") and not alias.name.startswith("__")]


def room_of(module: str) -> str | None:
    matches = [r for r in ROOMS if module == r or module.startswith(r + ".")]
    return max(matches, key=len) if matches else None


def within(module: str, allowed: Iterable[str]) -> bool:
    return any(module == a or module.startswith(a + ".") for a in allowed)


def layer_violations(root: Path = ROOT) -> list[str]:
    """Every import that the table forbids, as 'module → imported (room)'."""
    problems = []
    for path in python_files(root):
        module = module_name(path, root)
        home = room_of(module)
        if home is None:
            continue
        rule = ROOMS[home]
        for imported in sorted(imports_of(path, root)):
            top = imported.split(".")[0]
            if top == "sqlalchemy" and not rule.sqlalchemy:
                problems.append(f"{module} → {imported} ({home} is pure of the database)")
            elif top in PROJECT and not within(imported, [home, *rule.may_import]):
                problems.append(f"{module} → {imported} (not allowed in {home})")
    return problems


def import_cycles(root: Path = ROOT) -> list[list[str]]:
    """Strongly connected groups of more than one module (or a module importing itself), by Tarjan's algorithm."""
    graph = {module_name(p, root): imports_of(p, root) for p in python_files(root)}
    graph = {m: {i for i in deps if i in graph and i != m} for m, deps in graph.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


# ---- the rules hold for the project ---------------------------------------------------------------------------------

def test_layers_every_import_is_allowed_by_the_table() -> None:
    assert layer_violations() == []


def test_layers_no_import_cycle_anywhere() -> None:
    assert import_cycles() == []


def test_layers_no_module_imports_another_modules_private_name() -> None:
    assert [f"{p.relative_to(ROOT)}: {name}" for p in python_files() for name in private_imports(p)] == []


def test_layers_every_room_of_pipelines_is_in_the_table_with_a_docstring_and_all() -> None:
    for package in sorted(p.parent for p in (ROOT / "pipelines").glob("*/__init__.py")):
        name = module_name(package / "__init__.py")
        tree = ast.parse((package / "__init__.py").read_text(encoding="utf-8"))
        assert name in ROOMS, f"{name} has no row in ROOMS"
        assert ast.get_docstring(tree), f"{name} has no docstring"
        assert any(isinstance(n, ast.Assign) and any(getattr(t, "id", "") == "__all__" for t in n.targets)
                   for n in tree.body), f"{name} has no __all__"


def test_layers_only_main_imports_the_command_line() -> None:
    importers = {module_name(p) for p in python_files(ROOT / "pipelines") + python_files(ROOT / "views")
                 if any(within(i, [CLI]) for i in imports_of(p)) and not within(module_name(p), [CLI])}
    assert importers == {"pipelines.__main__"}


def test_layers_only_app_and_pages_import_streamlit() -> None:
    # benchmarks/ and tests/ drive the app through Streamlit's AppTest; they are harnesses, not layers of the app.
    importers = {module_name(p) for p in python_files() if "streamlit" in {i.split(".")[0] for i in imports_of(p)}}
    assert {m for m in importers if not within(m, ["app", "server", "views", "benchmarks", "tests"])} == set()


# ---- the checks can fail: a small tree that breaks each rule ---------------------------------------------------------

def write_tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


GOOD_TREE = {
    "pipelines/__init__.py": '"""p"""\n__all__ = []\n',
    "pipelines/core/__init__.py": '"""c"""\n__all__ = []\n',
    "pipelines/core/periods.py": "import datetime\n",
    "pipelines/engine/__init__.py": '"""e"""\n__all__ = []\n',
    "pipelines/engine/progress.py": "from pipelines.core import periods\nfrom pipelines.core.periods import datetime\n",
    "pipelines/store/__init__.py": '"""s"""\n__all__ = []\n',
    "pipelines/store/persist.py": "import sqlalchemy\nfrom pipelines.engine.progress import x\nfrom . import codec\n",
    "pipelines/store/codec.py": "from ..engine import progress\n",
    "models/__init__.py": "",
    "models/db.py": "import sqlalchemy\n",
}


def test_imports_of_sees_every_form_of_import(tmp_path: Path) -> None:
    root = write_tree(tmp_path, GOOD_TREE | {"pipelines/store/persist.py": """
        from typing import TYPE_CHECKING
        import os.path
        from . import codec
        from ..core.periods import thing
        if TYPE_CHECKING:
            from models.db import Engine
        def later():
            import pipelines.engine.progress
            importlib.import_module("models.db")
        """})

    assert imports_of(root / "pipelines/store/persist.py", root) == {
        "typing", "os.path", "pipelines.store.codec", "pipelines.core.periods", "models.db",
        "pipelines.engine.progress"}


def test_layer_violations_none_in_a_tree_that_keeps_the_rules(tmp_path: Path) -> None:
    root = write_tree(tmp_path, GOOD_TREE)

    assert layer_violations(root) == []
    assert import_cycles(root) == []


@pytest.mark.parametrize(("module", "line", "expected"), [
    ("pipelines/core/periods.py", "from pipelines.engine import progress",
     "pipelines.core.periods → pipelines.engine.progress (not allowed in pipelines.core)"),
    ("pipelines/engine/progress.py", "def f():\n    from pipelines.store.persist import save",
     "pipelines.engine.progress → pipelines.store.persist (not allowed in pipelines.engine)"),
    ("pipelines/engine/progress.py", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import sqlalchemy",
     "pipelines.engine.progress → sqlalchemy (pipelines.engine is pure of the database)"),
    ("models/db.py", "from pipelines.core import periods",
     "models.db → pipelines.core.periods (not allowed in models)"),
])
def test_layer_violations_names_a_forbidden_import(tmp_path: Path, module: str, line: str, expected: str) -> None:
    root = write_tree(tmp_path, GOOD_TREE)
    path = root / module
    path.write_text(path.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")

    assert layer_violations(root) == [expected]


def test_import_cycles_finds_a_cycle_through_a_lazy_import(tmp_path: Path) -> None:
    root = write_tree(tmp_path, GOOD_TREE | {
        "pipelines/store/codec.py": "def f():\n    from pipelines.store import persist\n"})

    assert import_cycles(root) == [["pipelines.store.codec", "pipelines.store.persist"]]


def test_private_imports_finds_a_private_name(tmp_path: Path) -> None:
    root = write_tree(tmp_path, GOOD_TREE | {"pipelines/store/codec.py": "from pipelines.engine.progress import _x\n"})

    assert private_imports(root / "pipelines/store/codec.py", root) == ["pipelines.engine.progress._x"]
