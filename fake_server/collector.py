"""The cyclic collector as ``fake-server serve`` runs it: young collections only
while requests come in, the old objects collected in full when the server is
idle or they have grown fourfold.

A fake's state only grows while a client creates batches and files, and
CPython's collector would scan all of it again and again: its middle
generation every ten young collections and its oldest one each time it has
grown by a quarter, a pause that hits every request in flight and grows with
the state. Here each young collection's survivors are frozen (out of every
later automatic collection), so an automatic collection only ever scans what
was made since the last one: about 700 objects, a tenth of a millisecond.

Frozen objects are still freed by reference counting; only cyclic garbage
among them waits, for a full collection (``collect_all``): at the first check
after a second with no young collection (the server is idle: nobody waits
for the pause), or, under load that never stops, once four times as many
objects have been frozen as the last full collection left alive. A full
collection pauses every request in flight for as long as it scans (some
50 ms at 500,000 objects), so under load it should come rarely: growing
fourfold between them, they come ever less often as the state grows, and
what they cost per object stays constant. Most of what is frozen is the
state itself (batches, files) or is freed by reference counting; cyclic
garbage that waits is rare (a full collection after a create load finds a
few hundred objects).

Process-wide: only ``fake-server serve``, which owns its process, installs it;
the fixtures and the in-process transport leave their host's collector alone.
The check runs on the event loop's timer, which is wall time: it paces the
collector, never the fake's clock.
"""

from __future__ import annotations

import asyncio
import gc
from typing import Any

# CPython's own threshold for its youngest generation.
YOUNG_THRESHOLD = 700
# The older generations' thresholds: never reached, so only collect_all scans them.
NEVER = 2**31 - 1
CHECK_SECONDS = 1.0
# Under load, a full collection once the objects frozen since the last one
# reach this many times those it left alive.
GROWTH_BEFORE_FULL = 4


class Collector:
    """Installed with ``start`` on the server's event loop, removed with ``stop``."""

    def __init__(self, check_seconds: float = CHECK_SECONDS) -> None:
        self._check_seconds = check_seconds
        self._timer: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._saved_thresholds: tuple[int, int, int] | None = None
        self._young_at_start = 0
        # Since the last full collection: young collections, and an upper
        # bound on the objects they froze.
        self.young_collections = 0
        self.frozen_since_full = 0
        self._young_at_last_check = 0
        # Objects the last full collection left alive (frozen again).
        self.alive_after_full = 0
        self.full_collections = 0

    def start(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        """Take over the collector; with a ``loop``, check it every ``check_seconds``."""
        self._saved_thresholds = gc.get_threshold()
        # What exists now (start-up's schemas, scenario, modules) lives as
        # long as the process: frozen at once, it is counted as alive.
        gc.freeze()
        self.alive_after_full = gc.get_freeze_count()
        gc.set_threshold(YOUNG_THRESHOLD, NEVER, NEVER)
        gc.callbacks.append(self._on_collection)
        if loop is not None:
            self._loop = loop
            self._timer = loop.call_later(self._check_seconds, self._scheduled_check)

    def stop(self) -> None:
        """Give the collector back as it was (what is frozen stays frozen)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._on_collection in gc.callbacks:
            gc.callbacks.remove(self._on_collection)
        if self._saved_thresholds is not None:
            gc.set_threshold(*self._saved_thresholds)
            self._saved_thresholds = None

    def check(self) -> bool:
        """Collect everything if the server has been idle since the last check or the
        frozen objects have grown enough; say whether it did."""
        idle = self.young_collections == self._young_at_last_check
        due = (idle and self.young_collections > 0) or (
            self.frozen_since_full >= GROWTH_BEFORE_FULL * self.alive_after_full
        )
        if due:
            self.collect_all()
        self._young_at_last_check = self.young_collections
        return due

    def collect_all(self) -> None:
        """A full collection of every object, the frozen ones included; what survives
        is frozen again."""
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        self.alive_after_full = gc.get_freeze_count()
        self.young_collections = 0
        self.frozen_since_full = 0
        self.full_collections += 1

    def _on_collection(self, phase: str, info: dict[str, Any]) -> None:
        # Only the automatic young collections; collect_all's own and any a
        # caller asks for are left as they are.
        if info["generation"] != 0:
            return
        if phase == "start":
            self._young_at_start = gc.get_count()[0]
            return
        gc.freeze()
        self.young_collections += 1
        self.frozen_since_full += max(self._young_at_start - info["collected"], 0)

    def _scheduled_check(self) -> None:
        self.check()
        if self._loop is not None and self._saved_thresholds is not None:
            self._timer = self._loop.call_later(self._check_seconds, self._scheduled_check)
