"""Plain YAML from libyaml's events: the same values as the safe loader, or a fallback."""

from __future__ import annotations

import math
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from fake_server import ScenarioError
from fake_server.scenario.loading import parse_scenario
from fake_server.scenario.yaml import events as yaml_events

pytestmark = pytest.mark.skipif(not yaml_events.available(), reason="needs libyaml")

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text()
    | st.sampled_from(
        ["yes", "off", "~", "0x1F", "0o17", "1_000", "1e3", ".inf", "-.5", "", "12:30"]
    )
)
documents = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)  # a loaded machine is no failure
@given(value=documents, flow=st.sampled_from([None, True, False]))
def test_plain_documents_load_exactly_as_the_safe_loader_loads_them(
    value: Any, flow: bool | None
) -> None:
    text = yaml.safe_dump(value, default_flow_style=flow, allow_unicode=True)
    expected = yaml.safe_load(text)
    if _for_the_careful_reading(expected):
        assert yaml_events.load_plain(text) is None
    else:
        assert yaml_events.load_plain(text) == (expected,)


def _for_the_careful_reading(value: Any) -> bool:
    """Numbers outside the policy (not finite, beyond 64 bits) and floats such
    as 503.0 (an integer or not, depending on the field) are not built here."""
    if isinstance(value, dict):
        return any(_for_the_careful_reading(child) for child in value.values())
    if isinstance(value, list):
        return any(_for_the_careful_reading(child) for child in value)
    if type(value) is float:
        return not math.isfinite(value) or value.is_integer()
    return type(value) is int and not -(2**63) <= value < 2**63


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\nb: 2\n",
        "- 1\n- two\n- 3.5\n- true\n- null\n- ~\n- ''\n",
        "key: 'quoted: yes'\nother: \"0x10\"\nplain: 0x10\nbare: yes\n",
        "text: |\n  two\n  lines\n",
        "{a: [1, 2, {b: c}], d: {}}\n",
        "",
        "# only a comment\n",
        "sexagesimal: 1:30\n",
        "! tagged: ! 12\n",
    ],
)
def test_examples_match_the_safe_loader(text: str) -> None:
    assert yaml_events.load_plain(text) == (yaml.safe_load(text),)


@pytest.mark.parametrize(
    "text",
    [
        "a: &x {b: 1}\nc: *x\n",  # anchors and aliases
        "a: !!str 12\n",  # an explicit tag
        "base: {x: 1}\nmerged: {<<: {x: 1}, y: 2}\n",  # a merge key
        "when: 2024-01-01\n",  # a timestamp
        "1: one\n",  # a key that is not a string
        "? [a, b]\n: value\n",  # a sequence as a key
        "a: 1\na: 2\n",  # a duplicate key
        "--- 1\n--- 2\n",  # two documents
        "---\n---\n",  # two empty documents
        "- ? {a: 1}\n  : value\n",  # a mapping as a key, inside a list
        "&root [1]\n",  # an anchor on the document itself
        "a: [1, 2\n",  # not YAML at all
    ],
)
def test_anything_beyond_plain_yaml_is_left_to_the_full_loader(text: str) -> None:
    assert yaml_events.load_plain(text) is None


def test_a_duplicate_key_is_still_reported_with_its_line() -> None:
    text = "vector_stores:\n  - id: vs_1\n    id: vs_2\n"
    with pytest.raises(ScenarioError) as raised:
        parse_scenario(text, "dup.yaml")
    assert str(raised.value) == "dup.yaml:3: vector_stores[0].id: duplicate key 'id'"
