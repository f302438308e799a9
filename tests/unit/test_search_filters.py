"""Filters compare JSON values: a boolean, a number and a string are never equal,
and only numbers or only strings are ordered."""

from __future__ import annotations

import pytest

from fake_server.domain.errors import InvalidRequestError
from fake_server.domain.search import matches, results_wanted, same_json

ATTRIBUTES = {"n": 1, "flag": True, "zero": False, "half": 0.5, "text": "1"}


@pytest.mark.parametrize(
    ("kind", "key", "value", "expected"),
    [
        ("eq", "n", True, False),
        ("eq", "flag", 1, False),
        ("eq", "zero", 0, False),
        ("eq", "n", 1.0, True),
        ("eq", "text", 1, False),
        ("ne", "n", True, True),
        ("ne", "zero", 0, True),
        ("in", "flag", [1, "x"], False),
        ("nin", "flag", [1], True),
        ("in", "n", [1.0], True),
        ("gt", "flag", 0, False),
        ("lte", "zero", 0, False),
        ("gte", "n", True, False),
        ("lt", "half", 1, True),
    ],
)
def test_values_of_different_json_types_never_meet(
    kind: str, key: str, value: object, expected: bool
) -> None:
    assert matches({"type": kind, "key": key, "value": value}, ATTRIBUTES) is expected


def test_same_json_is_equality_within_one_type() -> None:
    assert same_json(1, 1.0) and same_json("a", "a") and same_json(None, None)
    assert not same_json(True, 1) and not same_json(0, False) and not same_json("1", 1)


@pytest.mark.parametrize("value", [-1, 0, 51])
def test_max_num_results_outside_1_to_50_is_refused(value: int) -> None:
    with pytest.raises(InvalidRequestError) as raised:
        results_wanted(value)
    assert raised.value.param == "max_num_results"


def test_max_num_results_inside_is_kept_and_none_is_the_default() -> None:
    assert [results_wanted(value) for value in (1, 50, None)] == [1, 50, 10]
