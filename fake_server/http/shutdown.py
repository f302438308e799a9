"""The moment a server starts shutting down, told to the requests that are waiting.

A latency fault holds a request for wall time, possibly longer than a server
waits for in-flight requests when it stops. Rather than be cancelled in the
middle (a bare 500 to the client, a traceback in the log), a held request is
woken by the notice and goes on to its answer at once.
"""

from __future__ import annotations

import asyncio
import threading


class ShutdownNotice:
    def __init__(self) -> None:
        self._given = False
        self._waiting: set[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = set()
        self._lock = threading.Lock()

    @property
    def given(self) -> bool:
        return self._given

    def give(self) -> None:
        """Wake every waiting request; callable from any thread or a signal handler."""
        with self._lock:
            self._given = True
            waiting = list(self._waiting)
        for loop, future in waiting:
            loop.call_soon_threadsafe(_wake, future)

    def withdraw(self) -> None:
        """The server runs again (a thread server started anew): latency holds again."""
        with self._lock:
            self._given = False

    async def sleep(self, seconds: float) -> bool:
        """Wait ``seconds`` of wall time; True if the shutdown notice cut it short."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        entry = (loop, future)
        with self._lock:
            if self._given:
                return True
            self._waiting.add(entry)
        try:
            done, _ = await asyncio.wait({future}, timeout=seconds)
        finally:
            with self._lock:
                self._waiting.discard(entry)
            future.cancel()
        return bool(done)


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
