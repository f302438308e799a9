"""Scripted connection drops: the one module that knows how a connection is cut on purpose.

Two ways, named by the fault rule's ``drop_connection``:

- ``true`` (``BEFORE_STATUS``): the connection closes before any byte of the
  answer, not even a status line. Every HTTP client sees a connection error
  and every SDK that retries connection errors retries it.
- ``mid_body`` (``MID_BODY``): the status line (200) and headers go out,
  promising a body, then the connection closes after its first byte. A client
  that has already accepted the status may not treat this as retryable. An
  operation that streams (the table's ``streams``) is answered, and its
  stream of events cut after half of them (``cut_after_sent``).

ASGI has no message for "close the connection": under uvicorn the app's
``send`` is a method of the connection's request cycle, which holds the
transport; the drop closes that transport and marks the cycle disconnected,
so uvicorn neither answers a 500 nor logs an error (h11 and httptools alike).
Anywhere else (the in-process transport, another server) the drop raises
``ConnectionDroppedOnPurpose`` and the server decides what a client sees; the
in-process transport maps it to the client's own connection errors.
"""

from __future__ import annotations

import socket
import struct
from typing import Any, Final

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

BEFORE_STATUS: Final = "before_status"
MID_BODY: Final = "mid_body"
# What the start of a cut answer looks like: a JSON object, never finished.
_PROMISED_BODY_BYTES = 2
_SENT_BODY = b"{"
_LINGER_ZERO = struct.pack("ii", 1, 0)  # struct linger {l_onoff = 1, l_linger = 0}


class ConnectionDroppedOnPurpose(Exception):  # noqa: N818 -- it is not an error
    """Raised to make a server without a reachable transport cut the exchange."""


def mode_of(drop_connection: bool | str) -> str | None:
    """The drop a fault rule's ``drop_connection`` value asks for, or None."""
    if drop_connection is True:
        return BEFORE_STATUS
    if drop_connection == MID_BODY:
        return MID_BODY
    return None


class DroppedConnection(Response):
    """A response that ends the exchange without a complete answer."""

    def __init__(self, mode: str = BEFORE_STATUS) -> None:
        # Nothing of Starlette's constructor applies: no status, no body.
        self.mode = mode
        self.background = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.mode == MID_BODY:
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(_PROMISED_BODY_BYTES).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": _SENT_BODY, "more_body": True})
        if not _close_uvicorn_connection(send, reset=self.mode == BEFORE_STATUS):
            raise ConnectionDroppedOnPurpose


def cut_after_sent(send: Send) -> None:
    """End the exchange now, what was sent kept (a stream cut mid-body, with FIN)."""
    if not _close_uvicorn_connection(send, reset=False):
        raise ConnectionDroppedOnPurpose


def _close_uvicorn_connection(send: Send, *, reset: bool) -> bool:
    """Close the connection ``send`` writes to, if uvicorn's; False if it is not reachable.

    ``reset``: linger 0, so the close resets the connection (RST) at once
    instead of ending it (FIN). Every client reads a reset as a failed
    connection; an end before any answer is, to some (httpx), a protocol
    error that not every SDK retries. Bytes already written would be lost,
    so an answer cut mid-body ends with FIN.
    """
    cycle: Any = getattr(send, "__self__", None)
    transport: Any = getattr(cycle, "transport", None)
    if transport is None or not hasattr(cycle, "disconnected"):
        return False
    if not transport.is_closing():
        sock = transport.get_extra_info("socket")
        if reset and sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_ZERO)
        transport.close()
    # What uvicorn's connection_lost will also say, once the loop gets to it:
    # the cycle then neither sends its "no response" 500 nor logs an error.
    cycle.disconnected = True
    return True
