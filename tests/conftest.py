"""Shared fixtures, built on what users get: the plugin's ``fake_server`` and ``FakeServer``.

``server`` is the plugin's ``fake_server`` (default scenario; the plugin
resets it, checks the contract and the client's behaviour). Most other
tests only need *a* server in the state their scenario describes:
``start_server(scenario)`` hands out the same ``fake_server``, reset to that
scenario the plugin's way (``FakeServer.reset``). A test gets a server of
its own, a ``FakeServer`` on a ``ServerThread`` stopped after the test, when
it needs one: ``own_server``, ``own=True``, a lax server (``strict=False``),
a contract of its own, or a second server within one test.

Named sessions (X-Fake-Session) outlive a reset, for the suite as for users
of the plugin: a test that makes them asks for a server of its own, and one
that leaves them on the shared server fails, naming the rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import settings

from fake_server import Contract, ServerThread, create_app, parse_scenario
from fake_server.scenario.loading import Scenario, default_scenario, load_scenario
from fake_server.testing.handle import FakeServer
from tests.helpers import REPO_ROOT, STOP_TIMEOUT_SECONDS, Sidecar, StartServer

# Property tests check behaviour, not speed: a loaded machine is no failure.
settings.register_profile("fake_server", deadline=None)
settings.load_profile("fake_server")


class Scenarios:
    """Scenarios parsed once per session: from YAML text, or the shipped default."""

    def __init__(self) -> None:
        self._parsed: dict[str, Scenario] = {}

    def get(self, scenario: Scenario | str | None) -> Scenario:
        if isinstance(scenario, Scenario):
            return scenario
        key = "" if scenario is None else scenario
        parsed = self._parsed.get(key)
        if parsed is None:
            parsed = default_scenario() if scenario is None else parse_scenario(key, "<test>")
            self._parsed[key] = parsed
        return parsed


@pytest.fixture(scope="session")
def contract() -> Contract:
    return Contract.load()


@pytest.fixture(scope="session")
def scenarios() -> Scenarios:
    return Scenarios()


@pytest.fixture
def start_server(
    request: pytest.FixtureRequest, contract: Contract, scenarios: Scenarios
) -> Iterator[StartServer]:
    """A server on a loopback port in the starting state of the given scenario.

    The first call of a test gets the plugin's ``fake_server`` (unless the
    test has it already); the ones that ask for more, or for another
    strictness, contract or ``create_app`` option (``admin_token``,
    ``max_sessions``, ...), get servers of their own, stopped after the test.
    """
    threads: list[ServerThread] = []
    shared: list[FakeServer] = []
    taken = "fake_server" in request.fixturenames

    def start(
        scenario: Scenario | str | None = None,
        *,
        strict: bool = True,
        server_contract: Contract | None = None,
        own: bool = False,
        **app_options: Any,
    ) -> FakeServer:
        parsed = scenarios.get(scenario)
        plain = strict and server_contract is None and not app_options
        if plain and not (own or taken or shared or threads):
            server: FakeServer = request.getfixturevalue("fake_server")
            server.reset(parsed)
            shared.append(server)
            return server
        app = create_app(parsed, strict=strict, contract=server_contract or contract, **app_options)
        thread = ServerThread(app).start()
        threads.append(thread)
        return FakeServer(app, thread.url)

    yield start
    for thread in threads:
        thread.stop()
    for server in shared:
        # The fake answered outside its contract: a bug in the fake, whatever the test saw.
        server.raise_for_violations()
        assert_no_named_sessions(server)


def assert_no_named_sessions(server: FakeServer) -> None:
    left = server.app.sessions.names()
    # Dropped before failing, so that the next test does not fail for this one.
    for name in left:
        server.app.sessions.delete(name)
    assert not left, (
        f"named sessions {left} were left on the shared fake_server: a test that "
        "makes named sessions asks for a server of its own (own_server)"
    )


@pytest.fixture
def server(fake_server: FakeServer) -> Iterator[FakeServer]:
    """The plugin's ``fake_server``, in the shipped default scenario."""
    yield fake_server
    assert_no_named_sessions(fake_server)


@pytest.fixture
def own_server(start_server: StartServer) -> FakeServer:
    """A server of the test's own, in the shipped default scenario."""
    return start_server(own=True)


@pytest.fixture(scope="session")
def mixed_scenario() -> Scenario:
    return load_scenario(REPO_ROOT / "scenarios" / "mixed.yaml")


@pytest.fixture
def mixed_server(start_server: StartServer, mixed_scenario: Scenario) -> FakeServer:
    return start_server(mixed_scenario)


@pytest.fixture
def http(server: FakeServer) -> Iterator[httpx.Client]:
    with server.http_client() as client:
        yield client


@pytest.fixture
def sidecars(tmp_path: Path) -> Iterator[list[Sidecar]]:
    """``fake-server serve`` processes a test started; killed if still running after it."""
    started: list[Sidecar] = []
    yield started
    for sidecar in started:
        if sidecar.process.poll() is None:
            sidecar.process.kill()
            sidecar.process.wait(timeout=STOP_TIMEOUT_SECONDS)
