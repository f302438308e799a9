"""The inspector's HTTP side: its page and files, its state read, its admin cookie.

What the page does in a browser is tested in ``tests/browser``; this checks
the answers themselves, over a real socket.
"""

from __future__ import annotations

import httpx
import pytest

from fake_server import Contract
from fake_server.http.control.inspector import LIMITS
from fake_server.testing.handle import FakeServer
from tests.helpers import StartServer

TOKEN = "admin-s3cret"
BATCH = "/v1/vector_stores/vs_abc123/file_batches/vsfb_abc123"
KEY = {"Authorization": "Bearer k"}
VIRTUAL = """
clock: {mode: virtual, start: 1704067200}
vector_stores: [{id: vs_abc123, file_batches: [{id: vsfb_abc123, files: [{}, {}]}]}]
"""


@pytest.fixture
def guarded(start_server: StartServer) -> FakeServer:
    return start_server(admin_token=TOKEN)


def test_the_page_and_its_files_are_served_with_their_types(server: FakeServer) -> None:
    page = httpx.get(f"{server.url}/__fake__/ui")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert '<script src="/__fake__/ui/inspector.js"' in page.text
    script = httpx.get(f"{server.url}/__fake__/ui/inspector.js")
    assert script.headers["content-type"] == "text/javascript; charset=utf-8"
    assert httpx.get(f"{server.url}/__fake__/ui/inspector.css").is_success
    assert httpx.get(f"{server.url}/__fake__/ui/favicon.svg").is_success
    missing = httpx.get(f"{server.url}/__fake__/ui/secrets.txt")
    assert missing.status_code == 404 and missing.json()["error"]["param"] == "name"


def test_the_state_shows_each_batch_and_the_timeline_of_its_files(server: FakeServer) -> None:
    state = httpx.get(f"{server.url}/__fake__/state").json()
    assert state["unchanged"] is False and state["session"] is None
    (store,) = state["vector_stores"]
    (batch,) = store["file_batches"]
    assert batch["id"] == "vsfb_abc123" and batch["status"] == "in_progress"
    assert batch["file_counts"]["total"] == len(batch["files"]) == 3
    assert {file["status"] for file in batch["files"]} == {"in_progress"}
    assert all(file["finishes_at"] > state["clock"]["now"] for file in batch["files"])


def test_an_unchanged_state_is_answered_in_a_few_bytes(start_server: StartServer) -> None:
    # On a real clock the state changes with every read; a virtual one stands still.
    server = start_server(VIRTUAL)
    first = httpx.get(f"{server.url}/__fake__/state").json()
    again = httpx.get(f"{server.url}/__fake__/state", params={"since": first["version"]})
    assert again.json() == {"version": first["version"], "unchanged": True}

    httpx.post(f"{server.url}{BATCH}/cancel", headers=KEY).raise_for_status()
    changed = httpx.get(f"{server.url}/__fake__/state", params={"since": first["version"]})
    assert changed.json()["unchanged"] is False
    assert changed.json()["requests"][0]["operation"] == "cancelVectorStoreFileBatch"


def test_the_state_is_bounded_however_many_batches_there_are(server: FakeServer) -> None:
    for _ in range(LIMITS.batches + 2):
        httpx.post(
            f"{server.url}/v1/vector_stores/vs_abc123/file_batches",
            headers=KEY,
            json={"file_ids": ["file-abc123"]},
        ).raise_for_status()
    (store,) = httpx.get(f"{server.url}/__fake__/state").json()["vector_stores"]
    assert len(store["file_batches"]) == LIMITS.batches
    assert store["file_batches_total"] == LIMITS.batches + 3


def test_reading_the_state_of_a_session_never_creates_it(own_server: FakeServer) -> None:
    server = own_server  # the session it makes outlives a reset
    answer = httpx.get(f"{server.url}/__fake__/state", headers={"X-Fake-Session": "ghost"})
    assert answer.status_code == 404
    assert httpx.get(f"{server.url}/__fake__/sessions").json()["sessions"] == []

    httpx.get(f"{server.url}{BATCH}", headers={**KEY, "X-Fake-Session": "ghost"})
    named = httpx.get(f"{server.url}/__fake__/state", headers={"X-Fake-Session": "ghost"})
    assert named.json()["session"] == "ghost" and len(named.json()["requests"]) == 1


def test_the_token_in_the_url_becomes_a_cookie_and_the_url_loses_it(
    guarded: FakeServer,
) -> None:
    url = guarded.url
    assert httpx.get(f"{url}/__fake__/ui").status_code == 401
    assert httpx.get(f"{url}/__fake__/ui", params={"token": "wrong"}).status_code == 401
    # The URL's token opens the page only, not the rest of the control plane.
    assert httpx.get(f"{url}/__fake__/state", params={"token": TOKEN}).status_code == 401

    first = httpx.get(f"{url}/__fake__/ui", params={"token": TOKEN})
    assert first.status_code == 303 and first.headers["location"] == "/__fake__/ui"
    cookie = first.headers["set-cookie"]
    assert cookie == (f"fake_server_admin={TOKEN}; Path=/__fake__; HttpOnly; SameSite=Strict")
    jar = {"Cookie": f"fake_server_admin={TOKEN}"}
    assert httpx.get(f"{url}/__fake__/ui", headers=jar).status_code == 200
    assert httpx.get(f"{url}/__fake__/state", headers=jar).status_code == 200


def test_a_change_made_with_the_cookie_needs_the_inspectors_header(
    guarded: FakeServer,
) -> None:
    # A page of another origin can make a browser send the cookie, but not
    # this header (it would need a CORS preflight, never granted).
    jar = {"Cookie": f"fake_server_admin={TOKEN}"}
    assert httpx.post(f"{guarded.url}/__fake__/reset", headers=jar).status_code == 401
    allowed = httpx.post(f"{guarded.url}/__fake__/reset", headers={**jar, "X-Fake-Inspector": "1"})
    assert allowed.status_code == 200
    bearer = httpx.post(
        f"{guarded.url}/__fake__/reset", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert bearer.status_code == 200


def test_a_document_is_checked_against_the_media_types_its_operation_declares(
    contract: Contract,
) -> None:
    html = "text/html; charset=utf-8"
    assert contract.check_document("openai", "fakeInspector", 200, html) is None
    wrong = contract.check_document("openai", "fakeInspector", 200, "application/json")
    assert wrong is not None and "(text/html)" in wrong.detail
    # A JSON operation declares no document at all.
    assert contract.check_document("openai", "fakeGetState", 200, "text/html") is not None


def test_the_state_shows_a_vector_store_that_has_expired(start_server: StartServer) -> None:
    server = start_server(
        "clock: {mode: virtual, start: 1704067200}\n"
        "vector_stores: [{id: vs_a, expires_after: {anchor: last_active_at, days: 1}}]\n"
    )
    advance = httpx.post(f"{server.url}/__fake__/clock/advance", json={"seconds": 86401})
    advance.raise_for_status()
    state = httpx.get(f"{server.url}/__fake__/state")
    assert state.status_code == 200, state.text
    assert [store["status"] for store in state.json()["vector_stores"]] == ["expired"]
