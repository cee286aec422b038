"""The package layout's rules, read from the import statements of every module (ast, not grep).

Dependencies point one way: cli and tui at the top, then anki / review, notes, runner, store.
Imports inside functions count: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "studyapp"
DEMOS = ROOT / "demos"

# Which of our packages each package may import (besides itself and studyapp.errors).
ALLOWED = {
    "store": set(),
    "runner": {"store"},
    "notes": {"store", "runner"},
    "review": {"store"},
    "anki": {"store", "runner", "review"},
    "tui": {"store", "runner", "notes", "review"},
    "cli": {"store", "runner", "notes", "review", "anki", "tui"},
}
TORCH_ALLOWED = {"studyapp.runner.child"}  # the demo's own process; demos/ is not in the package


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


MODULES = _modules()


def imports_of(path: Path, module: str) -> set[str]:
    """Every module name an ``import`` or ``from ... import`` in the file names, at any depth."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            # ``from studyapp.store import tables`` imports the module studyapp.store.tables
            found.update(f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in MODULES)
    return found


IMPORTS = {module: imports_of(path, module) for module, path in MODULES.items()}


def _package_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in ALLOWED) else None


def _top(name: str) -> str:
    return name.split(".")[0]


def test_every_module_is_in_a_package_but_the_entry_points():
    loose = {m for m in MODULES if _package_of(m) is None}
    assert loose == {"studyapp", "studyapp.__main__", "studyapp.errors"}


def test_every_package_says_what_lives_there_and_what_it_may_import():
    for package in ALLOWED:
        doc = ast.get_docstring(ast.parse((PACKAGE / package / "__init__.py").read_text()))
        assert doc and "\n" not in doc.strip(), f"studyapp/{package}/__init__.py needs a one-line docstring"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_packages_import_only_what_lies_below_them(module):
    own = _package_of(module)
    ours = {name for name in IMPORTS[module] if name.startswith("studyapp.")}
    used = {_package_of(name) for name in ours if name in MODULES} - {None, own}
    if own is None:  # studyapp/__main__.py hands over to the CLI
        assert used <= {"cli"}
        return
    assert used <= ALLOWED[own], f"{module} imports {sorted(used - ALLOWED[own])}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_only_the_tui_and_the_cli_know_textual(module):
    textual = {name for name in IMPORTS[module] if _top(name) in {"textual", "textual_plotext"}}
    if _package_of(module) not in {"tui", "cli"}:
        assert not textual, f"{module} imports {sorted(textual)}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_torch_only_in_the_demo_child_and_anki_only_in_the_anki_package(module):
    tops = {_top(name) for name in IMPORTS[module]}
    if module not in TORCH_ALLOWED:
        assert "torch" not in tops, module
    if _package_of(module) != "anki":
        assert "anki" not in tops, module


def test_demos_import_nothing_of_the_app():
    for path in DEMOS.glob("*.py"):
        names = imports_of(path, f"studyapp.demos.{path.stem}")
        app = {n for n in names if n.startswith("studyapp") and not n.startswith("studyapp.demos")}
        assert not app, f"{path.name} imports {sorted(app)}"


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles_between_modules():
    graph = {m: {n for n in names if n in MODULES and n != m} for m, names in IMPORTS.items()}
    # A package's __init__ is imported with any of its modules; that is not a cycle of ours.
    graph = {m: {n for n in targets if not m.startswith(n + ".")} for m, targets in graph.items()}
    assert _cycles(graph) == []


def test_no_import_cycles_between_packages():
    graph: dict[str, set[str]] = {}
    for module, names in IMPORTS.items():
        own = _package_of(module)
        if own:
            graph.setdefault(own, set()).update(
                p for p in (_package_of(n) for n in names if n in MODULES) if p and p != own)
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
