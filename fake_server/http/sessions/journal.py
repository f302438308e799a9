"""A bounded record of the provider requests a session answered, oldest first.

Bounded twice over: at most ``max_entries`` requests, each a ``RequestRecord``
already cut to the bounds ``fake_server.http.record`` states, so a client
sending huge paths or headers cannot make an entry cost more than
``MAX_RECORD_BYTES``. The entries are the very records the client report
holds: a request kept by both costs its bytes once.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Any

from fake_server import defaults
from fake_server.http.record import RECORDED_HEADERS, RequestRecord


class Journal:
    def __init__(self, max_entries: int = defaults.JOURNAL_MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._entries: deque[RequestRecord] = deque(maxlen=max_entries)
        self._lock = threading.Lock()

    def record(self, recorded: RequestRecord) -> None:
        self._entries.append(recorded)  # deque.append is atomic

    def entries(self) -> list[dict[str, Any]]:
        with self._lock:
            snapshot = list(self._entries)
        return [shaped(recorded) for recorded in snapshot]

    def latest(self, count: int) -> tuple[list[RequestRecord], int]:
        """The newest ``count`` records, newest first, and how many are kept in all."""
        with self._lock:
            snapshot = list(self._entries)
        return snapshot[: -count - 1 : -1], len(snapshot)

    def find(self, request_id: str) -> RequestRecord | None:
        """The kept record of the request answered with this ``x-request-id``."""
        with self._lock:
            snapshot = list(self._entries)
        for recorded in reversed(snapshot):
            if recorded.request_id == request_id:
                return recorded
        return None

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def shaped(recorded: RequestRecord) -> dict[str, Any]:
    """A journal entry as ``GET /__fake__/requests`` and the inspector show it."""
    return {
        "method": recorded.method,
        "path": recorded.path,
        "query": recorded.query.decode("latin-1"),
        "operation": recorded.operation,
        "status": recorded.status,
        "request_id": recorded.request_id,
        # The fault rule that made this answer (its index), null for a real one.
        "fault": recorded.fault,
        "time": recorded.clock,
        # Sent as UTF-8 by the SDKs (an end user's name may not be ASCII);
        # a value cut inside a character shows a replacement character.
        "headers": {
            name: value.decode("utf-8", "replace")
            for name, value in zip(RECORDED_HEADERS, recorded.headers, strict=True)
            if value is not None
        },
    }
