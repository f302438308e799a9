"""A bounded record of the provider requests a server answered, oldest first."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Mapping
from typing import Any

from fake_server import defaults

DEFAULT_MAX_ENTRIES = defaults.JOURNAL_MAX_ENTRIES
# Request headers worth keeping: who the call was for, and the SDKs' retry counters.
RECORDED_HEADERS = ("x-on-behalf-of", "x-stainless-retry-count", "user-agent", "idempotency-key")


_RECORDED = [(name, name.encode("latin-1")) for name in RECORDED_HEADERS]

FIELDS = ("method", "path", "query", "operation", "status", "time", "headers")
# The last field holds all the request's raw headers (lowercase name to
# value): only the recorded ones are picked out and decoded, on reading.
Entry = tuple[str, str, str, str | None, int | None, float, Mapping[bytes, bytes]]


class Journal:
    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        # Recorded on every request, read rarely: kept as tuples, shaped on reading.
        self._entries: deque[Entry] = deque(maxlen=max_entries)
        self._lock = threading.Lock()

    def record(self, entry: Entry) -> None:
        self._entries.append(entry)  # deque.append is atomic

    def entries(self) -> list[dict[str, Any]]:
        with self._lock:
            snapshot = list(self._entries)
        return [_shaped(entry) for entry in snapshot]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def _shaped(entry: Entry) -> dict[str, Any]:
    shaped: dict[str, Any] = dict(zip(FIELDS, entry, strict=True))
    raw = entry[-1]
    shaped["headers"] = {
        name: raw[raw_name].decode("latin-1") for name, raw_name in _RECORDED if raw_name in raw
    }
    return shaped
