"""Shared fixtures: real uvicorn servers on loopback ports, real SDK clients.

Starting a server is cheap, but not free; most tests only need *a* server in
the state their scenario describes. So ``start_server`` hands out a server
shared by every test of the session that asks for the same scenario and
strictness, reset to that scenario before the test (state, clock, faults,
journal, named sessions), the way the project's pytest plugin does. A test
gets a server of its own when it needs one: ``own=True``, a custom contract,
or a second server for the same scenario within one test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from hypothesis import settings
from meetkai_mka1 import SDK

from fake_server import Contract, ServerThread, create_app, parse_scenario
from fake_server.http.app import FakeServerApp
from fake_server.scenario.loading import Scenario, default_scenario, load_scenario
from fake_server.testing.handle import FakeServer

# Property tests check behaviour, not speed: a loaded machine is no failure.
settings.register_profile("fake_server", deadline=None)
settings.load_profile("fake_server")

REPO_ROOT = Path(__file__).resolve().parent.parent
API_KEY = "sk-test-fake-server"

StartServer = Callable[..., ServerThread]
ScenarioKey = tuple[object, bool]


class _Shared:
    """One running server and the handle that resets it."""

    def __init__(self, app: FakeServerApp, thread: ServerThread, scenario: Scenario) -> None:
        self.thread = thread
        self.scenario = scenario
        self.handle = FakeServer(app, thread.url)
        self.control = httpx.Client(base_url=f"{thread.url}/__fake__", timeout=30)

    def reset(self) -> None:
        self.handle.reset(self.scenario)
        # Named sessions (X-Fake-Session) outlive a reset of the default one;
        # the control plane drops them.
        for name in self.control.get("/sessions").json()["sessions"]:
            self.control.delete(f"/sessions/{name}")

    def close(self) -> None:
        self.control.close()
        self.thread.stop()


class SharedServers:
    """The session's shared servers, one per scenario and strictness, started on first use."""

    def __init__(self, contract: Contract) -> None:
        self._contract = contract
        self._servers: dict[ScenarioKey, _Shared] = {}
        self._parsed: dict[str, Scenario] = {}
        self._default: Scenario | None = None

    def scenario(self, scenario: Scenario | str | None) -> tuple[Scenario, object]:
        """The scenario to load, and what identifies it (its text, or the object itself)."""
        if scenario is None:
            if self._default is None:
                self._default = default_scenario()
            return self._default, ("default", None)
        if isinstance(scenario, Scenario):
            # Its server holds on to it, so the id is not reused while it lives.
            return scenario, ("object", id(scenario))
        parsed = self._parsed.get(scenario)
        if parsed is None:
            parsed = parse_scenario(scenario, "<test scenario>")
            self._parsed[scenario] = parsed
        return parsed, ("text", scenario)

    def get(self, key: ScenarioKey, scenario: Scenario) -> _Shared:
        shared = self._servers.get(key)
        if shared is None:
            app = create_app(scenario, strict=key[1], contract=self._contract)
            shared = _Shared(app, ServerThread(app).start(), scenario)
            self._servers[key] = shared
        return shared

    def close(self) -> None:
        for shared in self._servers.values():
            shared.close()
        self._servers.clear()


@pytest.fixture(scope="session")
def contract() -> Contract:
    return Contract.load()


@pytest.fixture(scope="session")
def shared_servers(contract: Contract) -> Iterator[SharedServers]:
    servers = SharedServers(contract)
    yield servers
    servers.close()


@pytest.fixture
def start_server(contract: Contract, shared_servers: SharedServers) -> Iterator[StartServer]:
    """A real server on a loopback port in the given scenario's starting state.

    Shared with other tests of the same scenario (reset before this test)
    unless ``own=True`` or a ``server_contract`` is given; servers of its own
    are stopped after the test.
    """
    started: list[ServerThread] = []
    used: list[_Shared] = []

    def start(
        scenario: Scenario | str | None = None,
        *,
        strict: bool = True,
        server_contract: Contract | None = None,
        own: bool = False,
    ) -> ServerThread:
        parsed, identity = shared_servers.scenario(scenario)
        key: ScenarioKey = (identity, strict)
        if server_contract is None and not own:
            shared = shared_servers.get(key, parsed)
            if shared not in used:
                shared.reset()
                used.append(shared)
                return shared.thread
        app = create_app(parsed, strict=strict, contract=server_contract or contract)
        server = ServerThread(app).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
    for shared in used:
        # The fake answered outside its contract: a bug in the fake, whatever the test saw.
        shared.handle.raise_for_violations()


@pytest.fixture
def server(start_server: StartServer) -> ServerThread:
    """A server with the shipped default scenario."""
    return start_server()


@pytest.fixture(scope="session")
def mixed_scenario() -> Scenario:
    return load_scenario(REPO_ROOT / "scenarios" / "mixed.yaml")


@pytest.fixture
def mixed_server(start_server: StartServer, mixed_scenario: Scenario) -> ServerThread:
    return start_server(mixed_scenario)


@pytest.fixture
def http(server: ServerThread) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {API_KEY}"}
    ) as client:
        yield client


def openai_client(server: ServerThread, *, retries: int = 0) -> openai.OpenAI:
    return openai.OpenAI(
        api_key=API_KEY,
        base_url=f"{server.url}/v1",
        max_retries=retries,
        _strict_response_validation=True,
    )


_IDLE_ASYNC_CLIENTS: list[httpx.AsyncClient] = []


def mka1_client(server: ServerThread, **options: Any) -> SDK:
    """The MKA1 SDK for ``server``; retries off: a test about an error wants the first answer.

    Its async client is supplied (and never used by these sync tests): the
    SDK's own costs an SSL context per SDK, and the SDK's finalizer, if a
    collection runs it while an in-process event loop is running, schedules
    the close on that loop and leaves it unawaited.
    """
    if not _IDLE_ASYNC_CLIENTS:
        _IDLE_ASYNC_CLIENTS.append(httpx.AsyncClient())
    settings: dict[str, Any] = {
        "bearer_auth": API_KEY,
        "server_url": server.url,
        "retry_config": None,
        "async_client": _IDLE_ASYNC_CLIENTS[0],
    }
    return SDK(**(settings | options))
