"""Work done in slices between other clients' requests: a search of a large store.

Such work is a generator: it yields ``MORE`` after every slice of work (half a
millisecond) so its driver lets the event loop serve everyone else, and
``WAIT`` when what it needs is busy with another such work (it holds nothing
meanwhile); it returns its result. A request handled meanwhile waits a slice
at each of its own steps (several), so slices are short; stepping aside
costs tens of microseconds. ``finish`` runs such work in one go.
"""

from __future__ import annotations

import time
from collections.abc import Generator
from typing import Final, Literal, TypeVar

from fake_server.domain.clock import wall_time

_T = TypeVar("_T")
SLICE_SECONDS = 0.0005
MORE: Final = "more"
WAIT: Final = "wait"
Step = Literal["more", "wait"]
Steps = Generator[Step, None, _T]


class Pacer:
    """Says when a slice of work is done: ``SLICE_SECONDS`` after the last one."""

    __slots__ = ("_due",)

    def __init__(self) -> None:
        self._due = wall_time() + SLICE_SECONDS

    def due(self) -> bool:
        if wall_time() < self._due:
            return False
        self._due = wall_time() + SLICE_SECONDS
        return True


def finish(steps: Steps[_T]) -> _T:
    """Run ``steps`` to its end in this thread (tests, the domain's own callers);
    a wait is a short sleep."""
    while True:
        try:
            step = next(steps)
        except StopIteration as done:
            result: _T = done.value
            return result
        if step == WAIT:
            time.sleep(0.001)
