"""A bounded record of the provider requests a server answered, oldest first.

Bounded twice over: at most ``max_entries`` entries, and each entry holds
only the documented fields, every one cut to a documented size, so a client
sending huge paths or headers cannot make the journal grow beyond
``MAX_ENTRY_BYTES`` per entry.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Any

from fake_server import defaults

# Request headers worth keeping: who the call was for, and the SDKs' retry counters.
RECORDED_HEADERS = ("x-on-behalf-of", "x-stainless-retry-count", "user-agent", "idempotency-key")
MAX_PATH_CHARACTERS = 512
MAX_QUERY_BYTES = 1024
MAX_HEADER_BYTES = 512
# What one entry can cost at most, measured with every field at its limit
# and the path in 4-byte characters (tests/unit/test_journal.py checks it).
MAX_ENTRY_BYTES = 6 * 1024

_RECORDED = tuple(name.encode("latin-1") for name in RECORDED_HEADERS)
_ON_BEHALF_OF, _RETRY_COUNT, _USER_AGENT, _IDEMPOTENCY_KEY = _RECORDED

FIELDS = ("method", "path", "query", "operation", "status", "time", "headers")
# Recorded on every request, read rarely: kept raw (header values as bytes,
# in RECORDED_HEADERS order, None when absent) and decoded on reading.
Entry = tuple[str, str, bytes, str | None, int | None, float, tuple[bytes | None, ...]]


def entry(  # noqa: PLR0917 -- one argument per field, in FIELDS order
    method: str,
    path: str,
    query: bytes,
    operation: str | None,
    status: int | None,
    time: float,
    headers: dict[bytes, bytes],
) -> Entry:
    """One journal entry, every field within its bound."""
    get = headers.get
    values: tuple[bytes | None, ...] = (
        get(_ON_BEHALF_OF),
        get(_RETRY_COUNT),
        get(_USER_AGENT),
        get(_IDEMPOTENCY_KEY),
    )
    for value in values:
        if value is not None and len(value) > MAX_HEADER_BYTES:
            values = tuple(None if each is None else each[:MAX_HEADER_BYTES] for each in values)
            break
    return (
        method,
        path if len(path) <= MAX_PATH_CHARACTERS else path[:MAX_PATH_CHARACTERS],
        query if len(query) <= MAX_QUERY_BYTES else query[:MAX_QUERY_BYTES],
        operation,
        status,
        time,
        values,
    )


class Journal:
    def __init__(self, max_entries: int = defaults.JOURNAL_MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._entries: deque[Entry] = deque(maxlen=max_entries)
        self._lock = threading.Lock()

    def record(self, recorded: Entry) -> None:
        self._entries.append(recorded)  # deque.append is atomic

    def entries(self) -> list[dict[str, Any]]:
        with self._lock:
            snapshot = list(self._entries)
        return [_shaped(recorded) for recorded in snapshot]

    def latest(self, count: int) -> tuple[list[dict[str, Any]], int]:
        """The newest ``count`` entries, newest first, and how many are kept in all."""
        with self._lock:
            snapshot = list(self._entries)
        return [_shaped(recorded) for recorded in snapshot[: -count - 1 : -1]], len(snapshot)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def _shaped(recorded: Entry) -> dict[str, Any]:
    method, path, query, operation, status, time, values = recorded
    return {
        "method": method,
        "path": path,
        "query": query.decode("latin-1"),
        "operation": operation,
        "status": status,
        "time": time,
        # Sent as UTF-8 by the SDKs (an end user's name may not be ASCII);
        # a value cut inside a character shows a replacement character.
        "headers": {
            name: value.decode("utf-8", "replace")
            for name, value in zip(RECORDED_HEADERS, values, strict=True)
            if value is not None
        },
    }
