"""JSON parsing that refuses ambiguity: an object with the same key twice."""

from __future__ import annotations

import json
from typing import Any


class DuplicateKeyError(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(f"duplicate key {key!r}")
        self.key = key


def loads(text: str | bytes) -> Any:
    """Like ``json.loads``, but a key given twice raises ``DuplicateKeyError``."""
    # The input rules of json.loads: bytes in UTF-8, -16 or -32, told apart
    # by their first bytes; text must not start with a byte order mark.
    if isinstance(text, bytes):
        text = text.decode(json.detect_encoding(text), "surrogatepass")
    elif text.startswith("\ufeff"):
        raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
    return _DECODER.decode(text)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise DuplicateKeyError(key)
        result[key] = value
    return result


# One decoder for every call: json.loads with a hook builds a new one each time.
_DECODER = json.JSONDecoder(object_pairs_hook=_unique_keys)
