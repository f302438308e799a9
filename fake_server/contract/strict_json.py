"""JSON parsing that refuses ambiguity and numbers no field can hold.

Two rules on top of ``json.loads``, for every body a client sends (provider
requests, the control plane) and for scenarios written as JSON:

- an object with the same key twice is refused (``DuplicateKeyError``);
- text is text: a string or key holding a lone surrogate (an escape from
  ``\ud800`` to ``\udfff`` without its pair) is refused (``NotTextError``),
  as no UTF-8, no validator and no client reading it back can carry it;
- the number policy: a number must be finite (``NaN``, ``Infinity`` and
  ``1e999`` are refused) and an integer must fit in 64 bits (``INT_MIN`` to
  ``INT_MAX``), so no value reaches the state that Python cannot turn back
  into JSON. Each field may allow less; its schema says so. A refused number
  raises ``NumberError``, which names where it is.

YAML scenarios follow the same policy (``scenario.yaml_source``), through
``number_problem``.
"""

from __future__ import annotations

import json
import math
import re
from functools import cache
from typing import Any

INT_MIN = -(2**63)
INT_MAX = 2**63 - 1
# Longer integer literals are refused before they are converted: converting
# is quadratic in the number of digits (and Python refuses 4,300 and more).
MAX_INT_LITERAL_CHARACTERS = 100
NOT_JSON = "not a JSON number"  # the reason given for NaN, Infinity and -Infinity


class DuplicateKeyError(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(f"duplicate key {key!r}")
        self.key = key


class NotTextError(ValueError):
    """A string or key holding a lone surrogate."""


# A lone surrogate reaches a document only through a ``\uD800``-``\uDFFF``
# escape, or as a character of text that is not ASCII: both cheap to rule out.
# Compiled when first needed: about 0.2 ms of every start otherwise, and most
# documents are ASCII without escapes.
@cache
def _maybe_surrogate() -> re.Pattern[str]:
    return re.compile(r"\\u[dD][89a-fA-F]|[\ud800-\udfff]")


class NumberError(ValueError):
    """A number outside the policy; ``path`` leads to it (keys and list indexes)."""

    def __init__(self, literal: str, reason: str, path: tuple[str | int, ...] = ()) -> None:
        super().__init__(f"{reason}: {literal[:64]}")
        self.literal = literal
        self.reason = reason
        self.path = path


def number_problem(value: int | float) -> str | None:
    """Why a parsed number breaks the policy, or None when it is fine."""
    if isinstance(value, float):
        return None if math.isfinite(value) else "not a finite number"
    if INT_MIN <= value <= INT_MAX:
        return None
    return f"an integer out of range ({INT_MIN} to {INT_MAX})"


def loads(text: str | bytes, *, integral_floats: bool = True) -> Any:
    """Like ``json.loads``, with the two rules of this module.

    With ``integral_floats=False`` a float with an integral value (``503.0``)
    raises ``NumberError`` too: a scenario loader uses it to send such
    documents to the careful reading, which checks them field by field.
    """
    # The input rules of json.loads: bytes in UTF-8, -16 or -32, told apart
    # by their first bytes; text must not start with a byte order mark.
    if isinstance(text, bytes):
        text = text.decode(json.detect_encoding(text), "surrogatepass")
    elif text.startswith("\ufeff"):
        raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
    try:
        value = (_DECODER if integral_floats else _NO_INTEGRAL_FLOATS).decode(text)
    except _RefusedNumberError as refused:
        # Rare: read the document again, marking refused numbers, to say where.
        raise NumberError(refused.literal, refused.reason, _locate(text)) from None
    maybe = (not text.isascii() or "\\u" in text) and _maybe_surrogate().search(text)
    if maybe and _holds_a_lone_surrogate(value):
        raise NotTextError("a string or key holds a lone surrogate")
    return value


def _holds_a_lone_surrogate(value: Any) -> bool:
    pending = [value]
    while pending:  # one pass over the document (no recursion: it may be deep)
        item = pending.pop()
        if isinstance(item, dict):
            pending.extend(item)
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, str) and not item.isascii():
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
    return False


class _RefusedNumberError(Exception):
    def __init__(self, literal: str, reason: str) -> None:
        self.literal = literal
        self.reason = reason


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise DuplicateKeyError(key)
        result[key] = value
    return result


def _integer(literal: str) -> int:
    if len(literal) > MAX_INT_LITERAL_CHARACTERS:
        raise _RefusedNumberError(literal, number_problem(INT_MAX + 1) or "")
    value = int(literal)
    problem = number_problem(value)
    if problem is not None:
        raise _RefusedNumberError(literal, problem)
    return value


def _float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise _RefusedNumberError(literal, "not a finite number")
    return value


def _not_integral_float(literal: str) -> float:
    value = _float(literal)
    if value.is_integer():
        raise _RefusedNumberError(literal, "an integral float")
    return value


def _constant(literal: str) -> Any:
    raise _RefusedNumberError(literal, NOT_JSON)


class _Marker:
    """Where a refused number was, in the second reading."""


def _locate(text: str) -> tuple[str | int, ...]:
    def checked(parse: Any, zero: Any) -> Any:
        def parse_or_mark(literal: str) -> Any:
            try:
                parse(literal)
            except _RefusedNumberError:
                return _Marker()
            return zero

        return parse_or_mark

    decoder = json.JSONDecoder(
        parse_int=checked(_integer, 0),
        parse_float=checked(_float, 0.0),
        parse_constant=lambda literal: _Marker(),
    )
    try:
        return _path_to_marker(decoder.decode(text)) or ()
    except (ValueError, RecursionError):
        return ()


def _path_to_marker(value: Any) -> tuple[str | int, ...] | None:
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, _Marker):
            return path
        if isinstance(item, dict):
            children = [((*path, key), child) for key, child in item.items()]
        elif isinstance(item, list):
            children = [((*path, index), child) for index, child in enumerate(item)]
        else:
            continue
        stack.extend(reversed(children))  # depth first, in document order
    return None


# One decoder for every call: json.loads with a hook builds a new one each time.
_DECODER = json.JSONDecoder(
    object_pairs_hook=_unique_keys,
    parse_int=_integer,
    parse_float=_float,
    parse_constant=_constant,
)
_NO_INTEGRAL_FLOATS = json.JSONDecoder(
    object_pairs_hook=_unique_keys,
    parse_int=_integer,
    parse_float=_not_integral_float,
    parse_constant=_constant,
)
