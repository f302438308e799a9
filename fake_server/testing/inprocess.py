"""Serve HTTP clients without a socket: the ASGI app is called in the caller's thread.

``InProcessTransport`` plugs into a synchronous ``httpx.Client`` (the MKA1
SDK) or ``httpx2.Client`` (what the ``openai`` SDK 3.x builds on): each
request runs the app to completion on an event loop owned by the calling
thread. No thread hop, no socket, the same state model and contract checks
as the real server.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import ModuleType, TracebackType
from typing import Any

import httpx
from starlette.types import ASGIApp, Message

from fake_server.http.drops import ConnectionDroppedOnPurpose


@dataclass
class _Exchange:
    status: int = 500
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: list[bytes] = field(default_factory=list)
    started: bool = False
    complete: bool = False


class InProcessTransport:
    """A sync transport for ``httpx``-style clients (``http`` is the client's module)."""

    def __init__(self, app: ASGIApp, http: ModuleType = httpx) -> None:
        self._app = app
        self._http = http
        self._threads = threading.local()

    def handle_request(self, request: Any) -> Any:
        body = request.read()
        url = request.url
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": request.method,
            "scheme": url.scheme,
            "path": url.path,
            "raw_path": url.raw_path.split(b"?", 1)[0],
            "query_string": url.query,
            "root_path": "",
            "headers": [(name.lower(), value) for name, value in request.headers.raw],
            "server": (url.host, url.port or 80),
            "client": ("127.0.0.1", 0),
        }
        exchange = self._loop().run_until_complete(self._call(scope, body))
        # A dropped connection looks as it does on a socket (see http.drops):
        # before the status line the connection is reset; after it, the body
        # ends short.
        if not exchange.started:
            raise self._http.ReadError("[Errno 104] Connection reset by peer", request=request)
        received = b"".join(exchange.body)
        content = received if exchange.complete else self._cut_short(received, request)
        return self._http.Response(
            exchange.status, headers=exchange.headers, content=content, request=request
        )

    def _cut_short(self, received: bytes, request: Any) -> Iterator[bytes]:
        yield received
        raise self._http.RemoteProtocolError(
            "peer closed connection without sending complete message body", request=request
        )

    async def _call(self, scope: dict[str, Any], body: bytes) -> _Exchange:
        exchange = _Exchange()
        pending = [{"type": "http.request", "body": body, "more_body": False}]

        async def receive() -> Message:
            return pending.pop() if pending else {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            if message["type"] == "http.response.start":
                exchange.started = True
                exchange.status = message["status"]
                exchange.headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                exchange.body.append(message.get("body", b""))
                exchange.complete = not message.get("more_body", False)

        try:
            await self._app(scope, receive, send)
        except ConnectionDroppedOnPurpose:
            exchange.complete = False
        except Exception:
            # The app already answered with a 500 envelope before re-raising
            # (Starlette's error middleware); the client sees that answer.
            if not exchange.complete:
                raise
        return exchange

    def _loop(self) -> asyncio.AbstractEventLoop:
        loop: asyncio.AbstractEventLoop | None = getattr(self._threads, "loop", None)
        if loop is None or loop.is_closed():
            loop = asyncio.new_event_loop()
            self._threads.loop = loop
        return loop

    def close(self) -> None:
        loop: asyncio.AbstractEventLoop | None = getattr(self._threads, "loop", None)
        if loop is not None and not loop.is_closed():
            loop.close()

    def __enter__(self) -> InProcessTransport:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
