"""docs/architecture.md's module map names every module of the package where it
stands, and nothing that is gone."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from tests.helpers import REPO_ROOT

PACKAGE = REPO_ROOT / "fake_server"
DOC = REPO_ROOT / "docs" / "architecture.md"
MODULE = re.compile(r"\b([a-z_]+\.py)\b")


def module_map() -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    start = text.index("```\nfake_server/\n") + len("```\n")
    return text[start : text.index("```", start)].splitlines()


def named_by_folder() -> dict[Path, set[str]]:
    """The modules each folder's lines name: a folder's own line and the lines
    indented under it (a description may name several modules)."""
    named: dict[Path, set[str]] = defaultdict(set)
    folders: list[tuple[int, Path]] = []
    for line in module_map():
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        while folders and folders[-1][0] >= indent:
            folders.pop()
        first = line.split()[0]
        if first.endswith("/"):
            folder = folders[-1][1] / first.rstrip("/") if folders else Path()
            folders.append((indent, folder))
            named[folder].update(MODULE.findall(line[indent + len(first) :]))
        elif folders:
            named[folders[-1][1]].update(MODULE.findall(line))
    return named


def test_every_module_is_named_in_its_folder() -> None:
    actual: dict[Path, set[str]] = defaultdict(set)
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE)
        if path.name != "__init__.py" or relative.parent == Path():
            actual[relative.parent].add(path.name)
    named = named_by_folder()

    missing = {
        f"{folder}/{name}" for folder, names in actual.items() for name in names - named[folder]
    }
    gone = {
        f"{folder}/{name}" for folder, names in named.items() for name in names - actual[folder]
    }
    assert missing == set(), "modules docs/architecture.md does not name"
    assert gone == set(), "modules docs/architecture.md names but the tree lacks"


def test_every_subpackage_is_a_folder_of_the_map() -> None:
    packages = {path.parent.relative_to(PACKAGE) for path in PACKAGE.rglob("__init__.py")} - {
        Path()
    }
    assert packages - set(named_by_folder()) == set()


def test_the_readme_points_contributors_to_it() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/architecture.md" in readme
    assert "```\nfake_server/\n" not in readme
