"""Case tables shared by tests. Every case has a name; tests choose cases by name."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

import pytest

Case = TypeVar("Case")


def case_params(table: Mapping[str, Any], names: Iterable[str] | None = None) -> list[Any]:
    """A ``pytest.param`` per case of ``table`` named in ``names`` (all without it), id'd by name.

    An unknown name fails at collection, not as a KeyError inside a test.
    """
    chosen = list(table) if names is None else list(names)
    return [pytest.param(case(table, name), id=name) for name in chosen]


def case(table: Mapping[str, Case], name: str) -> Case:
    """The case called ``name`` in ``table``."""
    if name not in table:
        raise LookupError(f"no case named {name!r}; the table has: {', '.join(table)}")
    return table[name]


def text_id(text: str, width: int = 200) -> str:
    """A test id that shows ``text``: long runs of one character counted (``9{5000}``), cut."""
    shown = re.sub(r"(.)\1{19,}", lambda run: f"{run.group(1)}{{{len(run.group(0))}}}", text)
    return shown if len(shown) <= width else shown[: width - 3] + "..."
