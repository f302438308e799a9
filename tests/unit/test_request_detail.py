"""What the inspector shows of a kept body: readable, and never a secret."""

from __future__ import annotations

from fake_server.http.control.request_detail import REDACTED, body_shown, redact_text
from fake_server.http.record import MAX_BODY_BYTES, cut_bytes


def test_key_shaped_values_and_secret_fields_are_redacted_in_text_that_is_no_json() -> None:
    text = (
        '{"name": "a", "api_key": "abc\\"def", "Authorization": "x", '
        '"note": "Bearer abc.def-ghi", "jwt": "eyJhbGciOi.eyJzdWIiOi.sig", '
        '"k": "sk-live-0123456789abcdef", "id": "vs_abc123", "file": "file-0123456789abcdef", "cut'
    )
    shown = redact_text(text, ["my-known-secret"])
    assert shown.count(REDACTED) == 5
    for kept in ('"name": "a"', '"id": "vs_abc123"', "file-0123456789abcdef", '"cut'):
        assert kept in shown
    assert redact_text("uses my-known-secret here", ["my-known-secret"]) == f"uses {REDACTED} here"


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
