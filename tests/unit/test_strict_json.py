"""strict_json: json.loads's input rules, and a key given twice refused."""

from __future__ import annotations

import json

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
