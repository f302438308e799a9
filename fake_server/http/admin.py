"""The control plane under ``/__fake__``: health, reset, scenario, clock, journal, faults.

Not part of any provider's API; its responses are checked against
``schemas/admin.json`` like every other response.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fake_server.contract.dialects import DIALECTS
from fake_server.contract.openapi import openapi_document
from fake_server.domain.clock import VirtualClock
from fake_server.domain.errors import FakeServerError, InvalidRequestError, NotFoundError, quoted
from fake_server.http.admin_paths import ADMIN_PREFIX
from fake_server.http.bodies import parse_json, read_limited
from fake_server.http.errors import invalid_admin_token, to_api_error
from fake_server.http.responder import (
    resolve_state,
    send,
    send_error,
    server_state,
    start_timing,
)
from fake_server.http.routing import bearer_token
from fake_server.http.sessions import Sessions
from fake_server.scenario.parsing import MAX_DURATION_SECONDS, parse_fault, parse_scenario
from fake_server.scenario.problems import ScenarioError

MAX_SCENARIO_BYTES = 16 * 1024 * 1024
MAX_ADMIN_JSON_BYTES = 64 * 1024
MAX_ADVANCE_SECONDS = MAX_DURATION_SECONDS  # one advance; the same bound as a scenario's durations

AdminHandler = Callable[[Request], Awaitable[Any]]


# Health stays open so that `fake-server wait` and probes need no secret.
OPEN_OPERATIONS = frozenset({"fakeHealth", "fakeOpenApi"})


def _admin(operation: str, handler: AdminHandler) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        start_timing(request)
        if operation not in OPEN_OPERATIONS and not _admin_allowed(request):
            return send_error(request, invalid_admin_token(), operation)
        try:
            resolve_state(request)
            body = await handler(request)
        except FakeServerError as error:
            return send_error(request, to_api_error(error), operation)
        return send(request, operation, 200, body)

    return endpoint


def _admin_allowed(request: Request) -> bool:
    expected: str | None = request.app.state.admin_token
    if expected is None:
        return True
    given = bearer_token(request) or ""
    return hmac.compare_digest(given.encode(), expected.encode())


async def health(request: Request) -> dict[str, Any]:
    return {"status": "ok"}


async def reset(request: Request) -> dict[str, Any]:
    state = server_state(request)
    state.reset()
    return {"status": "reset", "scenario": state.scenario.source, "now": state.clock.now()}


async def load_scenario(request: Request) -> dict[str, Any]:
    raw = await read_limited(request, MAX_SCENARIO_BYTES)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidRequestError("The scenario must be UTF-8 text.") from None
    scenario = parse_scenario(text, "<PUT /__fake__/scenario>")
    state = server_state(request)
    state.load(scenario)
    return {"status": "loaded", "scenario": scenario.summary(), "now": state.clock.now()}


async def get_clock(request: Request) -> dict[str, Any]:
    clock = server_state(request).clock
    mode = "virtual" if isinstance(clock, VirtualClock) else "real"
    return {"now": clock.now(), "mode": mode}


async def advance_clock(request: Request) -> dict[str, Any]:
    body = await _json_object(request)
    seconds = body.get("seconds")
    # Finite already (parse_json); bounded so the clock always stays a sane JSON number.
    if (
        isinstance(seconds, bool)
        or not isinstance(seconds, int | float)
        or not 0 <= seconds <= MAX_ADVANCE_SECONDS
    ):
        raise InvalidRequestError(
            f"Invalid 'seconds': expected a number from 0 to {MAX_ADVANCE_SECONDS}, "
            'e.g. {"seconds": 30}.',
            "seconds",
        )
    return {"now": server_state(request).advance_clock(seconds), "mode": "virtual"}


async def list_requests(request: Request) -> dict[str, Any]:
    return {"requests": server_state(request).journal.entries()}


async def clear_requests(request: Request) -> dict[str, Any]:
    server_state(request).journal.clear()
    return {"requests": []}


async def list_faults(request: Request) -> dict[str, Any]:
    return {"faults": [rule.to_dict() for rule in server_state(request).faults.rules()]}


async def add_fault(request: Request) -> dict[str, Any]:
    body = await _json_object(request)
    try:
        rule = parse_fault(body, "<POST /__fake__/faults>")
    except ScenarioError as error:
        raise InvalidRequestError(
            f"The fault was refused:\n{error}", code="invalid_fault"
        ) from None
    faults = server_state(request).faults
    faults.add(rule)
    return {"faults": [existing.to_dict() for existing in faults.rules()]}


async def clear_faults(request: Request) -> dict[str, Any]:
    server_state(request).faults.clear()
    return {"faults": []}


async def _json_object(request: Request) -> dict[str, Any]:
    raw = await read_limited(request, MAX_ADMIN_JSON_BYTES)
    body = parse_json(raw or b"{}")
    if not isinstance(body, dict):
        raise InvalidRequestError("The request body must be a JSON object.", code="invalid_json")
    return body


async def openapi(request: Request) -> dict[str, Any]:
    name = request.path_params["dialect"]
    dialect = next((d for d in DIALECTS if d.name == name), None)
    if dialect is None:
        known = ", ".join(d.name for d in DIALECTS)
        raise NotFoundError(f"No dialect named {quoted(name)} (one of: {known}).", "dialect")
    documents: dict[str, Any] = request.app.state.openapi_documents
    if name not in documents:
        documents[name] = openapi_document(server_state(request).contract, dialect)
    document: dict[str, Any] = documents[name]
    return document


async def list_sessions(request: Request) -> dict[str, Any]:
    sessions = _sessions(request)
    return {"sessions": sessions.names(), "max_sessions": sessions.max_sessions}


async def delete_session(request: Request) -> dict[str, Any]:
    sessions = _sessions(request)
    sessions.delete(request.path_params["name"])
    return {"sessions": sessions.names(), "max_sessions": sessions.max_sessions}


def _sessions(request: Request) -> Sessions:
    sessions: Sessions = request.app.state.fake_server
    return sessions


def _route(path: str, method: str, operation: str, handler: AdminHandler) -> Route:
    return Route(ADMIN_PREFIX + path, _admin(operation, handler), methods=[method])


ROUTES = [
    _route("/health", "GET", "fakeHealth", health),
    _route("/reset", "POST", "fakeReset", reset),
    _route("/scenario", "PUT", "fakeLoadScenario", load_scenario),
    _route("/clock", "GET", "fakeGetClock", get_clock),
    _route("/clock/advance", "POST", "fakeAdvanceClock", advance_clock),
    _route("/requests", "GET", "fakeListRequests", list_requests),
    _route("/requests", "DELETE", "fakeClearRequests", clear_requests),
    _route("/faults", "GET", "fakeListFaults", list_faults),
    _route("/faults", "POST", "fakeAddFault", add_fault),
    _route("/faults", "DELETE", "fakeClearFaults", clear_faults),
    _route("/openapi/{dialect}.json", "GET", "fakeOpenApi", openapi),
    _route("/sessions", "GET", "fakeListSessions", list_sessions),
    _route("/sessions/{name}", "DELETE", "fakeDeleteSession", delete_session),
]
