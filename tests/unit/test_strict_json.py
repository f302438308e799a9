"""strict_json: json.loads's input rules, and a key given twice refused."""

from __future__ import annotations

import json
import math

import pytest

from fake_server.contract import strict_json


@pytest.mark.parametrize(
    "raw",
    [
        b'{"a": [1, 2.5, null, true]}',
        '{"a": "\u00e9"}'.encode("utf-16"),
        '{"a": "\u00e9"}'.encode("utf-32-le"),
        b'\xef\xbb\xbf{"a": 1}',  # bytes may start with a UTF-8 byte order mark
        '{"a": {"b": "c"}}',
    ],
)
def test_reads_what_json_loads_reads(raw: str | bytes) -> None:
    assert strict_json.loads(raw) == json.loads(raw)


@pytest.mark.parametrize("raw", ['\ufeff{"a": 1}', b'{"a": ', "[1,]", b"\xff\xfe\xfd"])
def test_refuses_what_json_loads_refuses(raw: str | bytes) -> None:
    with pytest.raises(ValueError):
        json.loads(raw)
    with pytest.raises(ValueError):
        strict_json.loads(raw)


def test_a_key_given_twice_is_refused_at_any_depth() -> None:
    with pytest.raises(strict_json.DuplicateKeyError) as raised:
        strict_json.loads(b'{"a": {"b": 1, "b": 2}}')
    assert raised.value.key == "b"


# (body, where the refused number is, why)
REFUSED_NUMBERS: list[tuple[str, tuple[str | int, ...], str]] = [
    ("NaN", (), strict_json.NOT_JSON),
    ('{"a": NaN}', ("a",), strict_json.NOT_JSON),
    ('{"a": Infinity}', ("a",), strict_json.NOT_JSON),
    ('{"a": [1, {"b": -Infinity}]}', ("a", 1, "b"), strict_json.NOT_JSON),
    ('{"a": 1e999}', ("a",), "not a finite number"),
    ('{"a": -1e999}', ("a",), "not a finite number"),
    ('{"a": 1.5e308, "b": 2e308}', ("b",), "not a finite number"),
    ('{"a": ' + "9" * 5000 + "}", ("a",), "an integer out of range"),
    ('{"a": -' + "9" * 5000 + "}", ("a",), "an integer out of range"),
    ('{"a": ' + "1" * 101 + "}", ("a",), "an integer out of range"),
    ('{"a": ' + str(2**63) + "}", ("a",), "an integer out of range"),
    ('{"a": ' + str(-(2**63) - 1) + "}", ("a",), "an integer out of range"),
    ('[0, 1, 2, {"x": [NaN]}]', (3, "x", 0), strict_json.NOT_JSON),
]


@pytest.mark.parametrize(("raw", "path", "reason"), REFUSED_NUMBERS)
def test_numbers_outside_the_policy_are_refused_with_their_place(
    raw: str, path: tuple[str | int, ...], reason: str
) -> None:
    for body in (raw, raw.encode()):
        with pytest.raises(strict_json.NumberError) as raised:
            strict_json.loads(body)
        assert raised.value.path == path
        assert raised.value.reason.startswith(reason)
        assert len(str(raised.value)) < 200


def test_numbers_within_the_policy_are_read_as_json_loads_reads_them() -> None:
    raw = '{"a": [9223372036854775807, -9223372036854775808, 1.5e308, -0.0, 1e-400, 3]}'
    assert strict_json.loads(raw) == json.loads(raw)


def test_integral_floats_can_be_refused_for_the_careful_reading() -> None:
    assert strict_json.loads('{"status": 503.0}') == {"status": 503.0}
    assert strict_json.loads('{"p": 0.5}', integral_floats=False) == {"p": 0.5}
    for raw in ('{"status": 503.0}', '{"start": 1.7e9}', '{"n": -0.0}'):
        with pytest.raises(strict_json.NumberError):
            strict_json.loads(raw, integral_floats=False)


@pytest.mark.parametrize("number", [0, 1, -1, 2**63 - 1, -(2**63), 0.5, -1e300, 1e-300])
def test_number_problem_accepts_what_the_policy_allows(number: float) -> None:
    assert strict_json.number_problem(number) is None


@pytest.mark.parametrize(
    "number",
    [2**63, -(2**63) - 1, 10**5000, math.nan, math.inf, -math.inf],
    ids=["2^63", "-2^63-1", "10^5000", "nan", "inf", "-inf"],
)
def test_number_problem_says_why_a_number_is_refused(number: float) -> None:
    assert strict_json.number_problem(number) is not None
