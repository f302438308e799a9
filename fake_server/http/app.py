"""Assemble the ASGI app: provider routes per dialect, the admin API, error handling."""

from __future__ import annotations

import logging

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Router

from fake_server.contract.checker import Contract
from fake_server.contract.dialects import DIALECTS
from fake_server.contract.operations import OPERATION_IDS
from fake_server.domain.errors import FakeServerError
from fake_server.http import admin
from fake_server.http.errors import ApiError, to_api_error, unknown_route, wrong_method
from fake_server.http.handlers import batches, files, vector_stores
from fake_server.http.responder import send_error
from fake_server.http.routing import ConnectionDroppedOnPurpose, provider_routes
from fake_server.http.sessions import DEFAULT_MAX_SESSIONS, Sessions
from fake_server.scenario.parsing import Scenario, default_scenario

logger = logging.getLogger("fake_server")

PROVIDER_OPERATIONS = [*batches.OPERATIONS, *vector_stores.OPERATIONS, *files.OPERATIONS]
assert {op.operation_id for op in PROVIDER_OPERATIONS} == set(OPERATION_IDS)


def create_app(
    scenario: Scenario | None = None,
    *,
    strict: bool = True,
    contract: Contract | None = None,
    journal_max_entries: int | None = None,
    max_sessions: int = DEFAULT_MAX_SESSIONS,
    admin_token: str | None = None,
) -> Starlette:
    """A fake server app; ``strict`` turns contract violations into 500s.

    With ``admin_token``, the control plane (all of ``/__fake__`` but health)
    answers only requests that carry ``Authorization: Bearer <admin_token>``.
    """
    _silence_dropped_connections()
    # Routes are matched in order: the provider operations come first, the
    # file batch ones (the hot path) at the head of each dialect.
    routes: list[BaseRoute] = []
    for dialect in DIALECTS:
        routes.extend(provider_routes(dialect, PROVIDER_OPERATIONS))
    routes.extend(admin.ROUTES)
    app = Starlette(
        routes=routes,
        exception_handlers={HTTPException: _http_error, Exception: _crash},
    )
    # A trailing slash is a different URL for the real API: answer 404, not a redirect.
    assert isinstance(app.router, Router)
    app.router.redirect_slashes = False
    app.state.admin_token = admin_token or None
    app.state.openapi_documents = {}  # built on first request, per dialect
    app.state.fake_server = Sessions(
        scenario or default_scenario(),
        contract or Contract.load(),
        strict=strict,
        journal_max_entries=journal_max_entries,
        max_sessions=max_sessions,
    )
    return app


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    error = _routing_error(request, exc.status_code)
    return send_error(request, error)


def _routing_error(request: Request, status: int) -> ApiError:
    if status == 405:
        return wrong_method(request.method, request.url.path)
    if status == 404:
        return unknown_route(request.method, request.url.path)
    return ApiError(status, f"The request could not be handled (HTTP {status}).")


async def _crash(request: Request, exc: Exception) -> Response:
    if isinstance(exc, ConnectionDroppedOnPurpose):
        # The status line is out already: nothing more is sent or recorded.
        return Response(status_code=500)
    if not isinstance(exc, FakeServerError):
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
    return send_error(request, to_api_error(exc))


class _DroppedOnPurpose(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, ConnectionDroppedOnPurpose)


def _silence_dropped_connections() -> None:
    """A scripted connection drop is not an error worth a traceback in the log."""
    server_log = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _DroppedOnPurpose) for f in server_log.filters):
        server_log.addFilter(_DroppedOnPurpose())
