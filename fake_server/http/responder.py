"""The last step of every response: check it against the contract, record it, send it.

Success bodies and error envelopes alike pass through ``respond``; nothing
else in fake_server builds a JSON response. Everything it needs (session,
dialect, operation, stopwatch) comes from the request's ``Call``. Each
request is recorded once (``fake_server.http.record``), and that one record
goes to the journal, the client report and the log line.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, NamedTuple

from starlette.requests import ClientDisconnect
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from fake_server.contract.checker import Contract, Violation
from fake_server.domain.clock import wall_time
from fake_server.domain.ids import new_request_id
from fake_server.http import access_log, drops, record
from fake_server.http.context import Call, Document, EventStream
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

logger = logging.getLogger("fake_server")


def respond(call: Call, status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
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
        violation = contract.check_list(schema_set, operation, status, body.envelope(), body.items)
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
    _record(call, status, response.request_id, headers, response.body)
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
    headers = {"content-type": document.media_type, **(document.headers or {})}
    response = _answer(call, document.status, document.body, headers)
    _record(call, document.status, response.request_id, headers, response.body)
    return response


def respond_stream(call: Call, stream: EventStream, *, cut: bool = False) -> Response:
    """Server-sent events, each checked against the operation's event schema first:
    in strict mode a wrong one turns the whole answer into the violation's 500.
    ``cut``: a scripted drop, after half of the events (recorded as a drop)."""
    session = call.session or call.server.sessions.default
    for event in stream.events:
        violation = session.contract.check_event(call.dialect.schema_set, call.operation, event)
        if violation is not None:
            logger.error("%s %s: %s", call.method, call.path, violation)
            session.record(violation)
            if session.strict:
                return respond(call, *_violation_response(violation))
            break
    request_id = new_request_id()
    raw = [
        (b"content-type", b"text/event-stream; charset=utf-8"),
        (b"cache-control", b"no-cache"),
        (b"x-request-id", request_id.encode("latin-1")),
        (b"openai-processing-ms", b"%d" % round(call.elapsed() * 1000)),
    ]
    chunks = [
        (
            event["type"] == DELTA,
            b"event: %s\ndata: %s\n\n" % (event["type"].encode(), encode(event)),
        )
        for event in stream.events
    ]
    pacing = Pacing(call.delta_gap, call.server.shutdown.sleep)
    if cut:
        _record(call, None, None, None)
        return EventAnswer(chunks[: len(chunks) // 2], raw, request_id, pacing, cut=True)
    _record(call, 200, request_id, None)
    return EventAnswer(chunks, raw, request_id, pacing)


DELTA = "response.output_text.delta"


class Pacing(NamedTuple):
    """Seconds to wait before each text delta (a latency fault), and how to wait."""

    gap: float
    sleep: Callable[[float], Awaitable[bool]]


class EventAnswer(Response):
    """A stream of server-sent events: the head, then one body message per event."""

    def __init__(
        self,
        chunks: list[tuple[bool, bytes]],
        raw_headers: list[tuple[bytes, bytes]],
        request_id: str,
        pacing: Pacing,
        *,
        cut: bool = False,
    ) -> None:
        self.status_code = 200
        self.chunks = chunks
        self.pacing = pacing
        self.cut = cut
        self.background = None
        self.raw_headers = raw_headers
        self.request_id = request_id

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
        gap = self.pacing.gap
        for is_delta, chunk in self.chunks:
            if is_delta and gap > 0:
                await self.pacing.sleep(gap)
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        if self.cut:
            drops.cut_after_sent(send)
            return
        await send({"type": "http.response.body", "body": b""})


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
    """A scripted connection drop (``drops`` says how): recorded with no status."""
    _record(call, None, None, None)
    return DroppedConnection(mode)


def _record(
    call: Call,
    status: int | None,
    request_id: str | None,
    headers: dict[str, str] | None,
    body: bytes | None = None,
) -> None:
    """The one record of the request (``fake_server.http.record``), for whoever reads it:
    the session's journal (provider paths), its client log (provider operations), the log."""
    session, route = call.session, call.route
    journaled = session is not None and call.journaled
    observed = session is not None and route is not None and route.dialect is not None
    logged = access_log.writer is not None or access_log.tally is not None or access_log.enabled()
    if not (journaled or observed or logged):
        return  # the control plane's requests, with the log off: nobody reads a record
    took = call.elapsed()
    recorded = record.record(
        call.method,
        call.path,
        call.request.scope["query_string"],
        call.operation,
        status,
        request_id,
        call.session_name,
        call.headers,
        call.match.path_params,
        0.0 if session is None else session.clock.now(),
        wall_time(),
        took,
        headers,
        call.in_progress,
        call.client_gone,
        call.fault,
        call.body,  # references only: the inspector cuts and redacts them when read
        body,
    )
    if session is not None:
        if journaled:
            session.journal.record(recorded)
        if observed:
            session.client_log.saw(recorded)
    if logged:
        access_log.write(recorded)


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

    body: bytes  # always bytes here (Starlette's Response allows a memoryview)

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
