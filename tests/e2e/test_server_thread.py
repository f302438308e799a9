"""ServerThread: start returns once accepting; stop lets in-flight requests finish, then joins."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from urllib.parse import urlsplit

import httpx
import pytest
from starlette.types import ASGIApp, Receive, Scope, Send

from fake_server import Contract, ServerThread, create_app, default_scenario
from fake_server.serve import thread as server_module
from fake_server.testing.handle import TEST_API_KEY

BATCH = "/v1/vector_stores/vs_abc123/file_batches/vsfb_abc123"
WAIT_SECONDS = 30.0
AUTH = {"Authorization": f"Bearer {TEST_API_KEY}"}


class HeldRequests:
    """Wraps the app: a request to ``BATCH`` waits inside the app until released."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.entered = threading.Event()
        self.release = threading.Event()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == BATCH:
            self.entered.set()
            await _wait_for(self.release)
        await self.app(scope, receive, send)


async def _wait_for(event: threading.Event) -> None:
    import asyncio  # noqa: PLC0415 -- only the app's loop needs it

    for _ in range(int(WAIT_SECONDS / 0.005)):  # bounded: the test fails rather than hangs
        if event.is_set():
            return
        await asyncio.sleep(0.005)


def refuses_connections(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=1):
            return False
    except OSError:
        return True


@pytest.fixture
def pool() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=2) as executor:
        yield executor


def get_batch(url: str) -> httpx.Response:
    return httpx.get(url + BATCH, headers={"Authorization": f"Bearer {TEST_API_KEY}"}, timeout=30)


def test_start_returns_once_the_server_accepts(contract: Contract) -> None:
    with ServerThread(create_app(default_scenario(), contract=contract)) as server:
        assert httpx.get(f"{server.url}/__fake__/health").json() == {"status": "ok"}
    assert refuses_connections(server.url)


def test_stop_lets_an_in_flight_request_finish(
    contract: Contract, pool: ThreadPoolExecutor
) -> None:
    app = HeldRequests(create_app(default_scenario(), contract=contract))
    server = ServerThread(app).start()
    in_flight: Future[httpx.Response] = pool.submit(get_batch, server.url)
    assert app.entered.wait(WAIT_SECONDS)

    stopping = pool.submit(server.stop)
    # Stop has begun (no new connections) while the request is still inside the app.
    for _ in range(int(WAIT_SECONDS / 0.005)):
        if refuses_connections(server.url):
            break
        threading.Event().wait(0.005)
    assert refuses_connections(server.url)
    assert not stopping.done(), "stop waits for the request in flight"
    app.release.set()

    response = in_flight.result(WAIT_SECONDS)
    assert response.status_code == 200
    assert response.json()["id"] == "vsfb_abc123"
    stopping.result(WAIT_SECONDS)


def test_stop_closes_idle_keep_alive_connections(contract: Contract) -> None:
    server = ServerThread(create_app(default_scenario(), contract=contract)).start()
    with httpx.Client(base_url=server.url, headers={"Authorization": "Bearer k"}) as client:
        assert client.get(BATCH).status_code == 200  # the connection stays open
        server.stop()
        assert refuses_connections(server.url)
        with pytest.raises(httpx.TransportError):
            client.get(BATCH)


def test_a_request_that_never_finishes_is_cancelled_after_the_grace_period(
    contract: Contract, pool: ThreadPoolExecutor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server_module, "THREAD_GRACE_SECONDS", 0.05)
    app = HeldRequests(create_app(default_scenario(), contract=contract))
    server = ServerThread(app).start()
    in_flight = pool.submit(get_batch, server.url)
    assert app.entered.wait(WAIT_SECONDS)
    try:
        server.stop()  # returns although the request is never released
        try:
            answer = in_flight.result(WAIT_SECONDS)
        except httpx.TransportError:
            return  # the connection closed without an answer
        # uvicorn answers a cancelled request with a 500, if nothing was sent yet.
        assert answer.status_code == 500
    finally:
        app.release.set()


def test_stop_twice_and_stop_of_a_stopped_server_are_harmless(contract: Contract) -> None:
    server = ServerThread(create_app(default_scenario(), contract=contract)).start()
    server.stop()
    server.stop()
    assert refuses_connections(server.url)


def test_stop_answers_a_request_held_by_a_latency_fault_at_once(contract: Contract) -> None:
    app = create_app(default_scenario(), contract=contract)
    server = ServerThread(app).start()
    httpx.post(
        f"{server.url}/__fake__/faults",
        json={"operation": "getVectorStoreFileBatch", "latency_ms": 60_000},
    ).raise_for_status()
    with ThreadPoolExecutor(max_workers=1) as pool:
        held = pool.submit(httpx.get, server.url + BATCH, headers=AUTH, timeout=WAIT_SECONDS)
        time.sleep(0.5)  # the request reaches its fault long before this
        server.stop()
        # Well within stop's grace period: the latency was cut short.
        answer = held.result(timeout=WAIT_SECONDS)
    assert answer.status_code == 200
    assert answer.json()["status"] == "in_progress"
