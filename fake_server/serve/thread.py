"""Run the app under uvicorn on a loopback port, in a background thread.

For fixtures and tests: ``start`` returns once the server accepts connections,
``stop`` asks it to finish in-flight requests and joins the thread.

Stopping takes a few milliseconds, not uvicorn's ~150: uvicorn's main loop
looks at ``should_exit`` only every 0.1 s, and its shutdown sleeps a fixed
0.1 s after asking connections to close, then checks every 0.1 s whether
they have. Here ``stop`` wakes the loop at once, and the shutdown checks for
closed connections and finished requests every few milliseconds. The steps
are uvicorn's: stop accepting, close idle keep-alive connections, let
in-flight requests finish (bounded), then close.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from types import TracebackType

import uvicorn
from starlette.types import ASGIApp

from fake_server.http.app import FakeServerApp
from fake_server.serve.config import THREAD_GRACE_SECONDS, uvicorn_config
from fake_server.serve.sockets import base_url, bind_socket

STARTUP_TIMEOUT_SECONDS = 10.0
# How long ``stop`` waits for the thread at most: in-flight requests get
# THREAD_GRACE_SECONDS to finish, then they are cancelled.
SHUTDOWN_TIMEOUT_SECONDS = 5.0
# uvicorn's own tick: once a second of them refreshes the Date header.
TICK_SECONDS = 0.1
SHUTDOWN_POLL_SECONDS = 0.002


class _PromptServer(uvicorn.Server):
    """uvicorn's server, woken by ``request_exit`` instead of its next tick."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None

    def request_exit(self) -> None:
        """Ask the server to stop, from any thread; its loop wakes up at once."""
        self.should_exit = True
        # main_loop sets _wake before _loop and reads should_exit after both:
        # either it sees the flag on its first check, or there is a loop to wake.
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None:
            with contextlib.suppress(RuntimeError):  # the loop has already closed
                loop.call_soon_threadsafe(wake.set)

    async def main_loop(self) -> None:
        self._wake = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 1) % 864_000
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), TICK_SECONDS)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        # uvicorn's steps, without its fixed 0.1 s sleeps.
        for server in self.servers:
            server.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()  # idle: closed now; busy: closed after its response
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (self.config.timeout_graceful_shutdown or 0)
        state = self.server_state
        while (state.connections or state.tasks) and loop.time() < deadline:
            if self.force_exit:
                break
            await asyncio.sleep(SHUTDOWN_POLL_SECONDS)
        for task in list(state.tasks):
            task.cancel(msg="fake_server stopped before the request finished")
        for server in self.servers:
            await server.wait_closed()
        if not self.force_exit:
            await self.lifespan.shutdown()


class ServerThread:
    def __init__(
        self, app: ASGIApp, host: str = "127.0.0.1", port: int = 0, *, http: str = "auto"
    ) -> None:
        """``http`` picks uvicorn's HTTP parser, as ``fake-server serve --http`` does."""
        # A fake_server app is told when stopping starts, so that requests a
        # latency fault holds are answered at once rather than cancelled.
        self._app = app if isinstance(app, FakeServerApp) else None
        self._shutdown = self._app.shutdown if self._app is not None else None
        self._socket = bind_socket(host, port)
        self.url = base_url(self._socket)
        config = uvicorn_config(
            app, grace_seconds=THREAD_GRACE_SECONDS, http=http, uvicorn_log_level="warning"
        )
        self._server = _PromptServer(config)
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [self._socket]},
            daemon=True,
            name=f"fake_server {self.url}",
        )

    def start(self) -> ServerThread:
        if self._shutdown is not None:
            self._shutdown.withdraw()
        self._thread.start()
        ready = threading.Event()
        # uvicorn sets ``started`` from its own thread; poll it in short steps,
        # bounded by the startup timeout.
        for _ in range(int(STARTUP_TIMEOUT_SECONDS / 0.005)):
            if self._server.started or not self._thread.is_alive():
                break
            ready.wait(0.005)
        if not self._server.started:
            self.stop()
            raise RuntimeError(f"fake_server did not start on {self.url}")
        if self._app is not None:
            self._app.listening()  # ready (``/__fake__/ready``) once warmed up
        return self

    def stop(self) -> None:
        """Stop accepting, let in-flight requests finish, join the thread."""
        if self._shutdown is not None:
            self._shutdown.give()
        self._server.request_exit()
        if self._thread.is_alive():
            self._thread.join(SHUTDOWN_TIMEOUT_SECONDS)
        self._socket.close()

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
