"""One recorded answer against the fake's answer to the same request, normalised.

Compared: the status; every field's presence, JSON type and value (enum values,
object names, error type, code and param, counts, pagination); the lengths of
lists; ids through the ``IdMap``; the content type and the poll and retry
headers; a download's size. Normalised away, as ``docs/parity.md`` lists them:
ids (compared through the map, never as text), timestamps (``*_at``: their
type only), the texts and numbers only the real service decides (``message``,
``usage_bytes``, ``sha256``, ``score``, ``text``), and every other header
(``x-request-id``, ``openai-processing-ms``, ``date``, ...).
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from fake_server.recording.parity_ids import IdMap, align, is_id_key

# Fields compared by JSON type only: what the real service alone decides.
TYPE_ONLY_KEYS = frozenset({"message", "usage_bytes", "sha256", "score", "text"})
# The poll header, compared by value (a scenario's ``clock.poll_after_ms``).
POLL_HEADER = "openai-poll-after-ms"
# Retry headers: compared by presence, and by value within a tolerance (a
# window's remaining time shifts by the milliseconds a request took).
RETRY_HEADERS = {"retry-after-ms": 1000.0, "retry-after": 1.0}
RETRY_TOLERANCE = 0.1
SHOWN_CHARACTERS = 60


class Answer(NamedTuple):
    """An answer as compared: status, lower-case headers, the JSON body (None if
    none), and the byte count of a body that is not JSON (a download)."""

    status: int
    headers: dict[str, str]
    body: Any
    size: int | None = None


class Difference(NamedTuple):
    seq: int
    operation: str
    # "status", "$.data[*].status", "header retry-after", "content"
    where: str
    # status, presence, type, value, id, count, header, content
    kind: str
    upstream: str
    fake: str
    tag: str = ""


def shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= SHOWN_CHARACTERS else text[: SHOWN_CHARACTERS - 3] + "..."


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def status_words(answer: Answer) -> str:
    """``404 (not_found)``: the status and an error's code, if it has one."""
    body = answer.body
    error = body.get("error") if isinstance(body, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    return f"{answer.status} ({code})" if code else str(answer.status)


def _brief(value: Any, key: str | None) -> str:
    """A value whose type differs: a plain value as it is, else its type."""
    plain = not isinstance(value, dict | list) and not (key and key.endswith("_at"))
    return shown(value) if plain and key not in TYPE_ONLY_KEYS else json_type(value)


class _Walk:
    """Differences between two JSON values, collected with the place they are at."""

    def __init__(self, seq: int, operation: str, ids: IdMap) -> None:
        self.seq, self.operation, self.ids = seq, operation, ids
        self.found: list[Difference] = []

    def add(self, where: str, kind: str, upstream: str, fake: str) -> None:
        self.found.append(Difference(self.seq, self.operation, where, kind, upstream, fake))

    def value(self, upstream: Any, fake: Any, where: str, key: str | None) -> None:
        up_type, fake_type = json_type(upstream), json_type(fake)
        if up_type != fake_type:
            self.add(where, "type", _brief(upstream, key), _brief(fake, key))
        elif up_type == "object":
            self.fields(upstream, fake, where)
        elif up_type == "array":
            self.items(upstream, fake, where, key)
        elif key is not None and (key.endswith("_at") or key in TYPE_ONLY_KEYS):
            return
        elif up_type == "string" and is_id_key(key):
            if self.ids.fake_for(upstream) != fake:
                self.add(where, "id", shown(upstream), shown(fake))
        elif upstream != fake:
            self.add(where, "value", shown(upstream), shown(fake))

    def fields(self, upstream: dict[str, Any], fake: dict[str, Any], where: str) -> None:
        for name in sorted(upstream.keys() | fake.keys()):
            place = f"{where}.{name}"
            if name not in fake:
                self.add(place, "presence", json_type(upstream[name]), "absent")
            elif name not in upstream:
                self.add(place, "presence", "absent", json_type(fake[name]))
            else:
                self.value(upstream[name], fake[name], place, name)

    def items(self, upstream: list[Any], fake: list[Any], where: str, key: str | None) -> None:
        if len(upstream) != len(fake):
            self.add(where, "count", f"{len(upstream)} items", f"{len(fake)} items")
        for up_item, fake_item in align(upstream, fake, self.ids):
            self.value(up_item, fake_item, where + "[*]", key)


def compare(
    seq: int, operation: str, upstream: Answer, fake: Answer, ids: IdMap
) -> list[Difference]:
    """What differs between the recorded answer and the fake's, normalised."""
    walk = _Walk(seq, operation, ids)
    if upstream.status != fake.status:
        walk.add("status", "status", status_words(upstream), status_words(fake))
        return walk.found
    _headers(walk, upstream.headers, fake.headers)
    if upstream.size is not None or fake.size is not None:
        if upstream.size != fake.size:
            walk.add("content", "content", f"{upstream.size} bytes", f"{fake.size} bytes")
    else:
        walk.value(upstream.body, fake.body, "$", None)
    return walk.found


def _headers(walk: _Walk, upstream: dict[str, str], fake: dict[str, str]) -> None:
    if "content-type" in upstream:
        up_type = _media_type(upstream["content-type"])
        fake_type = _media_type(fake.get("content-type", ""))
        if up_type != fake_type:
            walk.add("header content-type", "header", up_type, fake_type or "absent")
    for name in (POLL_HEADER, *RETRY_HEADERS):
        up_value, fake_value = upstream.get(name), fake.get(name)
        if up_value is None and fake_value is None:
            continue
        if up_value is None or fake_value is None or not _close(name, up_value, fake_value):
            walk.add(f"header {name}", "header", up_value or "absent", fake_value or "absent")


def _media_type(value: str) -> str:
    return value.partition(";")[0].strip().lower()


def _close(name: str, upstream: str, fake: str) -> bool:
    """Equal, or for a retry header within its tolerance."""
    if upstream == fake:
        return True
    slack = RETRY_HEADERS.get(name)
    if slack is None:
        return False
    try:
        up_number, fake_number = float(upstream), float(fake)
    except ValueError:
        return False
    return abs(up_number - fake_number) <= max(slack, RETRY_TOLERANCE * abs(up_number))
