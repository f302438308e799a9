"""The documentation site builds with mkdocs --strict: a broken link, a missing
anchor or a page left out of the navigation fails the suite."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import REPO_ROOT


@dataclass(frozen=True)
class Build:
    returncode: int
    output: str
    site: Path


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    site = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,  # the tests read the status and the output
        # Material's notice about its future is not a warning about these pages.
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    return Build(result.returncode, result.stdout + result.stderr, site)


def test_the_site_builds_strictly_without_a_warning(build: Build) -> None:
    assert build.returncode == 0, build.output
    assert "WARNING" not in build.output


def test_the_front_page_is_the_readme(build: Build) -> None:
    front_page = (build.site / "index.html").read_text(encoding="utf-8")
    assert "Three ways in" in front_page
    assert 'href="guides/polling/"' in front_page  # its docs/ links, made relative


def test_pages_fetch_nothing_from_elsewhere(build: Build) -> None:
    """The pages read offline: no web fonts, no CDN."""
    for page in build.site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "fonts.googleapis" not in text and "cdn." not in text, page
