"""Run the app under uvicorn on a loopback port, in a background thread.

For fixtures and tests: ``start`` returns once the server accepts connections,
``stop`` asks it to finish in-flight requests and joins the thread.
"""

from __future__ import annotations

import socket
import threading
from types import TracebackType

import uvicorn
from starlette.types import ASGIApp

STARTUP_TIMEOUT_SECONDS = 10.0
SHUTDOWN_TIMEOUT_SECONDS = 5.0


def bind_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # The protocol must be named: asyncio only sets TCP_NODELAY on sockets whose
    # proto is IPPROTO_TCP, and without it every response waits ~40 ms for the
    # client's delayed ACK (Nagle).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def base_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class ServerThread:
    def __init__(self, app: ASGIApp, host: str = "127.0.0.1", port: int = 0) -> None:
        self._socket = bind_socket(host, port)
        self.url = base_url(self._socket)
        config = uvicorn.Config(
            app, lifespan="off", log_level="warning", access_log=False, server_header=False
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [self._socket]},
            daemon=True,
            name=f"fake_server {self.url}",
        )

    def start(self) -> ServerThread:
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
        return self

    def stop(self) -> None:
        self._server.should_exit = True
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
