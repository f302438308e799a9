"""A bounded record of the provider requests a server answered, oldest first."""

from __future__ import annotations

import threading
from collections import deque
from typing import Any

DEFAULT_MAX_ENTRIES = 1000
# Request headers worth keeping: who the call was for, and the SDKs' retry counters.
RECORDED_HEADERS = ("x-on-behalf-of", "x-stainless-retry-count", "user-agent", "idempotency-key")


class Journal:
    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._entries: deque[dict[str, Any]] = deque(maxlen=max_entries)
        self._lock = threading.Lock()

    def record(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
