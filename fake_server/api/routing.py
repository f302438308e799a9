"""Provider routes: one operation, under one dialect's prefix, behind bearer auth."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fake_server.api.responder import send, send_error, server_state, start_timing
from fake_server.dialects import Dialect
from fake_server.errors import FakeServerError, to_api_error, unauthenticated
from fake_server.state import ServerState


@dataclass(frozen=True, slots=True)
class Call:
    """What a handler gets: the request, the dialect it came in on, the state."""

    request: Request
    dialect: Dialect
    state: ServerState

    def path_param(self, name: str) -> str:
        value: str = self.request.path_params[name]
        return value


Handler = Callable[[Call], Any]


@dataclass(frozen=True, slots=True)
class Operation:
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


def _endpoint(dialect: Dialect, operation: Operation) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        start_timing(request)
        if not has_bearer_token(request):
            return send_error(request, unauthenticated(), operation.operation_id)
        try:
            body = operation.handler(Call(request, dialect, server_state(request)))
        except FakeServerError as error:
            return send_error(request, to_api_error(error), operation.operation_id)
        return send(request, operation.operation_id, 200, body, dialect=dialect)

    return endpoint


def has_bearer_token(request: Request) -> bool:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and bool(token.strip())
