"""Test modules share code through tests/helpers.py and tests/cases/, never by
importing one another (a test module imported elsewhere runs its tests twice
and ties two files' changes together)."""

from __future__ import annotations

import re

from tests.helpers import REPO_ROOT

TESTS = REPO_ROOT / "tests"
FROM_A_TEST_MODULE = re.compile(
    r"^\s*(?:from|import)\s+tests\.(?:\w+\.)*(?:test_\w+|conftest)\b", re.M
)


def test_no_test_module_imports_another() -> None:
    offenders = sorted(
        str(path.relative_to(TESTS))
        for path in TESTS.rglob("*.py")
        if "node_modules" not in path.parts
        and FROM_A_TEST_MODULE.search(path.read_text(encoding="utf-8"))
    )
    assert offenders == []
