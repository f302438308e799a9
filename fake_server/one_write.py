"""One write per response: uvicorn's HTTP protocols, with the head sent with the body.

uvicorn writes a response's status line and headers when the app sends
``http.response.start``, and its body when the app sends
``http.response.body``: two writes, so two TCP segments, and a client that
has read the head must wake up a second time for the body. Measured on the
fast stack under load (``bench/``), the second write and the client's second
wake-up cost about as much as all of fake_server's own work on a cancel.

Here the connection's transport holds a response's head until the next
write, which is almost always its body, and sends both in one write. A head
with no body after it in the same event-loop turn (a HEAD request, an empty
body, an app that awaits between the two) is sent on the loop's next turn,
before it waits for the network; closing the connection sends it first.
Large bodies (a file's content) are not copied to be joined: the head goes
out first, then the body, as uvicorn sends them.

Everything else is uvicorn's: parsing, keep-alive, flow control, timeouts,
shutdown. Where uvicorn's protocol classes cannot be loaded (another
uvicorn), ``protocol_for`` answers the name uvicorn resolves itself.
"""

from __future__ import annotations

import asyncio
import importlib.util
from typing import Any

# A body up to this size is copied once to join its head: far cheaper than a
# second write. Beyond it, the copy would cost more than the write it saves.
JOIN_LIMIT_BYTES = 256 * 1024
# How every response head uvicorn writes begins (both protocols, HTTP/1.1).
_HEAD_START = b"HTTP/"


class HeadJoiningTransport:
    """A transport that sends a response's head with the write that follows it."""

    __slots__ = ("_head", "_loop", "_transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._head: bytes | None = None

    def write(self, data: bytes | bytearray | memoryview) -> None:
        head = self._head
        if head is not None:
            self._head = None
            if len(data) <= JOIN_LIMIT_BYTES:
                self._transport.write(head + data)
                return
            self._transport.write(head)
        elif data[:5] == _HEAD_START:
            self._head = bytes(data)
            self._loop.call_soon(self.flush)
            return
        self._transport.write(data)

    def writelines(self, list_of_data: Any) -> None:
        self.write(b"".join(list_of_data))

    def flush(self) -> None:
        """Send a head still held (nothing else came in its event-loop turn)."""
        head = self._head
        if head is not None:
            self._head = None
            # Closed by the peer since: the head has nobody to go to.
            if not self._transport.is_closing():
                self._transport.write(head)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def abort(self) -> None:
        # An abort drops whatever the transport still holds; the head too.
        self._head = None
        self._transport.abort()

    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def get_write_buffer_size(self) -> int:
        held = 0 if self._head is None else len(self._head)
        return self._transport.get_write_buffer_size() + held

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self._transport.get_extra_info(name, default)

    def pause_reading(self) -> None:
        self._transport.pause_reading()

    def resume_reading(self) -> None:
        self._transport.resume_reading()

    def __getattr__(self, name: str) -> Any:
        # The rest of the transport interface (set_protocol, is_reading, ...),
        # used rarely or never by uvicorn's HTTP protocols.
        return getattr(self._transport, name)


def _joining(protocol_class: type[Any]) -> type[asyncio.Protocol]:
    """``protocol_class`` whose connections write through a HeadJoiningTransport."""

    def connection_made(self: Any, transport: asyncio.Transport) -> None:
        joined = HeadJoiningTransport(transport, asyncio.get_running_loop())
        protocol_class.connection_made(self, joined)

    name = f"HeadJoining{protocol_class.__name__}"
    return type(name, (protocol_class,), {"connection_made": connection_made})


def protocol_for(http: str) -> type[asyncio.Protocol] | str:
    """uvicorn's ``http`` setting for ``http`` (auto, httptools or h11).

    The class uvicorn would pick, writing each response once; or ``http``
    itself where that class is not there to extend.
    """
    chosen = http
    if http == "auto":
        chosen = "httptools" if importlib.util.find_spec("httptools") else "h11"
    try:
        if chosen == "httptools":
            from uvicorn.protocols.http.httptools_impl import (  # noqa: PLC0415
                HttpToolsProtocol,
            )

            return _joining(HttpToolsProtocol)
        if chosen == "h11":
            from uvicorn.protocols.http.h11_impl import H11Protocol  # noqa: PLC0415

            return _joining(H11Protocol)
    except ImportError:
        pass
    return http
