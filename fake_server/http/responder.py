"""The last step of every response: check it against the contract, record it, send it.

Success bodies and error envelopes alike pass through ``respond``; nothing
else in fake_server builds a JSON response. Everything it needs (session,
dialect, operation, stopwatch) comes from the request's ``Call``.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.requests import ClientDisconnect
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from fake_server.contract.checker import Contract, Violation
from fake_server.domain.clock import wall_time
from fake_server.domain.ids import new_request_id
from fake_server.http import access_log
from fake_server.http.context import Call, Document
from fake_server.http.drops import DroppedConnection
from fake_server.http.errors import ApiError, Refused, internal_error, known_error, to_api_error
from fake_server.http.provider.render import (
    BinaryBody,
    EncodedBody,
    EncodedList,
    FinishedPage,
    NotJsonError,
    encode,
)
from fake_server.http.sessions import journal

logger = logging.getLogger("fake_server")


def respond(
    call: Call, status: int, body: Any, headers: dict[str, str] | None = None
) -> Response:
    session = call.session
    # A request refused before its session was known is checked against the
    # contract all the same; the default session's contract is the server's.
    contract = (session or call.server.sessions.default).contract
    schema_set = call.dialect.schema_set
    operation = call.operation
    if isinstance(body, FinishedPage):
        violation = _check_page(contract, schema_set, operation, status, body)
    elif isinstance(body, BinaryBody):
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
        logger.error("%s %s: %s", call.method, call.path, violation)
        recorder = session or call.server.sessions.default
        recorder.record(violation)
        if recorder.strict:
            status, body = _violation_response(violation)
            headers = None
    try:
        response = _json_response(call, status, body, headers)
    except NotJsonError as error:
        status, body = _not_json(call, status, error)
        headers = None
        response = _json_response(call, status, body, headers)
    _journal(call, status)
    _observe(call, status, headers, response.request_id)
    _log(call, status, response)
    return response


def _check_page(
    contract: Contract, schema_set: str, operation: str | None, status: int, body: FinishedPage
) -> Violation | None:
    """A finished page is checked once per contract, schema set, operation and status:
    it is sent again only as the very same bytes."""
    stamp = (contract, schema_set, operation, status)
    if stamp in body.checked:
        return None
    page = body.page
    violation = contract.check_list(schema_set, operation, status, page.envelope(), page.items)
    if violation is None:
        body.checked.add(stamp)
    return violation


def respond_document(call: Call, document: Document) -> Response:
    """A non-JSON answer: its media type checked against the contract, then logged."""
    session = call.session or call.server.sessions.default
    violation = session.contract.check_document(
        call.dialect.schema_set, call.operation, document.status, document.media_type
    )
    if violation is not None:
        logger.error("%s %s: %s", call.request.method, call.request.scope["path"], violation)
        session.record(violation)
        if session.strict:
            status, body = _violation_response(violation)
            return respond(call, status, body)
    _journal(call, document.status)
    headers = {"content-type": document.media_type, **(document.headers or {})}
    response = _answer(call, document.status, document.body, headers)
    _log(call, document.status, response)
    return response


def respond_error(call: Call, error: Exception) -> Response:
    """The answer to an exception; a bug (an unknown kind) is logged with its traceback."""
    if isinstance(error, NotJsonError):  # a handler's own encoding found it
        return respond(call, *_not_json(call, 200, error))
    api_error = known_error(error)
    if api_error is None:
        logger.error(
            "unhandled error on %s %s",
            call.method,
            call.path,
            exc_info=error,
        )
        api_error = to_api_error(error)
    headers = error.headers if isinstance(error, Refused) else api_error.headers
    call.client_gone = isinstance(error, ClientDisconnect)
    return respond_api_error(call, api_error, headers)


def respond_api_error(
    call: Call, error: ApiError, headers: dict[str, str] | None = None
) -> Response:
    return respond(call, error.status, error.envelope(), headers)


def respond_dropped(call: Call, mode: str) -> Response:
    """A scripted connection drop (``drops`` says how): journaled and logged with no status."""
    _journal(call, None)
    _observe(call, None, None, None)
    _log(call, None, None)
    return DroppedConnection(mode)


def _observe(
    call: Call, status: int | None, headers: dict[str, str] | None, request_id: str | None
) -> None:
    """What the client report needs of a provider request (``fake_server.http.sessions.report``)."""
    session, route = call.session, call.route
    if session is None or route is None or route.dialect is None:
        return
    answered = wall_time()
    sent = call.headers
    session.client_log.saw(
        (
            request_id,
            route.operation_id,
            call.match.path_params,
            status,
            answered - call.elapsed(),
            answered,
            session.clock.now(),
            headers,
            sent.get(b"x-stainless-retry-count"),
            b"idempotency-key" in sent,
            call.in_progress,
            call.client_gone,
        )
    )


def _log(call: Call, status: int | None, response: JsonAnswer | None) -> None:
    writer = access_log.writer
    if writer is None and not access_log.enabled():
        return
    ms = round(call.elapsed() * 1000, 2)
    request_id = None if response is None else response.request_id
    method, path = access_log.cut(call.method), access_log.cut(call.path)
    # A session name is refused past 64 characters, but the refusal is logged too.
    session = None if call.session_name is None else access_log.cut(call.session_name)
    if writer is not None:
        writer.write(method, path, status, call.operation, ms, request_id, session)
        return
    access_log.log_request(
        {
            "method": method,
            "path": path,
            "status": status,
            "operation": call.operation,
            "ms": ms,
            "request_id": request_id,
            "session": session,
        }
    )


def _journal(call: Call, status: int | None) -> None:
    session = call.session
    if session is None or not call.journaled:
        return
    session.journal.record(
        journal.entry(
            call.method,
            call.path,
            call.request.scope["query_string"],
            call.operation,
            status,
            session.clock.now(),
            call.headers,
        )
    )


def _not_json(call: Call, status: int, error: NotJsonError) -> tuple[int, dict[str, Any]]:
    """A body that cannot be JSON, recorded as a contract violation and answered as
    one, strict or not: there is no such body to send instead."""
    violation = Violation(
        call.dialect.schema_set,
        call.operation,
        status,
        error.path,
        "finite numbers",
        f"{error.value} is not a JSON number",
    )
    logger.error("%s %s: %s", call.method, call.path, violation)
    (call.session or call.server.sessions.default).record(violation)
    return _violation_response(violation)


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

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        await send({"type": "http.response.body", "body": self.body})


def _json_response(
    call: Call, status: int, body: Any, headers: dict[str, str] | None
) -> JsonAnswer:
    content_type = b"application/json"
    if isinstance(body, FinishedPage):
        content = body.data
    elif isinstance(body, BinaryBody):
        content, content_type = body.data, body.content_type.encode("latin-1")
    elif isinstance(body, EncodedBody):
        content = body.data
    elif isinstance(body, EncodedList):
        content = body.to_json()
    else:
        content = encode(body)
    return _answer(call, status, content, headers, content_type)


def _answer(
    call: Call,
    status: int,
    content: bytes,
    headers: dict[str, str] | None,
    media_type: bytes | None = None,
) -> JsonAnswer:
    """The response with the headers every answer carries; ``headers`` may set the type."""
    milliseconds = round(call.elapsed() * 1000)
    request_id = new_request_id()
    raw = [(b"content-length", b"%d" % len(content))]
    if media_type is not None:
        raw.append((b"content-type", media_type))
    raw += [
        (b"x-request-id", request_id.encode("latin-1")),
        (b"openai-processing-ms", b"%d" % milliseconds),
    ]
    if headers:
        raw += [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in headers.items()
        ]
    return JsonAnswer(content, status, raw, request_id)
