"""Text from outside (a request's path, a scenario's keys) made safe for a terminal
or a line-based log: every control or invisible format character written as an
escape."""

from __future__ import annotations

import unicodedata

# Control characters (C0, C1, DEL) could forge lines of a log (``%0d%0a`` in a
# path decodes to a line break) or drive a terminal (``\x1b[``); the Unicode
# line separators break lines too. Format characters are invisible: the bidi
# overrides, isolates and marks show a line in another order than it reads,
# and a zero-width space or byte order mark makes ``alice\u200b`` look like
# ``alice``, the very difference a test author reads a refusal to find. Lone
# surrogates (JSON's ``"\ud800"``) no terminal or file can take.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
# Except the joiners: they shape Arabic and Indic scripts and join emoji
# (👩‍💻), so escaping them would garble text that is shown as it should be.
_SHAPING = frozenset({"\u200c", "\u200d"})


def printable(text: str) -> str:
    """``text`` with every control or invisible format character written as an
    escape (``\\x0d``, ``\\u200b``)."""
    if text.isprintable():  # the common case, and a cheap test
        return text
    return "".join(_escape(char) if _hidden(char) else char for char in text)


def _hidden(char: str) -> bool:
    return unicodedata.category(char) in _HIDDEN_CATEGORIES and char not in _SHAPING


def _escape(char: str) -> str:
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
