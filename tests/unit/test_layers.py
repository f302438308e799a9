"""Imports run one way: domain <- contract <- scenario <- http <- runners; no loops.

Read from the source with ``ast``, so a forbidden import fails here even if
it is only reached on a rare path (or only by the type checker).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "fake_server"
# Each layer, and the fake_server packages it may import besides itself.
# ``fake_server.defaults`` is a leaf of constants every layer may read.
ALLOWED = {
    "domain": {"defaults"},
    "contract": {"defaults", "domain"},
    "scenario": {"defaults", "domain", "contract"},
    "http": {"defaults", "domain", "contract", "scenario"},
}
THIRD_PARTY_FORBIDDEN = {"domain": {"starlette", "uvicorn", "httpx", "yaml", "jsonschema"}}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_a_layer_imports_only_the_layers_below_it(layer: str) -> None:
    wrong: list[str] = []
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        for module in imported_modules(path):
            parts = module.split(".")
            if parts[0] in THIRD_PARTY_FORBIDDEN.get(layer, set()):
                wrong.append(f"{path.relative_to(PACKAGE)} imports {module}")
            if parts[0] != "fake_server" or len(parts) < 2:
                continue
            target = parts[1]
            if target != layer and target not in ALLOWED[layer] and (PACKAGE / target).is_dir():
                wrong.append(f"{path.relative_to(PACKAGE)} imports {module}")
            if target != layer and not (PACKAGE / target).is_dir() and target != "defaults":
                # A runner (server, cli, testing, ...) or the package root.
                wrong.append(f"{path.relative_to(PACKAGE)} imports {module}")
    assert wrong == []


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Each fake_server module and the fake_server modules it imports, wherever
    the import stands (``TYPE_CHECKING`` blocks and function bodies included).
    ``from package import name`` counts as importing the module ``name`` if
    there is one, else the package."""
    paths = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                edges.update(alias.name for alias in node.names if alias.name in paths)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    if full in paths:
                        edges.add(full)
                    elif node.module in paths:
                        edges.add(node.module)
        edges.discard(name)
        graph[name] = edges
    return graph


def cycle_in(graph: dict[str, set[str]]) -> list[str]:
    """One import loop of ``graph`` (its modules in order, the first again at the end), or []."""
    done: set[str] = set()
    for start in sorted(graph):
        if start in done:
            continue
        trail: list[str] = []
        on_trail: set[str] = set()
        stack: list[tuple[str, list[str]]] = [(start, sorted(graph[start]))]
        trail.append(start)
        on_trail.add(start)
        while stack:
            node, pending = stack[-1]
            if not pending:
                stack.pop()
                trail.pop()
                on_trail.discard(node)
                done.add(node)
                continue
            target = pending.pop()
            if target in on_trail:
                return [*trail[trail.index(target) :], target]
            if target not in done:
                stack.append((target, sorted(graph[target])))
                trail.append(target)
                on_trail.add(target)
    return []


def test_no_import_loop_exists_in_the_package() -> None:
    assert cycle_in(import_graph()) == []


def test_the_loop_finder_finds_a_loop() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycle_in(graph) == ["a", "b", "c", "a"]
    assert cycle_in({"a": {"b"}, "b": set()}) == []


def test_the_defaults_import_nothing_of_fake_server() -> None:
    modules = imported_modules(PACKAGE / "defaults.py")
    assert not any(module.startswith("fake_server") for module in modules)
