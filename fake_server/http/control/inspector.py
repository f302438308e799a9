"""The inspector: a page under ``/__fake__/ui`` showing one session, and its state read.

The page is plain HTML, one script and one style sheet, shipped in the
package (``ui/``) and served from here: it works offline, with nothing to
build. It reads ``GET /__fake__/state`` every second or so; the read names
the version it has, and gets only ``{"unchanged": true}`` while nothing
changed. A request opened in the page is read once, with its bodies, from
``GET /__fake__/state/requests/{request_id}`` (``request_detail``).
Everything it changes goes through the ordinary control plane, and a cancel
through the provider API, so it is journaled like an app's.
"""

from __future__ import annotations

import hashlib
from functools import cache
from typing import Any

from fake_server.domain.answers import ModelResponse
from fake_server.domain.clock import VirtualClock
from fake_server.domain.errors import NotFoundError, cut_short, quoted
from fake_server.domain.inspection import BatchTimeline, OverviewBounds, StoreOverview
from fake_server.domain.model import NEVER
from fake_server.domain.secrets import redact_text
from fake_server.http.admin_paths import ADMIN_PREFIX
from fake_server.http.context import Call, Document
from fake_server.http.control.auth import TOKEN_PARAM, set_cookie
from fake_server.http.control.request_detail import detail, entry, session_secrets
from fake_server.http.provider.render import encode, file_counts
from fake_server.scenario.faults import FaultRule

PAGE_PATH = ADMIN_PREFIX + "/ui"
NEVER_SHOWN = "never"  # as a scenario says it: processing_seconds: never
LIMITS = OverviewBounds()
MAX_REQUESTS = 200
# Stored responses shown, newest first, and the characters of each result's text.
MAX_RESPONSES = 20
MAX_RESULT_CHARACTERS = 200
ASSETS = {
    "common.js": "text/javascript; charset=utf-8",
    "timeline.js": "text/javascript; charset=utf-8",
    "requests.js": "text/javascript; charset=utf-8",
    "inspector.js": "text/javascript; charset=utf-8",
    "inspector.css": "text/css; charset=utf-8",
    # Without an icon of its own, a browser asks for /favicon.ico, and the
    # journal would show the page's request among the app's.
    "favicon.svg": "image/svg+xml",
}
# Only what the page's own files do: no inline script, nothing from elsewhere.
PAGE_HEADERS = {
    "cache-control": "no-store",
    "content-security-policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
}


@cache
def _asset(name: str) -> bytes:
    # importlib.resources costs ~2 ms to import: only a page view pays it.
    from importlib.resources import files  # noqa: PLC0415

    return files("fake_server.http.control").joinpath("ui", name).read_bytes()


async def fake_inspector(call: Call) -> Document:
    if TOKEN_PARAM in call.request.query_params:
        # Authorised by the token in the URL (see the pipeline): keep it in a
        # cookie and send the browser to the URL without it.
        headers = {"location": PAGE_PATH, **PAGE_HEADERS}
        token = call.server.settings.admin_token
        if token is not None:
            headers["set-cookie"] = set_cookie(token)
        return Document(b"See " + PAGE_PATH.encode(), "text/plain", status=303, headers=headers)
    return Document(_asset("index.html"), "text/html; charset=utf-8", headers=PAGE_HEADERS)


async def fake_inspector_asset(call: Call) -> Document:
    name = call.path_param("name")
    media_type = ASSETS.get(name)
    if media_type is None:
        raise NotFoundError(f"No inspector file named {quoted(name)}.", "name")
    return Document(_asset(name), media_type, headers=PAGE_HEADERS)


async def fake_get_state(call: Call) -> dict[str, Any]:
    session = call.state
    clock = session.clock
    known = session_secrets(call)
    overview = session.account.inspect(LIMITS)
    requests, requests_total = session.journal.latest(MAX_REQUESTS)
    scenario = session.scenario
    description = scenario.data.get("description")
    body: dict[str, Any] = {
        "session": call.session_name,
        "sessions": call.server.sessions.names(),
        "scenario": scenario.source,
        "description": description if isinstance(description, str) else None,
        "clock": {
            "now": overview.now,
            "mode": "virtual" if isinstance(clock, VirtualClock) else "real",
        },
        "vector_stores": [_store(store) for store in overview.vector_stores],
        "vector_stores_total": overview.vector_stores_total,
        "requests": [entry(recorded, known) for recorded in requests],
        "requests_total": requests_total,
        "faults": [_fault(*progress) for progress in session.faults.progress()],
        "findings": session.report(),
        "responses": [
            _response(response, known) for response in session.responses.recent(MAX_RESPONSES)
        ],
        "violations": [str(violation) for violation in session.violations],
    }
    # The version is the state's own digest: it changes exactly when
    # something shown changes (on a real clock, every time).
    version = hashlib.blake2b(encode(body), digest_size=12).hexdigest()
    if call.request.query_params.get("since") == version:
        return {"version": version, "unchanged": True}
    return {"version": version, "unchanged": False, **body}


async def fake_get_state_request(call: Call) -> dict[str, Any]:
    """One journaled request, opened in the page: its bodies (cut, no secret in them),
    timing, the fault rule that answered it and the findings it took part in."""
    session = call.state
    request_id = call.path_param("request_id")
    recorded = session.journal.find(request_id)
    if recorded is None:
        raise NotFoundError(
            f"No request {quoted(request_id)} in the journal (cleared, or dropped off it).",
            "request_id",
        )
    rules = session.faults.rules()
    fault = recorded.fault
    rule = rules[fault].to_dict() if fault is not None and fault < len(rules) else None
    return detail(recorded, session_secrets(call), rule, session.report())


def _response(response: ModelResponse, known: list[str]) -> dict[str, Any]:
    """A stored response as the page draws it: the question, the search call with its
    results, and the answer with the files it cites; no secret in their text."""
    request, search = response.request, response.search

    def shown(text: str, limit: int | None = None) -> str:
        text = redact_text(text, known)
        return text if limit is None else cut_short(text, limit)

    return {
        "id": response.id,
        "created_at": response.created_at,
        "model": request.model,
        "question": shown(request.question, MAX_RESULT_CHARACTERS),
        "end_user": response.actor,
        "vector_store_ids": [] if request.tool is None else list(request.tool.vector_store_ids),
        "search": None
        if search is None
        else {
            "id": search.id,
            "queries": [shown(query) for query in search.queries],
            "waiting": search.waiting,
            "results": [
                {
                    "file_id": hit.file_id,
                    "filename": hit.filename,
                    "score": hit.score,
                    "text": shown(" ".join(hit.content), MAX_RESULT_CHARACTERS),
                }
                for hit in search.hits
            ],
        },
        "answer": shown(response.answer.text),
        "citations": [
            {"file_id": cited.file_id, "filename": cited.filename, "index": cited.at}
            for cited in response.answer.citations
        ],
    }


def _fault(rule: FaultRule, seen: int, fired: int) -> dict[str, Any]:
    """A fault rule and what is left of it: ``left`` null for a rule without ``times``."""
    return {
        "rule": rule.to_dict(),
        "seen": seen,
        "fired": fired,
        "left": None if rule.times is None else max(0, rule.times - fired),
    }


def _store(store: StoreOverview) -> dict[str, Any]:
    return {
        "id": store.id,
        "name": store.name,
        "owner": store.owner,
        "status": store.status,
        "file_counts": file_counts(store.counts),
        "file_batches": [_batch(batch) for batch in store.batches],
        "file_batches_total": store.batches_total,
    }


def _batch(batch: BatchTimeline) -> dict[str, Any]:
    return {
        "id": batch.id,
        "created_at": batch.created_at,
        "status": batch.status.value,
        "file_counts": file_counts(batch.counts),
        "files": [
            {
                "id": file.id,
                "created_at": file.created_at,
                "status": file.status.value,
                "outcome": file.outcome.value,
                "finishes_at": _moment(file.finishes_at),
                "error_code": file.error_code,
                "cancelled_at": file.cancelled_at,
            }
            for file in batch.files
        ],
    }


def _moment(moment: float | None) -> float | str | None:
    """A moment on the clock as JSON: a file that never finishes says "never" (JSON
    has no infinity, which is how the domain holds it)."""
    return NEVER_SHOWN if moment == NEVER else moment
