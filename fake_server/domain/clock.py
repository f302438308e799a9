"""The one place that knows what time it is.

Domain time (``created_at``, when a file finishes processing) comes from a
``Clock``: ``SystemClock`` follows the wall clock, ``VirtualClock`` moves only
when told to, so a test never waits for a batch. Wall-time measurement of how
long a request took (for ``openai-processing-ms``) also lives here, so no other
module reads the time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol


class Clock(Protocol):
    """Domain time, in unix seconds."""

    def now(self) -> float: ...


class SystemClock:
    """The wall clock, optionally shifted so that it starts at ``start``."""

    def __init__(self, start: float | None = None) -> None:
        self._offset = 0.0 if start is None else start - time.time()

    def now(self) -> float:
        return time.time() + self._offset


class VirtualClock:
    """A clock that only moves when ``advance`` is called."""

    def __init__(self, start: float | None = None) -> None:
        self._now = float(time.time() if start is None else start)
        self._lock = threading.Lock()

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError("a clock cannot go back in time")
        with self._lock:
            self._now += seconds
            return self._now

    def advance_to(self, moment: float) -> float:
        """Move forward to exactly ``moment`` (never back): a moment the domain
        computed is then reached exactly, with no rounding of a difference."""
        with self._lock:
            self._now = max(self._now, moment)
            return self._now


class FollowedClock:
    """A clock moved from outside to given moments, never back: ``fake-server parity``
    moves it to each recorded request's moment, so the fake's time follows a
    recording of a real service. To the rest of the fake it is a real clock: it
    takes no virtual-only steps (no advance on poll, no waiting for a
    rate-limited client)."""

    def __init__(self, start: float) -> None:
        self._now = float(start)
        self._lock = threading.Lock()

    def now(self) -> float:
        return self._now

    def move_to(self, moment: float) -> float:
        with self._lock:
            self._now = max(self._now, moment)
            return self._now


def wall_time() -> float:
    """Wall time in seconds from an arbitrary start, for intervals only (how long
    a client waited between requests); never a date, never the scenario's time."""
    return time.perf_counter()


def wall_date(moment: float) -> float:
    """A ``wall_time`` moment as a date (seconds since the epoch), to show a person.

    One offset for the process: the same moment always shows the same date."""
    return moment + _EPOCH_OFFSET


_EPOCH_OFFSET = time.time() - time.perf_counter()


def stopwatch() -> Callable[[], float]:
    """Start measuring wall time; the returned function gives elapsed seconds."""
    started = time.perf_counter()
    return lambda: time.perf_counter() - started
