"""One write per response, and a turn's later answers sent together.

uvicorn writes a response's status line and headers when the app sends
``http.response.start``, and its body when the app sends
``http.response.body``: two writes, so two TCP segments, and a client that
has read the head must wake up a second time for the body. Each write that
finds its reader asleep pays for waking it; on a virtual machine, where a
wake-up on another core is an interrupt between processors, that cost
(measured with ``perf`` under ``bench/``'s load) was about as much as all of
fake_server's own work on a cancel.

So the connection's transport holds a response's head until the next
write, almost always its body, and sends both in one write. The first
answer completed in an event-loop turn leaves at once: a lone client waits
for nothing. Answers completed later in the same turn (other connections'
requests, read in the same poll) are held to the end of the turn and leave
together, so a reader woken by the first finds the rest already there
instead of being woken again for each. A head with no body after it (a
HEAD request, an empty body, an app that awaits between the two) leaves at
the end of its turn too; closing the connection sends what is held first.
Large bodies (a file's content) are not copied to be joined: what is held
goes out first, then the body.

Everything else is uvicorn's: parsing, keep-alive, flow control, timeouts,
shutdown. Where uvicorn's protocol classes cannot be loaded (another
uvicorn), ``protocol_for`` answers the name uvicorn resolves itself.
"""

from __future__ import annotations

import asyncio
import importlib.util
import threading
from typing import Any

from fake_server.serve.unparsable import methods_for

# A body up to this size is copied once to join what is held: far cheaper than
# a second write. Beyond it, the copy would cost more than the write it saves.
JOIN_LIMIT_BYTES = 256 * 1024
# How every response head uvicorn writes begins (both protocols, HTTP/1.1).
_HEAD_START = b"HTTP/"


class EventLoopTurn:
    """One event loop's current turn: whether an answer has left in it, who holds one."""

    __slots__ = ("_ending", "answered", "holding", "loop")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.answered = False
        self.holding: list[HeadJoiningTransport] = []
        self._ending = False

    def hold(self, transport: HeadJoiningTransport) -> None:
        """``transport`` holds bytes to send at the end of this turn."""
        self.holding.append(transport)
        self.end_soon()

    def end_soon(self) -> None:
        if not self._ending:
            self._ending = True
            # Runs on the loop's next turn, before it waits for the network.
            self.loop.call_soon(self.end)

    def end(self) -> None:
        self._ending = False
        self.answered = False
        holding, self.holding = self.holding, []
        for transport in holding:
            transport.flush()


_turns = threading.local()


def turn_of(loop: asyncio.AbstractEventLoop) -> EventLoopTurn:
    """The turn of ``loop``, the loop running in this thread (one at a time)."""
    turn: EventLoopTurn | None = getattr(_turns, "turn", None)
    if turn is None or turn.loop is not loop:
        turn = _turns.turn = EventLoopTurn(loop)
    return turn


class HeadJoiningTransport:
    """A transport that sends a response's head with its body, and a turn's later
    answers at the end of the turn."""

    __slots__ = ("_held", "_transport", "_turn")

    def __init__(self, transport: asyncio.Transport, turn: EventLoopTurn) -> None:
        self._transport = transport
        self._turn = turn
        self._held: bytes | None = None

    def write(self, data: bytes | bytearray | memoryview) -> None:
        held = self._held
        if len(data) > JOIN_LIMIT_BYTES:
            self.flush()
            self._transport.write(data)
        elif held is not None:
            self._held = held + data
            self._answer_now_if_first()
        elif data[:5] == _HEAD_START:
            self._held = bytes(data)
            self._turn.hold(self)
        else:
            # A body the app sent in a later turn than its head, or a chunk.
            self._held = bytes(data)
            self._turn.hold(self)
            self._answer_now_if_first()

    def _answer_now_if_first(self) -> None:
        turn = self._turn
        if not turn.answered:
            turn.answered = True
            turn.end_soon()
            self.flush()

    def writelines(self, list_of_data: Any) -> None:
        self.write(b"".join(list_of_data))

    def flush(self) -> None:
        """Send what is held now."""
        held = self._held
        if held is not None:
            self._held = None
            # Closed by the peer since: the bytes have nobody to go to.
            if not self._transport.is_closing():
                self._transport.write(held)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def abort(self) -> None:
        # An abort drops whatever the transport still holds; these bytes too.
        self._held = None
        self._transport.abort()

    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def get_write_buffer_size(self) -> int:
        held = 0 if self._held is None else len(self._held)
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
        joined = HeadJoiningTransport(transport, turn_of(asyncio.get_running_loop()))
        protocol_class.connection_made(self, joined)

    name = f"HeadJoining{protocol_class.__name__}"
    methods = {"connection_made": connection_made, **methods_for(protocol_class)}
    return type(name, (protocol_class,), methods)


def protocol_for(http: str) -> type[asyncio.Protocol] | str:
    """uvicorn's ``http`` setting for ``http`` (auto, httptools or h11).

    The class uvicorn would pick, writing each response once and answering a
    request it cannot parse in the provider's envelope (``unparsable``); or
    ``http`` itself where that class is not there to extend.
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
