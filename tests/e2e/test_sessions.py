"""X-Fake-Session: callers sharing one server without seeing each other."""

from __future__ import annotations

import httpx
import pytest

from fake_server.testing.handle import TEST_API_KEY, FakeServer
from tests.helpers import StartServer

BATCH = "/v1/vector_stores/vs_abc123/file_batches/vsfb_abc123"


@pytest.fixture
def server(own_server: FakeServer) -> FakeServer:
    """Tests here make named sessions, which outlive a reset: each has a server of its own."""
    return own_server


def call(server: FakeServer, method: str, path: str, session: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {TEST_API_KEY}"}
    if session is not None:
        headers["X-Fake-Session"] = session
    return httpx.request(method, server.url + path, headers=headers)


def test_each_session_has_its_own_state(server: FakeServer) -> None:
    assert call(server, "POST", BATCH + "/cancel", "job-1").json()["status"] == "cancelled"
    assert call(server, "GET", BATCH, "job-2").json()["status"] == "in_progress"
    assert call(server, "GET", BATCH).json()["status"] == "in_progress"
    assert call(server, "GET", BATCH, "job-1").json()["status"] == "cancelled"


def test_each_session_has_its_own_journal_faults_and_clock(start_server: StartServer) -> None:
    server = start_server(
        "clock: {mode: virtual, start: 0}\n"
        "vector_stores: [{id: vs_abc123, file_batches: [{id: vsfb_abc123, files: [{}]}]}]\n",
        own=True,
    )
    admin = f"{server.url}/__fake__"
    httpx.post(
        f"{admin}/faults",
        json={"operation": "getVectorStoreFileBatch", "status": 500},
        headers={"X-Fake-Session": "a"},
    )
    httpx.post(f"{admin}/clock/advance", json={"seconds": 5}, headers={"X-Fake-Session": "a"})

    assert call(server, "GET", BATCH, "a").status_code == 500
    assert call(server, "GET", BATCH, "b").status_code == 200
    assert httpx.get(f"{admin}/clock", headers={"X-Fake-Session": "a"}).json()["now"] == 5
    assert httpx.get(f"{admin}/clock", headers={"X-Fake-Session": "b"}).json()["now"] == 0
    journal_a = httpx.get(f"{admin}/requests", headers={"X-Fake-Session": "a"}).json()
    journal_default = httpx.get(f"{admin}/requests").json()
    assert [entry["status"] for entry in journal_a["requests"]] == [500]
    assert journal_default["requests"] == []


def test_sessions_start_from_the_loaded_scenario(server: FakeServer) -> None:
    httpx.put(
        f"{server.url}/__fake__/scenario",
        content="vector_stores: [{id: vs_other, file_batches: [{id: vsfb_other, files: [{}]}]}]\n",
    )
    response = call(server, "GET", "/v1/vector_stores/vs_other/file_batches/vsfb_other", "new")
    assert response.status_code == 200


def test_sessions_can_be_listed_and_deleted(server: FakeServer) -> None:
    call(server, "POST", BATCH + "/cancel", "one")
    call(server, "GET", BATCH, "two")
    listed = httpx.get(f"{server.url}/__fake__/sessions").json()
    assert listed["sessions"] == ["one", "two"]

    assert httpx.delete(f"{server.url}/__fake__/sessions/one").json()["sessions"] == ["two"]
    assert httpx.delete(f"{server.url}/__fake__/sessions/one").status_code == 404
    # A deleted session starts afresh on next use.
    assert call(server, "GET", BATCH, "one").json()["status"] == "in_progress"


def test_idle_sessions_are_bounded(start_server: StartServer) -> None:
    server = start_server(max_sessions=3)
    for index in range(10):
        call(server, "POST", BATCH + "/cancel", f"s{index}")
    assert httpx.get(f"{server.url}/__fake__/sessions").json() == {
        "sessions": ["s7", "s8", "s9"],
        "max_sessions": 3,
    }


def test_a_bad_session_name_is_refused(server: FakeServer) -> None:
    response = call(server, "GET", BATCH, "no spaces allowed")
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "X-Fake-Session"
    assert httpx.get(f"{server.url}/__fake__/sessions").json()["sessions"] == []
