"""Text from outside (a request's path, a scenario's keys) made safe for a terminal
or a line-based log: every control character written as an escape."""

from __future__ import annotations

import re

# C0 and C1 control characters, DEL, the Unicode line separators and the
# bidirectional overrides and isolates: in a path (``%0d%0a`` decodes to a line
# break), a session name or a scenario's key they could forge lines of a log,
# drive a terminal (``\x1b[``) or show a line in another order than it reads.
# And lone surrogates (JSON's ``"\ud800"``), which no terminal or file can take.
_CONTROL = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def printable(text: str) -> str:
    """``text`` with every control character written as an escape (``\\x0d``)."""
    if text.isprintable():  # the common case, and a cheap test
        return text
    return _CONTROL.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"
