"""Provider routes: one operation, under one dialect's prefix, behind bearer auth.

The endpoint wrapper is the only place that knows the order of things: start
the stopwatch, check credentials, apply a scripted fault, call the handler,
send the reply through the contract check.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable
from typing import Any, NamedTuple

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from fake_server.contract.dialects import Dialect
from fake_server.domain.errors import FakeServerError
from fake_server.http.errors import invalid_api_key, scripted_error, to_api_error, unauthenticated
from fake_server.http.headers import header
from fake_server.http.responder import (
    record_dropped,
    resolve_state,
    send,
    send_error,
    start_timing,
)
from fake_server.http.state import ServerState
from fake_server.scenario.faults import FaultAction


class Call(NamedTuple):
    """What a handler gets: the request, the dialect it came in on, the state."""

    request: Request
    dialect: Dialect
    state: ServerState

    def path_param(self, name: str) -> str:
        value: str = self.request.path_params[name]
        return value

    @property
    def actor(self) -> str | None:
        """The end user the request acts for (``X-On-Behalf-Of``), if any."""
        return header(self.request, b"x-on-behalf-of") or None


class Reply(NamedTuple):
    """A handler's answer when it needs headers besides the body."""

    body: Any
    headers: dict[str, str] | None = None


Handler = Callable[[Call], Awaitable[Any]]


class Operation(NamedTuple):
    operation_id: str
    method: str
    path: str
    handler: Handler


def provider_routes(dialect: Dialect, operations: list[Operation]) -> list[Route]:
    return [
        Route(
            dialect.prefix + operation.path,
            _endpoint(dialect, operation),
            methods=[operation.method],
            name=f"{dialect.name}:{operation.operation_id}",
        )
        for operation in operations
    ]


def _endpoint(dialect: Dialect, operation: Operation) -> Callable[[Request], Awaitable[Response]]:
    operation_id = operation.operation_id

    async def endpoint(request: Request) -> Response:
        start_timing(request)
        token = bearer_token(request)
        if token is None:
            return send_error(request, unauthenticated(), operation_id)
        try:
            state = resolve_state(request)
            if not state.accepts(token):
                return send_error(request, invalid_api_key(token), operation_id)
            fault = state.faults.decide(operation_id)
            if fault is not None:
                faulted = await _apply(fault, request, operation_id)
                if faulted is not None:
                    return faulted
            result = await operation.handler(Call(request, dialect, state))
        except FakeServerError as error:
            return send_error(request, to_api_error(error), operation_id)
        reply = result if isinstance(result, Reply) else Reply(result)
        return send(request, operation_id, 200, reply.body, dialect=dialect, headers=reply.headers)

    return endpoint


async def _apply(fault: FaultAction, request: Request, operation_id: str) -> Response | None:
    """Latency first (wall time: it exists to exercise client timeouts), then the failure."""
    if fault.latency_seconds > 0:
        await asyncio.sleep(fault.latency_seconds)
    if fault.drop_connection:
        record_dropped(request, operation_id)
        return DroppedConnection()
    if fault.status is None:
        return None
    rule = fault.rule
    headers: dict[str, str] = {}
    if rule.retry_after_ms is not None:
        headers["retry-after-ms"] = str(rule.retry_after_ms)
        headers["retry-after"] = str(math.ceil(rule.retry_after_ms / 1000))
    error = scripted_error(fault.status, rule.message, rule.code)
    return send_error(request, error, operation_id, headers=headers)


class DroppedConnection(Response):
    """Ends the exchange without a complete answer.

    ASGI has no way to close a connection before the status line, so the
    status line goes out and the connection is then cut before any body: the
    client sees the peer close mid-response, as with a dropped connection.
    """

    def __init__(self) -> None:
        super().__init__(status_code=200, headers={"content-length": "1"})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
        raise ConnectionDroppedOnPurpose


class ConnectionDroppedOnPurpose(Exception):  # noqa: N818 -- it is not an error
    """Raised to make the server cut the connection; logged by nobody."""


def bearer_token(request: Request) -> str | None:
    """The token of ``Authorization: Bearer <token>``, or None if there is none."""
    scheme, _, token = (header(request, b"authorization") or "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None
