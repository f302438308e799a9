"""The answer to a request uvicorn's HTTP parser cannot read: the provider's error
envelope, as every other refusal, not uvicorn's plain-text 400.

httptools refuses what it cannot parse (an unknown or lower-case method, a
byte above 0x7f in the path, broken chunked framing, a Content-Length twice)
and h11 refuses its own set; either way uvicorn calls ``send_400_response``
and closes the connection. ``methods_for`` gives fake_server's protocols that
method, and lets a request read before the unreadable one on the same
connection (pipelining) be answered first: uvicorn's own 400 closed the
connection under it, losing its answer though not its effect.
"""

from __future__ import annotations

import json
from typing import Any

from fake_server.domain.ids import new_request_id
from fake_server.http.errors import unparsable_request

_ERROR = unparsable_request()
_BODY = json.dumps(_ERROR.envelope()).encode()
_HEAD_END = (
    b"openai-processing-ms: 0\r\n"
    b"content-type: application/json\r\n"
    b"content-length: " + str(len(_BODY)).encode() + b"\r\n"
    b"connection: close\r\n\r\n"
)


def methods_for(protocol_class: type[Any]) -> dict[str, Any]:
    """``send_400_response`` and ``on_response_complete`` for a subclass of
    ``protocol_class`` (uvicorn's httptools or h11 protocol)."""

    def send_400_response(self: Any, msg: str) -> None:
        del msg  # uvicorn's wording; the envelope says the same in the provider's form
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete and not cycle.more_body:
            # An earlier request of this connection, read whole, is still being
            # answered. (A request whose own body is broken is answered now: it
            # waits for a body that will never come.)
            self.fake_server_unparsable = True
            return
        _answer(self)

    def on_response_complete(self: Any) -> None:
        protocol_class.on_response_complete(self)
        if (
            getattr(self, "fake_server_unparsable", False)
            and not getattr(self, "pipeline", None)
            and self.cycle.response_complete
            and not self.transport.is_closing()
        ):
            _answer(self)

    return {"send_400_response": send_400_response, "on_response_complete": on_response_complete}


def _answer(self: Any) -> None:
    """The envelope, in one write, then the connection closes (as uvicorn's own)."""
    head = [b"HTTP/1.1 400 Bad Request\r\n"]
    for name, value in self.server_state.default_headers:
        head.extend((name, b": ", value, b"\r\n"))
    # As every answer: an id to quote, though no journal holds this request.
    head.extend((b"x-request-id: ", new_request_id().encode(), b"\r\n"))
    self.transport.write(b"".join((*head, _HEAD_END, _BODY)))
    self.transport.close()
