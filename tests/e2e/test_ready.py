"""Liveness apart from readiness: health answers once the process serves, ready only
once the validators are compiled (503 in the envelope before)."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from fake_server import Contract, create_app, default_scenario
from fake_server.testing.handle import FakeServer
from tests.helpers import StartServer, start_sidecar

# Long enough for the warm-up (about half a second) on a busy machine.
UNASKED_SECONDS = 4.0

READY = "/__fake__/ready"


def _ready_within(client: httpx.Client, seconds: float) -> httpx.Response:
    deadline = time.monotonic() + seconds
    answer = client.get(READY)
    while answer.status_code == 503 and time.monotonic() < deadline:
        time.sleep(0.01)
        answer = client.get(READY)
    return answer


def test_a_served_server_becomes_ready(server: FakeServer) -> None:
    with httpx.Client(base_url=server.url) as client:
        answer = _ready_within(client, 10)
    assert answer.status_code == 200
    assert answer.json() == {"status": "ready"}


def test_not_ready_is_503_in_the_envelope_then_200(contract: Contract) -> None:
    app = create_app(default_scenario(), contract=contract)
    client = FakeServer(app, "http://fake.invalid", in_process=True).http_client()
    with app.state.warm_up.hold():
        held = client.get(READY)
        assert client.get("/__fake__/health").json() == {"status": "ok"}
    assert held.status_code == 503
    assert held.headers["retry-after"] == "1"
    error = held.json()["error"]
    assert error["code"] == "not_ready"
    assert error["type"] == "server_error"
    assert "not compiled yet" in error["message"]
    assert _ready_within(client, 10).json() == {"status": "ready"}


def test_a_served_process_warms_up_unasked(tmp_path: Path) -> None:
    sidecar = start_sidecar(tmp_path, "--port", "0")
    try:
        time.sleep(UNASKED_SECONDS)  # nobody asks anything meanwhile
        first = httpx.get(sidecar.url + READY, timeout=10)
    finally:
        sidecar.stopped()
    assert first.status_code == 200, first.text
    assert first.json() == {"status": "ready"}


def test_a_thread_server_warms_up_unasked(start_server: StartServer) -> None:
    server = start_server(own=True)
    time.sleep(UNASKED_SECONDS)
    first = httpx.get(server.url + READY, timeout=10)
    assert first.status_code == 200, first.text


def test_ready_needs_no_admin_token(start_server: StartServer) -> None:
    server = start_server(own=True, admin_token="s3cret")
    with httpx.Client(base_url=server.url) as client:
        assert _ready_within(client, 10).status_code == 200
        assert client.get("/__fake__/requests").status_code == 401


def test_the_admin_document_lists_ready_and_its_503(server: FakeServer) -> None:
    document = httpx.get(f"{server.url}/__fake__/openapi/admin.json").json()
    ready = document["paths"][READY]["get"]
    assert "security" not in ready
    assert set(ready["responses"]) >= {"200", "503"}
