"""The control plane under ``/__fake__``: health, ready, reset, scenario, clock, journal, faults.

Not part of any provider's API; its responses are checked against
``schemas/admin.json`` like every other response. Its handlers act on the
session the request names, resolved by the pipeline like any other.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fake_server.contract.dialects import DIALECTS, dialect_named
from fake_server.contract.openapi import admin_openapi_document, openapi_document
from fake_server.defaults import MAX_SCENARIO_BYTES
from fake_server.domain.clock import VirtualClock
from fake_server.domain.errors import InvalidRequestError, NotFoundError, quoted
from fake_server.http.bodies import parse_json, read_limited
from fake_server.http.context import Call
from fake_server.http.control.request_detail import redact_entry, session_secrets
from fake_server.http.errors import FaultRefusedError, NotReadyError
from fake_server.scenario.checks import MAX_DURATION_SECONDS
from fake_server.scenario.loading import parse_fault, parse_scenario
from fake_server.scenario.problems import ScenarioError

MAX_ADMIN_JSON_BYTES = 64 * 1024
# The control plane's own OpenAPI document, beside the dialects'.
ADMIN_DOCUMENT = "admin"
MAX_ADVANCE_SECONDS = MAX_DURATION_SECONDS  # one advance; the same bound as a scenario's durations


async def fake_health(call: Call) -> dict[str, Any]:
    return {"status": "ok"}


async def fake_ready(call: Call) -> dict[str, Any]:
    warm_up = call.server.warm_up
    # A server run without a lifespan (the in-process transport) warms up on first ask.
    warm_up.start(call.server.sessions.contract)
    if not warm_up.ready:
        raise NotReadyError
    return {"status": "ready"}


async def fake_reset(call: Call) -> dict[str, Any]:
    state = call.state
    state.reset()
    return {"status": "reset", "scenario": state.scenario.source, "now": state.clock.now()}


async def fake_load_scenario(call: Call) -> dict[str, Any]:
    raw = await read_limited(call.request, MAX_SCENARIO_BYTES)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidRequestError("The scenario must be UTF-8 text.") from None
    # Parsed on a worker thread: a big scenario with mistakes takes seconds
    # to read carefully, and the other clients are served meanwhile.
    scenario = await asyncio.to_thread(parse_scenario, text, "<PUT /__fake__/scenario>")
    state = call.state
    state.load(scenario)
    return {"status": "loaded", "scenario": scenario.summary(), "now": state.clock.now()}


async def fake_get_clock(call: Call) -> dict[str, Any]:
    clock = call.state.clock
    mode = "virtual" if isinstance(clock, VirtualClock) else "real"
    return {"now": clock.now(), "mode": mode}


async def fake_advance_clock(call: Call) -> dict[str, Any]:
    body = await _json_object(call)
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
    return {"now": call.state.advance_clock(seconds), "mode": "virtual"}


async def fake_list_requests(call: Call) -> dict[str, Any]:
    """The journal, with no secret in a path, query or header (``request_detail``)."""
    known = session_secrets(call)
    return {"requests": [redact_entry(shown, known) for shown in call.state.journal.entries()]}


async def fake_clear_requests(call: Call) -> dict[str, Any]:
    call.state.journal.clear()
    return {"requests": []}


async def fake_get_report(call: Call) -> dict[str, Any]:
    return {"findings": call.state.report()}


async def fake_list_faults(call: Call) -> dict[str, Any]:
    return {"faults": [rule.to_dict() for rule in call.state.faults.rules()]}


async def fake_add_fault(call: Call) -> dict[str, Any]:
    body = await _json_object(call)
    try:
        rule = parse_fault(body, "<POST /__fake__/faults>")
    except ScenarioError as error:
        raise FaultRefusedError(error) from None
    faults = call.state.faults
    faults.add(rule)
    return {"faults": [existing.to_dict() for existing in faults.rules()]}


async def fake_clear_faults(call: Call) -> dict[str, Any]:
    call.state.faults.clear()
    return {"faults": []}


async def _json_object(call: Call) -> dict[str, Any]:
    raw = await read_limited(call.request, MAX_ADMIN_JSON_BYTES)
    body = parse_json(raw or b"{}")
    if not isinstance(body, dict):
        raise InvalidRequestError("The request body must be a JSON object.", code="invalid_json")
    return body


async def fake_index(call: Call) -> dict[str, Any]:
    documents = [dialect.name for dialect in DIALECTS] + [ADMIN_DOCUMENT]
    return {
        "name": "fake_server",
        "inspector": "/__fake__/ui",
        "openapi": {name: f"/__fake__/openapi/{name}.json" for name in documents},
        "docs": "README.md and docs/ in fake_server's source; the control plane: "
        "/__fake__/openapi/admin.json",
    }


async def fake_open_api(call: Call) -> dict[str, Any]:
    name = call.path_param("dialect")
    if name == ADMIN_DOCUMENT:
        documents = call.server.openapi_documents
        if name not in documents:
            documents[name] = admin_openapi_document(call.state.contract)
        return documents[name]
    dialect = dialect_named(name)
    if dialect is None:
        known = ", ".join([*(d.name for d in DIALECTS), ADMIN_DOCUMENT])
        raise NotFoundError(
            f"No OpenAPI document named {quoted(name)} (one of: {known}).", "dialect"
        )
    documents = call.server.openapi_documents
    if name not in documents:
        documents[name] = openapi_document(call.state.contract, dialect)
    return documents[name]


async def fake_list_sessions(call: Call) -> dict[str, Any]:
    sessions = call.server.sessions
    return {"sessions": sessions.names(), "max_sessions": sessions.max_sessions}


async def fake_delete_session(call: Call) -> dict[str, Any]:
    sessions = call.server.sessions
    sessions.delete(call.path_param("name"))
    return {"sessions": sessions.names(), "max_sessions": sessions.max_sessions}
