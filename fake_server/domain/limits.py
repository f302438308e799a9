"""An account's limits: sizes, and files attached per minute on the scenario's clock.

The rate limit counts the files attached over the last minute of the clock
(a sliding window, as the real API's limits behave). A request that would
go beyond it is refused whole: nothing is attached and nothing is counted.
It says when the request would pass, so the layers above can tell the
client how long to wait, or (on a virtual clock) do the waiting for it.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from typing import NamedTuple

from fake_server import defaults
from fake_server.domain.errors import RateLimitError

WINDOW_SECONDS = 60.0
# Entries of the window kept at most: on a real clock a client could attach
# one file per request very fast. Beyond this the two oldest entries merge,
# released at the later moment: the limit only ever gets stricter, never lost.
MAX_WINDOW_ENTRIES = 4096


class Limits(NamedTuple):
    """What a scenario's ``limits`` sets; None: no rate limit."""

    attached_files_per_minute: int | None = None
    files_per_batch: int = defaults.MAX_FILES_PER_BATCH
    bytes_per_upload: int = defaults.MAX_UPLOAD_BYTES


class AttachWindow:
    """Files attached within the last minute of the clock. Not thread safe:
    the account calls it under its lock."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        # (moment the files leave the window, how many), oldest first. The
        # moment is computed once, so "has it left" compares equal values.
        self._entries: deque[tuple[float, int]] = deque()
        self._used = 0

    def used(self, now: float) -> int:
        entries = self._entries
        while entries and entries[0][0] <= now:
            self._used -= entries.popleft()[1]
        return self._used

    def passes_at(self, now: float, count: int) -> float | None:
        """None if ``count`` files may be attached at ``now``, else the first moment
        they could be (``math.inf``: never, more than the limit at once)."""
        if count > self.per_minute:
            return math.inf
        over = self.used(now) + count - self.per_minute
        if over <= 0:
            return None
        for leaves_at, files in self._entries:
            over -= files
            if over <= 0:
                return leaves_at
        return math.inf  # unreachable: every entry leaves eventually

    def record(self, now: float, count: int) -> None:
        entries = self._entries
        leaves_at = now + WINDOW_SECONDS
        if entries and entries[-1][0] == leaves_at:
            entries[-1] = (leaves_at, entries[-1][1] + count)
        else:
            entries.append((leaves_at, count))
            if len(entries) > MAX_WINDOW_ENTRIES:
                _, first = entries.popleft()
                second_at, second = entries.popleft()
                entries.appendleft((second_at, first + second))
        self._used += count

    def admit(
        self, now: float, count: int, on_refused: Callable[[float], float] | None = None
    ) -> None:
        """Count ``count`` files attached at ``now``, or refuse them all (``RateLimitError``).

        ``on_refused``, given the moment the request would pass, gives the
        client's wait in wall seconds; None: the wait is that on the clock."""
        if count == 0:
            return
        passes_at = self.passes_at(now, count)
        if passes_at is None:
            self.record(now, count)
            return
        used = self.used(now)
        if math.isinf(passes_at):
            raise RateLimitError(self.per_minute, used, count, None)
        if on_refused is None:
            raise RateLimitError(self.per_minute, used, count, passes_at - now)
        wait = on_refused(passes_at)
        raise RateLimitError(self.per_minute, used, count, wait, waited=passes_at - now)
