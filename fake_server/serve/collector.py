"""The cyclic collector as ``fake-server serve`` runs it: young collections only
while requests come in; everything collected in full once the server is idle,
or under load that never stops, once four times as many objects as were
alive after the last full collection have been frozen since.

A fake's state only grows while a client creates batches and files, and
CPython's collector would scan all of it again and again: its middle
generation every ten young collections and its oldest one each time it has
grown by a quarter, a pause that hits every request in flight and grows with
the state. Here each young collection's survivors are frozen (out of every
later automatic collection), so an automatic collection only ever scans what
was made since the last one: about 700 objects, a fifth of a millisecond.

Frozen objects are still freed by reference counting; only cyclic garbage
among them waits, for a full collection (``collect_all``):
- at the first check that finds no request answered since the previous one
  (the server is idle: nobody waits for the pause), if anything was frozen;
- under load that never stops, once the objects frozen since the last full
  collection reach ``GROWTH_BEFORE_FULL`` times those it left alive. A full
  collection pauses every request in flight for as long as it scans (some
  50 ms at 500,000 objects), so under load it comes rarely: the live state
  has to grow for it, and the gaps grow with the state, so what it costs per
  object stays constant. The price is memory: cyclic garbage made under
  unbroken load may wait until then. What is frozen is mostly the state
  itself (batches, files) and objects that die by reference counting; a full
  collection after a create load finds a few hundred objects of garbage.

Process-wide: only ``fake-server serve``, which owns its process, installs it;
the fixtures and the in-process transport leave their host's collector alone.
It relies on the generational collector of CPython 3.11 to 3.13; elsewhere
(3.14's incremental collector) the process keeps the collector it has.
The check runs on the event loop's timer, which is wall time: it paces the
collector, never the fake's clock.
"""

from __future__ import annotations

import contextlib
import gc
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import asyncio

# Where the thresholds below mean what they say: three generations, each
# collected when its count passes its threshold.
SUPPORTED = sys.implementation.name == "cpython" and (3, 11) <= sys.version_info < (3, 14)
# CPython's own threshold for its youngest generation.
YOUNG_THRESHOLD = 700
# The older generations' thresholds: never reached, so only collect_all scans them.
NEVER = 2**31 - 1
CHECK_SECONDS = 1.0
# Under load, a full collection once the objects frozen since the last one
# reach this many times those it left alive.
GROWTH_BEFORE_FULL = 4


@contextlib.contextmanager
def paused_for_start_up() -> Iterator[None]:
    """The collector paused while ``fake-server serve`` imports what it serves with.

    The imports (uvicorn, Starlette, fake_server's modules) make some 30,000
    objects that live as long as the process. The collector would run some 60
    times while they are made, freeing next to nothing: about 10 ms of CPU,
    one fourteenth of the process's start-up. Paused here, then restored as
    it was. The command calls it before it imports the app; importing
    fake_server never touches the collector.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            if gc.get_freeze_count() == 0:
                # What the imports made joins the oldest generation, as if it
                # had survived collections: otherwise the first young
                # collection would scan all of it at once, and nothing would
                # be saved.
                gc.freeze()
                gc.unfreeze()
            gc.enable()


class Collector:
    """Installed with ``start`` on the server's event loop, removed with ``stop``.

    ``activity`` is a count that grows with every request answered (uvicorn's
    ``server_state.total_requests``): unchanged from one check to the next,
    the server is idle. Without it, a check interval with no young collection
    counts as idle.
    """

    def __init__(
        self, activity: Callable[[], int] | None = None, check_seconds: float = CHECK_SECONDS
    ) -> None:
        self._activity = activity
        self._check_seconds = check_seconds
        self._timer: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._saved_thresholds: tuple[int, int, int] | None = None
        self._young_at_start = 0
        # Since the last full collection: young collections, and an estimate
        # of the objects they froze (what each found, less what it freed).
        self.young_collections = 0
        self.frozen_since_full = 0
        self._seen_at_last_check = -1
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
        self._seen_at_last_check = self._seen()
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
        seen = self._seen()
        idle = seen == self._seen_at_last_check
        self._seen_at_last_check = seen
        due = (idle and self.young_collections > 0) or (
            self.frozen_since_full >= GROWTH_BEFORE_FULL * self.alive_after_full
        )
        if due:
            self.collect_all()
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

    def _seen(self) -> int:
        """What tells activity apart from idleness: requests answered, else young collections."""
        return self._activity() if self._activity is not None else self.young_collections

    def _on_collection(self, phase: str, info: dict[str, Any]) -> None:
        # Every young collection, automatic or asked for; the full ones
        # (collect_all's, a caller's gc.collect()) leave nothing to freeze.
        if info["generation"] != 0:
            return
        if phase == "start":
            self._young_at_start = gc.get_count()[0]
            return
        gc.freeze()
        self.young_collections += 1
        self.frozen_since_full += max(self._young_at_start - info["collected"], 0)

    def _scheduled_check(self) -> None:
        try:
            self.check()
        finally:  # a check that failed must not end the checks
            if self._loop is not None and self._saved_thresholds is not None:
                self._timer = self._loop.call_later(self._check_seconds, self._scheduled_check)
