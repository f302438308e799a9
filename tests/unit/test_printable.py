"""What a log line, a refusal or a scenario problem shows of outside text."""

from __future__ import annotations

import pytest

from fake_server.domain.printable import printable


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("a\r\nb", "a\\x0d\\x0ab"),
        ("\x1b[2J", "\\x1b[2J"),
        ("\x7f\x85", "\\x7f\\x85"),
        ("a\u2028b\u2029", "a\\u2028b\\u2029"),
        ("\u202eevil\u2066", "\\u202eevil\\u2066"),
        ("alice\u200b", "alice\\u200b"),  # zero-width space
        ("\ufeffbob", "\\ufeffbob"),  # byte order mark
        ("a\u200eb\u200fc\u061c", "a\\u200eb\\u200fc\\u061c"),  # bidi marks
        ("soft\u00adhyphen", "soft\\xadhyphen"),
        ("word\u2060joiner", "word\\u2060joiner"),
        ("tag\U000e0001", "tag\\U000e0001"),
        ("\ud800", "\\ud800"),  # a lone surrogate, as JSON can send one
    ],
)
def test_control_and_invisible_characters_are_written_as_escapes(text: str, shown: str) -> None:
    assert printable(text) == shown


@pytest.mark.parametrize(
    "text",
    [
        "josé",
        "日本語のファイル",
        "👩\u200d💻 coder",  # an emoji joined by a zero-width joiner
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian, with a non-joiner
        "no\u00a0break",
        "plain text",
    ],
)
def test_text_that_shows_as_it_reads_is_kept(text: str) -> None:
    assert printable(text) == text
