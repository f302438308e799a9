"""A uvicorn server that SIGTERM and SIGINT stop cleanly, with exit code 0.

uvicorn re-raises the stop signal after a graceful shutdown, so the process
would die "killed by SIGTERM". For a sidecar or a recording proxy, being told
to stop and stopping cleanly is success, so the signals are handled here
instead: the first asks for a graceful stop, a second Ctrl-C skips waiting
for requests still in flight.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

import uvicorn

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class StoppedBySignal(uvicorn.Server):
    """``uvicorn.Server`` whose stop signals end it cleanly; ``stopping`` says what
    else a stop must do at once."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield  # only the main thread may handle signals
            return
        previous = {sig: signal.signal(sig, self._stop) for sig in STOP_SIGNALS}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def stopping(self) -> None:
        """Called on every stop signal, after the server was asked to exit."""

    def _stop(self, sig: int, frame: FrameType | None) -> None:
        if self.should_exit and sig == signal.SIGINT:
            self.force_exit = True
        self.should_exit = True
        self.stopping()
