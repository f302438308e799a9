"""The README's layout section names every module of the package, and nothing that is gone."""

from __future__ import annotations

import re

from tests.helpers import REPO_ROOT

PACKAGE = REPO_ROOT / "fake_server"


def layout_section() -> str:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("```\nfake_server/\n")
    # The package's part of the tree ends where the repository's folders start.
    return readme[start : readme.index("\nschemas/", start)]


def test_the_layout_section_names_every_module() -> None:
    named = set(re.findall(r"([a-z_]+\.py)", layout_section()))
    modules = {path.name for path in PACKAGE.rglob("*.py") if path.name != "__init__.py"}

    assert modules - named == set(), "modules the README layout does not name"
    assert named - modules == set(), "modules the README layout names but the tree lacks"


def test_the_layout_section_names_every_subpackage() -> None:
    section = layout_section()
    packages = {
        path.parent.relative_to(PACKAGE).parts[-1]
        for path in PACKAGE.rglob("__init__.py")
        if path.parent != PACKAGE
    }

    assert {name for name in packages if f"{name}/" not in section} == set()
