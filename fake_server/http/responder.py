"""The last step of every response: check it against the contract, record it, send it.

Success bodies and error envelopes alike pass through ``send``; nothing else
in fake_server builds a JSON response.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from fake_server.contract.checker import Violation
from fake_server.contract.dialects import Dialect, dialect_for_path
from fake_server.domain.clock import stopwatch
from fake_server.domain.ids import new_request_id
from fake_server.http import access_log
from fake_server.http.admin_paths import is_admin_path
from fake_server.http.errors import ApiError, internal_error
from fake_server.http.headers import header, raw_headers
from fake_server.http.render import EncodedBody, EncodedList, encode
from fake_server.http.sessions import SESSION_HEADER, Sessions
from fake_server.http.state import ServerState

logger = logging.getLogger("fake_server")

SESSION_HEADER_BYTES = SESSION_HEADER.encode("latin-1")

STOPWATCH_KEY = "fake_server.stopwatch"
STATE_KEY = "fake_server.http.state"


def start_timing(request: Request) -> None:
    request.scope[STOPWATCH_KEY] = stopwatch()  # read by _json_response and _log


def resolve_state(request: Request) -> ServerState:
    """The caller's session (``X-Fake-Session``); a bad session name raises."""
    sessions: Sessions = request.app.state.fake_server
    state = sessions.get(header(request, SESSION_HEADER_BYTES))
    request.scope[STATE_KEY] = state
    return state


def server_state(request: Request) -> ServerState:
    """The session resolved for this request, or the default one if none could be."""
    state = request.scope.get(STATE_KEY)
    if isinstance(state, ServerState):
        return state
    sessions: Sessions = request.app.state.fake_server
    return sessions.default


def send(
    request: Request,
    operation: str | None,
    status: int,
    body: Any,
    *,
    dialect: Dialect | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    state = server_state(request)
    path: str = request.scope["path"]
    dialect = dialect or dialect_for_path(path)
    if isinstance(body, EncodedList):
        violation = state.contract.check_list(
            dialect.schema_set, operation, status, body.envelope(), body.items
        )
    elif isinstance(body, EncodedBody):
        violation = state.contract.check_encoded(
            dialect.schema_set, operation, status, body.data, body.value
        )
    else:
        violation = state.contract.check(dialect.schema_set, operation, status, body)
    if violation is not None:
        state.record(violation)
        logger.error("%s %s: %s", request.method, path, violation)
        if state.strict:
            status, body = _violation_response(violation)
            headers = None
    _journal(request, state, operation, status)
    response = _json_response(request, status, body, headers)
    _log(request, operation, status, response)
    return response


def send_error(
    request: Request,
    error: ApiError,
    operation: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    return send(request, operation, error.status, error.envelope(), headers=headers)


def record_dropped(request: Request, operation: str) -> None:
    _journal(request, server_state(request), operation, None)
    _log(request, operation, None, None)


def _log(
    request: Request, operation: str | None, status: int | None, response: JsonAnswer | None
) -> None:
    if not access_log.enabled():
        return
    request_id = None
    if response is not None:
        request_id = dict(response.raw_headers)[b"x-request-id"].decode("latin-1")
    elapsed = request.scope.get(STOPWATCH_KEY)
    access_log.log_request(
        {
            "method": request.method,
            "path": request.scope["path"],
            "status": status,
            "operation": operation,
            "ms": round(elapsed() * 1000, 2) if elapsed is not None else 0,
            "request_id": request_id,
            "session": header(request, SESSION_HEADER_BYTES),
        }
    )


def _journal(
    request: Request, state: ServerState, operation: str | None, status: int | None
) -> None:
    path: str = request.scope["path"]
    if is_admin_path(path):
        return
    state.journal.record(
        (
            request.method,
            path,
            request.scope["query_string"].decode("latin-1"),
            operation,
            status,
            state.clock.now(),
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

    def __init__(self, body: bytes, status: int, raw_headers: list[tuple[bytes, bytes]]) -> None:
        self.status_code = status
        self.body = body
        self.background = None
        self.raw_headers = raw_headers


def _json_response(
    request: Request, status: int, body: Any, headers: dict[str, str] | None
) -> JsonAnswer:
    elapsed = request.scope.get(STOPWATCH_KEY)
    milliseconds = round(elapsed() * 1000) if elapsed is not None else 0
    if isinstance(body, EncodedBody):
        content = body.data
    elif isinstance(body, EncodedList):
        content = body.to_json()
    else:
        content = encode(body)
    raw_headers = [
        (b"content-length", str(len(content)).encode("latin-1")),
        (b"content-type", b"application/json"),
        (b"x-request-id", new_request_id().encode("latin-1")),
        (b"openai-processing-ms", str(milliseconds).encode("latin-1")),
    ]
    if headers:
        raw_headers += [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in headers.items()
        ]
    return JsonAnswer(content, status, raw_headers)
