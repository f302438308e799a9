"""The last step of every response: check it against the contract, record it, send it.

Success bodies and error envelopes alike pass through ``respond``; nothing
else in fake_server builds a JSON response. Everything it needs (session,
dialect, operation, stopwatch) comes from the request's ``Call``.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.responses import Response

from fake_server.contract.checker import Violation
from fake_server.domain.ids import new_request_id
from fake_server.http import access_log, journal
from fake_server.http.context import Call
from fake_server.http.drops import DroppedConnection
from fake_server.http.errors import ApiError, Refused, internal_error, known_error, to_api_error
from fake_server.http.headers import raw_headers
from fake_server.http.render import BinaryBody, EncodedBody, EncodedList, encode

logger = logging.getLogger("fake_server")


def respond(
    call: Call, status: int, body: Any, headers: dict[str, str] | None = None
) -> Response:
    session = call.session
    # A request refused before its session was known is checked against the
    # contract all the same; the default session's contract is the server's.
    contract = (session or call.app.sessions.default).contract
    schema_set = call.dialect.schema_set
    operation = call.operation
    if isinstance(body, BinaryBody):
        # A file's own bytes: the contract says only "a binary string".
        violation = None
    elif isinstance(body, EncodedList):
        violation = contract.check_list(
            schema_set, operation, status, body.envelope(), body.items
        )
    elif isinstance(body, EncodedBody):
        violation = contract.check_encoded(schema_set, operation, status, body.data, body.value)
    else:
        violation = contract.check(schema_set, operation, status, body)
    if violation is not None:
        logger.error("%s %s: %s", call.request.method, call.request.scope["path"], violation)
        recorder = session or call.app.sessions.default
        recorder.record(violation)
        if recorder.strict:
            status, body = _violation_response(violation)
            headers = None
    _journal(call, status)
    response = _json_response(call, status, body, headers)
    _log(call, status, response)
    return response


def respond_error(call: Call, error: Exception) -> Response:
    """The answer to an exception; a bug (an unknown kind) is logged with its traceback."""
    api_error = known_error(error)
    if api_error is None:
        logger.error(
            "unhandled error on %s %s",
            call.request.method,
            call.request.scope["path"],
            exc_info=error,
        )
        api_error = to_api_error(error)
    headers = error.headers if isinstance(error, Refused) else None
    return respond_api_error(call, api_error, headers)


def respond_api_error(
    call: Call, error: ApiError, headers: dict[str, str] | None = None
) -> Response:
    return respond(call, error.status, error.envelope(), headers)


def respond_dropped(call: Call) -> Response:
    """A scripted connection drop: journaled and logged with no status."""
    _journal(call, None)
    _log(call, None, None)
    return DroppedConnection()


def _log(call: Call, status: int | None, response: JsonAnswer | None) -> None:
    if not access_log.enabled():
        return
    request = call.request
    access_log.log_request(
        {
            "method": request.method,
            "path": request.scope["path"],
            "status": status,
            "operation": call.operation,
            "ms": round(call.elapsed() * 1000, 2),
            "request_id": None if response is None else response.request_id,
            "session": call.session_name,
        }
    )


def _journal(call: Call, status: int | None) -> None:
    session = call.session
    if session is None or not call.journaled:
        return
    request = call.request
    scope = request.scope
    session.journal.record(
        journal.entry(
            request.method,
            scope["path"],
            scope["query_string"],
            call.operation,
            status,
            session.clock.now(),
            raw_headers(request),
        )
    )


def _violation_response(violation: Violation) -> tuple[int, dict[str, Any]]:
    error = internal_error(f"fake_server {violation}", code="contract_violation")
    return error.status, error.envelope()


class JsonAnswer(Response):
    """A finished JSON response: body and raw headers are built once, directly.

    Starlette's constructor normalises headers given as a mapping, which costs
    more than the rest of a small response; this one takes them ready-made.
    """

    def __init__(
        self, body: bytes, status: int, raw_headers: list[tuple[bytes, bytes]], request_id: str
    ) -> None:
        self.status_code = status
        self.body = body
        self.background = None
        self.raw_headers = raw_headers
        self.request_id = request_id


def _json_response(
    call: Call, status: int, body: Any, headers: dict[str, str] | None
) -> JsonAnswer:
    milliseconds = round(call.elapsed() * 1000)
    content_type = b"application/json"
    if isinstance(body, BinaryBody):
        content, content_type = body.data, body.content_type.encode("latin-1")
    elif isinstance(body, EncodedBody):
        content = body.data
    elif isinstance(body, EncodedList):
        content = body.to_json()
    else:
        content = encode(body)
    request_id = new_request_id()
    raw = [
        (b"content-length", str(len(content)).encode("latin-1")),
        (b"content-type", content_type),
        (b"x-request-id", request_id.encode("latin-1")),
        (b"openai-processing-ms", str(milliseconds).encode("latin-1")),
    ]
    if headers:
        raw += [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in headers.items()
        ]
    return JsonAnswer(content, status, raw, request_id)

