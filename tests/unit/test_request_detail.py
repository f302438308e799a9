"""What the inspector shows of a kept body: readable, and never a secret."""

from __future__ import annotations

import pytest

from fake_server.domain.secrets import REDACTED, is_secret_name, redact_fragment
from fake_server.http.control.request_detail import body_shown, query_shown
from fake_server.http.record import MAX_BODY_BYTES, cut_bytes

ADMIN = "ADMINTOKEN9999"


def test_key_shaped_values_and_secret_fields_are_redacted_in_text_that_is_no_json() -> None:
    text = (
        '{"name": "a", "api_key": "abc\\"def", "Authorization": "x", '
        '"note": "Bearer abc.def-ghi", "jwt": "eyJhbGciOi.eyJzdWIiOi.sig", '
        '"k": "sk-live-0123456789abcdef", "id": "vs_abc123", "file": "file-0123456789abcdef", "cut'
    )
    shown = redact_fragment(text, ["my-known-secret"], cut=False)
    assert shown.count(REDACTED) == 5
    for kept in ('"name": "a"', '"id": "vs_abc123"', "file-0123456789abcdef", '"cut'):
        assert kept in shown
    assert redact_fragment("uses my-known-secret", ["my-known-secret"], cut=False) == (
        f"uses {REDACTED}"
    )


def test_json_is_pretty_printed_with_nested_secret_fields_redacted() -> None:
    shown = body_shown(b'{"a": [{"password": 1}], "max_tokens": 5}', [])
    assert shown is not None and shown["kind"] == "json"
    assert (
        shown["text"]
        == '{\n  "a": [\n    {\n      "password": "[redacted]"\n    }\n  ],\n  "max_tokens": 5\n}'
    )


def test_a_cut_body_is_text_with_its_whole_size_and_binary_only_its_size() -> None:
    whole = b'{"api_key": "' + b"s" * 10_000 + b'"}'
    shown = body_shown(cut_bytes(whole, MAX_BODY_BYTES), [])
    assert shown is not None
    assert (shown["kind"], shown["cut"], shown["bytes"]) == ("text", True, len(whole))
    assert "sss" not in shown["text"]
    assert body_shown(b"\xff\xfe\x00", []) == {
        "kind": "binary",
        "text": None,
        "bytes": 3,
        "cut": False,
    }
    assert body_shown(None, []) is None


@pytest.mark.parametrize(
    "name",
    [
        "api_key",
        "apikey",
        "apiKey",
        "X-Api-Key",
        "secret_key",
        "aws_secret_access_key",
        "client_secret",
        "access-token",
        "refresh_token",
        "password",
        "db.passwd",
        "Cookie",
        "credentials",
        "Authorization",
        "private_key",
    ],
)
def test_a_name_holding_a_secret_word_anywhere_is_a_secret(name: str) -> None:
    assert is_secret_name(name)


@pytest.mark.parametrize(
    "name", ["max_tokens", "total_tokens", "key", "idempotency_key", "name", "session"]
)
def test_counts_and_plain_keys_are_no_secret_names(name: str) -> None:
    assert not is_secret_name(name)


def cut_body_ending_with(tail: str) -> dict[str, object]:
    """A body cut at ``MAX_BODY_BYTES`` right after ``tail``."""
    start = b'{"name": "' + b"n" * (MAX_BODY_BYTES - len(tail) - 10)
    whole = start + tail.encode() + b"x" * 100 + b'"}'
    cut = cut_bytes(whole, MAX_BODY_BYTES)
    assert cut[:MAX_BODY_BYTES].endswith(tail.encode())
    shown = body_shown(cut, [ADMIN, "my-own-key-0123"])
    assert shown is not None and shown["cut"]
    return shown


@pytest.mark.parametrize(
    ("tail", "hidden"),
    [
        (" pw ADMINTO", "ADMINTO"),
        (" pw ADMI", "ADMI"),
        (" key my-own-k", "my-own-k"),
        (" sk-abc", "sk-abc"),
        (" eyJhbGciOiJI", "eyJhbGciOiJI"),
    ],
)
def test_a_secret_straddling_the_cut_shows_none_of_its_characters(tail: str, hidden: str) -> None:
    text = str(cut_body_ending_with(tail)["text"])
    assert hidden not in text
    assert text.endswith(f"{REDACTED}... ({MAX_BODY_BYTES + 102} bytes)")


def test_fewer_than_four_characters_of_a_secret_at_the_cut_are_kept() -> None:
    assert str(cut_body_ending_with(" pw ADM")["text"]).endswith(
        f" pw ADM... ({MAX_BODY_BYTES + 102} bytes)"
    )


def test_an_escaped_secret_in_a_cut_body_is_found() -> None:
    escaped = '"\\u0041DMINTOKEN9999 and \\u0073k-abcdefghijklmnop"'
    whole = ('{"note": ' + escaped + ', "pad": "' + "p" * MAX_BODY_BYTES + '"}').encode()
    shown = body_shown(cut_bytes(whole, MAX_BODY_BYTES), [ADMIN])
    assert shown is not None and shown["cut"]
    text = str(shown["text"])
    assert "DMINTOKEN9999" not in text and "abcdefghijklmnop" not in text
    assert f"{REDACTED} and {REDACTED}" in text


def test_keys_of_objects_are_redacted_too() -> None:
    shown = body_shown(b'{"ADMINTOKEN9999": 1, "sk-abcdefghijklmnop": 2, "ok": 3}', [ADMIN])
    assert shown is not None
    assert ADMIN not in str(shown["text"]) and "abcdefghijklmnop" not in str(shown["text"])
    assert '"ok": 3' in str(shown["text"])


def test_a_query_shows_no_credential_nor_learnt_secret() -> None:
    query = "api_key=sk-abcdefghijklmnop&apikey=x1&access-token=abc&limit=2&q=ADMINTOKEN9999"
    assert query_shown(query, [ADMIN]) == (
        f"api_key={REDACTED}&apikey={REDACTED}&access-token={REDACTED}&limit=2&q={REDACTED}"
    )


def test_a_query_keeps_its_form_and_hides_an_encoded_or_cut_secret() -> None:
    assert query_shown("a=1+2&b=%2F", [ADMIN]) == "a=1+2&b=%2F"
    assert query_shown("q=%41DMINTOKEN9999&x=1", [ADMIN]) == f"q={REDACTED}&x=1"
    assert query_shown("q=pw%20ADMINTO... (5002 bytes)", [ADMIN]) == (
        f"q=pw {REDACTED}... (5002 bytes)"
    )
    assert (
        query_shown("q=x&Api-Key=abc... (5002 bytes)", [])
        == f"q=x&Api-Key={REDACTED}... (5002 bytes)"
    )


def test_a_masked_key_is_key_shaped_and_a_file_name_is_not() -> None:
    quoted = "Incorrect API key provided: sk-*****...wxyz"
    assert redact_fragment(quoted, [], cut=False) == f"Incorrect API key provided: {REDACTED}"
    assert redact_fragment("key-points.md", [], cut=False) == "key-points.md"
