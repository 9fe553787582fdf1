"""The shape the architecture promises, read from the imports: the domain and the worker
never reach into the web server, core modules know no area, and no two packages import
each other, directly or around a circle.

A package is an area of participation (its subpackages fold into it), participation's
core (its top-level modules and what every area writes through: the outbox and the live
bus), notifications, or server. Imports only for type checking
(`if TYPE_CHECKING:`) are left out: they do not run.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOPS = ("participation", "notifications", "server")
CORE = "participation"
KERNEL = ("outbox", "live")


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _package(module: str) -> str:
    parts = module.split(".")
    if parts[0] == "participation" and len(parts) > 1 and (ROOT / parts[0] / parts[1]).is_dir():
        return CORE if parts[1] in KERNEL else f"participation.{parts[1]}"
    return parts[0]


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> Iterator[str]:
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _type_checking(node):
            yield from (name for child in node.orelse for name in _imports(child))
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            # `from participation import clock` imports participation.clock.
            yield from (f"{node.module}.{alias.name}" for alias in node.names)
        else:
            yield from _imports(node)


def _edges() -> dict[str, set[tuple[str, str]]]:
    """Importing module → (imported module, its package), for the three top packages."""
    edges: dict[str, set[tuple[str, str]]] = {}
    for top in TOPS:
        for path in (ROOT / top).rglob("*.py"):
            module = _module(path)
            found = edges.setdefault(module, set())
            for name in _imports(ast.parse(path.read_text(), str(path))):
                if name.split(".")[0] in TOPS:
                    found.add((name, _package(name)))
    return edges


def test_the_domain_and_the_worker_never_import_the_web_server() -> None:
    offending = sorted(
        f"{module} imports {name}"
        for module, names in _edges().items()
        if _package(module) != "server"
        for name, package in names
        if package == "server"
    )
    assert offending == []


def test_core_modules_import_no_area() -> None:
    offending = sorted(
        f"{module} imports {name}"
        for module, names in _edges().items()
        if _package(module) == CORE
        for name, package in names
        if package not in (CORE,)
    )
    assert offending == []


def _graph() -> dict[str, dict[str, str]]:
    """Package → package it imports → one import that shows it."""
    graph: dict[str, dict[str, str]] = {}
    for module, names in _edges().items():
        source = _package(module)
        for name, target in names:
            if target != source:
                graph.setdefault(source, {}).setdefault(target, f"{module} imports {name}")
    return graph


def _cycle(graph: dict[str, dict[str, str]]) -> list[str] | None:
    done: set[str] = set()

    def visit(package: str, path: list[str]) -> list[str] | None:
        if package in path:
            return path[path.index(package) :] + [package]
        if package in done:
            return None
        for target in sorted(graph.get(package, {})):
            found = visit(target, [*path, package])
            if found:
                return found
        done.add(package)
        return None

    for package in sorted(graph):
        found = visit(package, [])
        if found:
            return found
    return None


def test_no_two_packages_import_each_other_even_around_a_circle() -> None:
    graph = _graph()
    cycle = _cycle(graph)
    shown = [graph[a][b] for a, b in zip(cycle, cycle[1:], strict=False)] if cycle else []
    assert cycle is None, " → ".join(cycle or []) + "\n" + "\n".join(shown)


def test_only_the_outbox_writes_the_outbox_table() -> None:
    """Every event goes through participation/outbox (the batched statements use its
    column list, `events.INSERT`), so the envelope is the same everywhere."""
    writers = sorted(
        str(path.relative_to(ROOT))
        for top in TOPS
        for path in (ROOT / top).rglob("*.py")
        if "outbox_event" in path.read_text() and "outbox" not in path.relative_to(ROOT).parts
    )
    assert writers == []
