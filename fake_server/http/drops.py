"""Scripted connection drops: the one module that knows how a connection is cut on purpose.

ASGI has no way to close a connection before the status line, so the status
line goes out and the exchange then ends with an exception before any body:
the client sees the peer close mid-response. The servers (uvicorn, the
in-process transport) see that exception; this module keeps it out of the
error log, and tells the in-process transport what it means.
"""

from __future__ import annotations

import logging

from starlette.responses import Response
from starlette.types import Receive, Scope, Send


class ConnectionDroppedOnPurpose(Exception):  # noqa: N818 -- it is not an error
    """Raised to make the server cut the connection; logged by nobody."""


class DroppedConnection(Response):
    """Ends the exchange without a complete answer (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__(status_code=200, headers={"content-length": "1"})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
        raise ConnectionDroppedOnPurpose


class _DroppedOnPurpose(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, ConnectionDroppedOnPurpose)


def silence_in_server_log() -> None:
    """A scripted drop is not an error worth a traceback in uvicorn's log."""
    server_log = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _DroppedOnPurpose) for f in server_log.filters):
        server_log.addFilter(_DroppedOnPurpose())
