"""What counts as a secret, stated once: the inspector and the recorder both ask here.

A string is a secret, or holds one, when it

- is shaped like a key or a token: ``sk-...``, ``rk-...`` (also ``pk``, ``ak``,
  ``key``, ``tok`` before ``-`` or ``_``, then at least 8 key characters; an
  ``sk-`` or ``rk-`` key masked with ``*``),
  ``Bearer ...`` (any case), or a JWT (``eyJ...`` in three dotted parts);
- holds a learnt secret: an exact string the caller knows is one (the
  session's API keys, the admin token, the key the client sent) of at least
  ``SHORTEST_SECRET`` characters (a shorter one would match everywhere);
- stands under a field named like a secret: the name, split into words at
  ``_``, ``-``, ``.``, spaces and lower-to-upper case changes, holds one of
  ``SECRET_WORDS`` anywhere (``client_secret``, ``aws_secret_access_key``,
  ``access-token``, ``X-Api-Key``), or the words ``api key``, ``private key``
  or ``access key`` (``api_key``, ``apiKey``, ``secret_key``). A bare ``key``
  is no secret word (a search filter's ``key`` names an attribute), nor are
  ``tokens`` (``max_tokens`` counts) and ``session`` (the fake's session names).

``\\uXXXX`` escapes are decoded before text that is no parsed JSON (a body cut
short) is searched, so an escaped secret is found too; and a cut text that
ends with the first characters of a secret (at least ``SHORTEST_SECRET``, or
an unfinished key shape) has them taken off.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from typing import Any

REDACTED = "[redacted]"
# A learnt secret shorter than this is not searched for inside other text
# (a one-letter test key would redact every "k").
SHORTEST_SECRET = 4
SECRET_WORDS = frozenset(
    {
        "apikey",
        "token",
        "secret",
        "secrets",
        "password",
        "passwords",
        "passwd",
        "passphrase",
        "credential",
        "credentials",
        "cookie",
        "authorization",
    }
)
# Two words that together name a secret ("key" alone does not).
SECRET_PAIRS = frozenset({("api", "key"), ("private", "key"), ("access", "key")})
# A value shaped like a key or a token, wherever it stands in the text.
KEY_SHAPED = re.compile(
    r"\b(?:sk|rk|pk|ak|key|tok)[-_][A-Za-z0-9_*-]{8,}"
    r"|\b(?:sk|rk)-[A-Za-z0-9_.-]*\*[A-Za-z0-9_.*-]*"  # a masked key: sk-*****...wxyz
    r"|\b(?i:bearer)\s+[A-Za-z0-9._~+/=*-]+"
    r"|\beyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"
)
# The start of a key shape, unfinished at the very end of a cut text.
_KEY_SHAPE_AT_END = re.compile(
    r"(?:\b(?:sk|rk|pk|ak|key|tok)[-_][A-Za-z0-9_*-]*|\beyJ[A-Za-z0-9._-]*|\b(?i:bearer)\s*)\Z"
)
# A field in text that is no JSON (a body cut short): "name": "value (maybe unfinished).
_FIELD = re.compile(r'("((?:[^"\\]|\\.)*)"\s*:\s*)("(?:[^"\\]|\\.)*"?|[^\s,}\]]+)')
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_ESCAPE = re.compile(
    r"\\u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})|\\u([0-9a-fA-F]{4})"
)


def known_secrets(secrets: Iterable[str | None]) -> list[str]:
    """The learnt secrets worth searching for, longest first (so a longer one is
    replaced whole before a shorter one inside it)."""
    kept = {secret for secret in secrets if secret and len(secret) >= SHORTEST_SECRET}
    return sorted(kept, key=len, reverse=True)


def is_secret_name(name: str) -> bool:
    """Whether a field (or a query parameter, a header) named ``name`` holds a secret."""
    words = [word.lower() for word in _WORD.findall(name)]
    if any(word in SECRET_WORDS for word in words):
        return True
    return any(pair in SECRET_PAIRS for pair in itertools.pairwise(words))


def is_secret_parameter(name: str) -> bool:
    """Whether a query parameter named ``name`` carries a credential: a secret name,
    or ``key`` alone (some gateways take the key as ``?key=``)."""
    return name.lower() == "key" or is_secret_name(name)


def holds_secret(text: str, known: Iterable[str]) -> bool:
    """Whether ``text`` is, or holds, a key-shaped value or a learnt secret."""
    return KEY_SHAPED.search(text) is not None or any(secret in text for secret in known)


def redact_text(text: str, known: Iterable[str]) -> str:
    """``text`` with every learnt secret and key-shaped value in it replaced."""
    for secret in known:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return KEY_SHAPED.sub(REDACTED, text)


def unescape(text: str) -> str:
    """``text`` with JSON's ``\\uXXXX`` escapes decoded (a lone surrogate kept escaped)."""

    def decoded(found: re.Match[str]) -> str:
        high, low, single = found.groups()
        if single is None:
            return chr(0x10000 + ((int(high, 16) - 0xD800) << 10) + int(low, 16) - 0xDC00)
        code = int(single, 16)
        return found.group(0) if 0xD800 <= code <= 0xDFFF else chr(code)

    return _ESCAPE.sub(decoded, text)


def redact_fragment(text: str, known: list[str], *, cut: bool) -> str:
    """Text that may be JSON cut short, or no JSON at all: values of secret-named
    fields, then (escapes decoded) learnt secrets and key shapes replaced; if ``cut``,
    the beginning of a secret at its very end too."""

    def field(found: re.Match[str]) -> str:
        if is_secret_name(unescape(found.group(2))):
            return f'{found.group(1)}"{REDACTED}"'
        return found.group(0)

    # Fields first, on the text as sent: a decoded \u0022 would end a string early.
    text = redact_text(unescape(_FIELD.sub(field, text)), known)
    return redact_cut_end(text, known) if cut else text


def redact_value(value: Any, known: list[str]) -> Any:
    """A JSON value as it may be shown: the value of a secret-named field replaced
    whole, every other string (an object's keys too) through ``redact_text``."""
    if isinstance(value, dict):
        shown: dict[str, Any] = {}
        for key, item in value.items():
            name = redact_text(key, known)
            while name in shown:  # two keys redacted alike stay two
                name += " "
            shown[name] = REDACTED if is_secret_name(key) else redact_value(item, known)
        return shown
    if isinstance(value, list):
        return [redact_value(item, known) for item in value]
    if isinstance(value, str):
        return redact_text(value, known)
    return value


def redact_cut_end(text: str, known: list[str]) -> str:
    """``text`` cut short, without the first characters of a secret it ends with."""
    shape = _KEY_SHAPE_AT_END.search(text)
    if shape is not None and shape.start() < len(text):
        return text[: shape.start()] + REDACTED
    for secret in known:
        for length in range(len(secret) - 1, SHORTEST_SECRET - 1, -1):
            if text.endswith(secret[:length]):
                return text[: len(text) - length] + REDACTED
    return text
