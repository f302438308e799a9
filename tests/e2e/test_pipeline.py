"""One request pipeline: refused requests are recorded in the session they name.

A request refused early (401, unknown route, 405, 413) is journaled and
logged in the session its X-Fake-Session header names, if that session
exists; a refused request never creates or evicts a session, and neither do
the open routes (health, OpenAPI documents).
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest

from fake_server import create_app, default_scenario
from fake_server.testing.handle import TEST_API_KEY, FakeServer
from fake_server.testing.inprocess import InProcessTransport
from tests.helpers import StartServer

BATCH = "/v1/vector_stores/vs_abc123/file_batches/vsfb_abc123"
AUTH = {"Authorization": f"Bearer {TEST_API_KEY}"}


@pytest.fixture
def server(own_server: FakeServer) -> FakeServer:
    """Tests here make named sessions, which outlive a reset: each has a server of its own."""
    return own_server


def journal(server: FakeServer, session: str | None = None) -> list[dict[str, Any]]:
    headers = {} if session is None else {"X-Fake-Session": session}
    response = httpx.get(f"{server.url}/__fake__/requests", headers=headers)
    entries: list[dict[str, Any]] = response.json()["requests"]
    return entries


def sessions(server: FakeServer) -> list[str]:
    names: list[str] = httpx.get(f"{server.url}/__fake__/sessions").json()["sessions"]
    return names


UNAUTHORISED = [
    pytest.param("GET", BATCH, {}, b"", 401, id="no-key"),
    pytest.param("GET", BATCH, {"Authorization": "Basic abc"}, b"", 401, id="not-bearer"),
    pytest.param("GET", "/v1/nowhere", AUTH, b"", 404, id="unknown-route"),
    pytest.param("GET", BATCH + "/", AUTH, b"", 404, id="trailing-slash"),
    pytest.param("DELETE", BATCH, AUTH, b"", 405, id="wrong-method"),
]
# Authorised, then refused: the session it names may be created.
REFUSED = [
    *UNAUTHORISED,
    pytest.param(
        "POST",
        "/v1/vector_stores/vs_abc123/file_batches",
        {**AUTH, "Content-Type": "application/json"},
        b"[" + b" " * (1024 * 1024) + b"]",
        413,
        id="too-large",
    ),
]


@pytest.mark.parametrize(("method", "path", "headers", "body", "status"), REFUSED)
def test_a_refused_request_is_journaled_in_the_session_it_names(  # noqa: PLR0917
    server: FakeServer, method: str, path: str, headers: dict[str, str], body: bytes, status: int
) -> None:
    # The session exists: an authorised request made it.
    assert httpx.get(server.url + BATCH, headers={**AUTH, "X-Fake-Session": "job-a"}).is_success

    response = httpx.request(
        method, server.url + path, headers={**headers, "X-Fake-Session": "job-a"}, content=body
    )

    assert response.status_code == status
    assert set(response.json()["error"]) == {"message", "type", "param", "code"}
    entries = journal(server, "job-a")
    assert [(entry["method"], entry["path"], entry["status"]) for entry in entries] == [
        ("GET", BATCH, 200),
        (method, path, status),
    ]
    assert journal(server) == []


@pytest.mark.parametrize(("method", "path", "headers", "body", "status"), UNAUTHORISED)
def test_a_request_refused_before_authorisation_creates_no_session(  # noqa: PLR0917
    server: FakeServer, method: str, path: str, headers: dict[str, str], body: bytes, status: int
) -> None:
    response = httpx.request(
        method, server.url + path, headers={**headers, "X-Fake-Session": "never"}, content=body
    )

    assert response.status_code == status
    assert sessions(server) == []
    assert journal(server) == []


def test_a_refused_request_does_not_evict_a_session(start_server: StartServer) -> None:
    server = start_server(max_sessions=1)
    headers = {**AUTH, "X-Fake-Session": "job"}
    assert httpx.post(server.url + BATCH + "/cancel", headers=headers).is_success
    for index in range(3):
        refused = httpx.get(server.url + BATCH, headers={"X-Fake-Session": f"x{index}"})
        assert refused.status_code == 401
    assert sessions(server) == ["job"]
    assert httpx.get(server.url + BATCH, headers=headers).json()["status"] == "cancelled"


@pytest.mark.parametrize(
    "path", ["/__fake__/health", "/__fake__/openapi/openai.json", "/__fake__/openapi/nope.json"]
)
def test_open_routes_create_no_session(server: FakeServer, path: str) -> None:
    httpx.get(server.url + path, headers={"X-Fake-Session": "probe"})

    assert sessions(server) == []


def test_a_bad_admin_token_creates_no_session(start_server: StartServer) -> None:
    server = start_server(admin_token="secret")
    refused = httpx.get(
        f"{server.url}/__fake__/requests",
        headers={"Authorization": "Bearer wrong", "X-Fake-Session": "intruder"},
    )
    assert refused.status_code == 401
    listed = httpx.get(
        f"{server.url}/__fake__/sessions", headers={"Authorization": "Bearer secret"}
    )
    assert listed.json()["sessions"] == []


def test_an_authorised_admin_call_creates_its_session(server: FakeServer) -> None:
    assert journal(server, "fresh") == []

    assert sessions(server) == ["fresh"]


def test_a_bad_session_name_is_refused_and_recorded_nowhere(server: FakeServer) -> None:
    response = httpx.get(server.url + BATCH, headers={**AUTH, "X-Fake-Session": "no spaces"})

    assert response.status_code == 400
    assert response.json()["error"]["param"] == "X-Fake-Session"
    assert sessions(server) == []
    assert journal(server) == []


def test_the_log_line_of_a_refused_request_names_its_session(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = create_app(default_scenario())
    with (
        httpx.Client(transport=InProcessTransport(app), base_url="http://fake") as client,  # type: ignore[arg-type]
        caplog.at_level(logging.INFO, logger="fake_server.access"),
    ):
        client.get(BATCH, headers={"X-Fake-Session": "job-a"})
        client.get("/api/v1/llm/nowhere", headers={"X-Fake-Session": "job-a"})

    fields = [record.__dict__["fake_server"] for record in caplog.records]
    assert [(f["status"], f["operation"], f["session"]) for f in fields] == [
        (401, "getVectorStoreFileBatch", "job-a"),
        (404, None, "job-a"),
    ]
