"""How the text log looks on a terminal, and the line that sums a run up.

On a terminal each request line starts with the wall time, and its status is
coloured by class (2xx green, 3xx cyan, 4xx yellow, 5xx red, a dropped
connection magenta). Never colour when the output is not a terminal (a file,
a pipe, CI's log) or when ``NO_COLOR`` is set to anything (no-color.org).
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from typing import IO

from fake_server.http.record import RequestRecord

RESET = "\x1b[0m"
# By the status's hundreds; a dropped connection has no status.
COLOURS = {2: "\x1b[32m", 3: "\x1b[36m", 4: "\x1b[33m", 5: "\x1b[31m"}
DROPPED_COLOUR = "\x1b[35m"


def on_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, OSError, ValueError):  # closed, or no file behind it
        return False


def wants_colour(stream: IO[str], environ: Mapping[str, str] = os.environ) -> bool:
    return not environ.get("NO_COLOR") and on_terminal(stream)


def painted(status: int | None, shown: str) -> str:
    """``shown`` (the status as the line says it) in its class's colour."""
    colour = DROPPED_COLOUR if status is None else COLOURS.get(status // 100)
    return shown if colour is None else f"{colour}{shown}{RESET}"


def stamp(now: float) -> str:
    """Wall time as a person reads it on a terminal: ``14:03:27.512``."""
    return time.strftime("%H:%M:%S", time.localtime(now)) + f".{int(now % 1 * 1000):03d}"


class Tally:
    """What ``fake-server serve`` answered, counted for the line it ends with."""

    __slots__ = ("errors", "faults", "requests")

    def __init__(self) -> None:
        self.requests = self.errors = self.faults = 0

    def count(self, recorded: RequestRecord) -> None:
        self.requests += 1
        status = recorded.status
        if status is None or status >= 400:
            self.errors += 1
        if recorded.fault is not None:
            self.faults += 1

    def summary(self, findings: int) -> str:
        return (
            f"fake_server stopped: {_many(self.requests, 'request')}, "
            f"{_many(self.errors, 'error')}, {_many(self.faults, 'fault')} injected, "
            f"{_many(findings, 'client finding')}"
        )


def _many(count: int, thing: str) -> str:
    return f"{count} {thing}" if count == 1 else f"{count} {thing}s"
