"""Imports run one way: domain <- contract <- scenario <- http <- runners.

Read from the source with ``ast``, so a forbidden import fails here even if
it is only reached on a rare path.
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


def test_the_defaults_import_nothing_of_fake_server() -> None:
    modules = imported_modules(PACKAGE / "defaults.py")
    assert not any(module.startswith("fake_server") for module in modules)
