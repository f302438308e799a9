"""Imports run one way: the domain and the defaults stand on their own."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "fake_server"


def fake_server_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in names if name.split(".")[0] == "fake_server"}


def test_the_defaults_import_nothing_from_fake_server() -> None:
    assert fake_server_imports(PACKAGE / "defaults.py") == set()


@pytest.mark.parametrize("module", sorted((PACKAGE / "domain").glob("*.py")), ids=lambda p: p.name)
def test_the_domain_imports_only_itself_and_the_defaults(module: Path) -> None:
    allowed = ("fake_server.domain", "fake_server.defaults")
    outside = {
        name
        for name in fake_server_imports(module)
        if not name.startswith(allowed) and name != "fake_server"
    }
    assert outside == set()
