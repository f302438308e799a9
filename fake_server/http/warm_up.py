"""Readiness (``GET /__fake__/ready``): the scenario loaded and every validator compiled.

Health answers as soon as the process serves; ready waits for more. The
scenario is loaded before an app exists (``create_app`` takes it whole, and
``PUT /__fake__/scenario`` swaps it in one step), so what is left is the
contract: its validators compile on first use (``contract/validation.py``),
and a warm-up compiles them all on a worker thread once the server listens
(``fake-server serve`` and the thread runner start it then; a server run
without either, such as the in-process transport, on the first ask of ready),
so that later requests pay for none. A probe that waits for ready (a
container's health check, ``fake-server wait --ready``) knows the server
answers at full speed.

The warm-up must not slow the first answers, which a harness sends the moment
the server listens: it waits ``WARM_UP_DELAY_SECONDS`` first, then compiles
one validator (or reads one schema part) per step, sleeping
``WARM_UP_STEP_SECONDS`` between steps, which hands the GIL to a request
waiting for it at once rather than at the interpreter's next switch. It
finishes well under a second after the server listens.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from fake_server import defaults
from fake_server.contract.checker import Contract


class WarmUp:
    """Compiles the contract's validators once, on a thread; says when it is done."""

    def __init__(self) -> None:
        self._done = threading.Event()
        self._started = False
        self._holds = 0
        self._lock = threading.Lock()

    def start(self, contract: Contract) -> None:
        """Begin compiling (once; later calls do nothing). Returns at once."""
        with self._lock:
            if self._started:
                return
            self._started = True
        threading.Thread(
            target=self._compile, args=(contract,), name="fake-server-warm-up", daemon=True
        ).start()

    def _compile(self, contract: Contract) -> None:
        try:
            time.sleep(defaults.WARM_UP_DELAY_SECONDS)
            for _ in contract.compile_steps():
                time.sleep(defaults.WARM_UP_STEP_SECONDS)
        finally:
            # A schema that cannot compile fails its first request loudly; the
            # server is as ready as it will ever be.
            self._done.set()

    @property
    def ready(self) -> bool:
        return self._done.is_set() and not self._holds

    @contextmanager
    def hold(self) -> Iterator[None]:
        """Not ready while inside, whatever the warm-up did: for tests of what a
        probe sees before the server is ready."""
        with self._lock:
            self._holds += 1
        try:
            yield
        finally:
            with self._lock:
                self._holds -= 1
