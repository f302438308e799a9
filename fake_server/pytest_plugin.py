"""pytest fixtures for fake_server (registered through the ``pytest11`` entry point).

- ``fake_server``: a real server on a loopback port, started once per session
  (per xdist worker), reset to the test's scenario before every test.
- ``fake_server_inprocess``: the same without a socket, for speed.
- ``fake_server_scenario``: which scenario a test gets; override it in a
  conftest or module, or use the ``fake_server_scenario`` marker.

Scenario choice, most specific first: the marker, an overridden
``fake_server_scenario`` fixture, ``--fake-server-scenario``, the
``fake_server_scenario`` ini option, the shipped default scenario.
"""

from __future__ import annotations

from collections.abc import Iterator
from os import PathLike
from pathlib import Path
from typing import Any

import pytest

from fake_server.contract.checker import Contract
from fake_server.http.app import create_app
from fake_server.scenario.parsing import Scenario, default_scenario, load_scenario, parse_scenario
from fake_server.server import ServerThread
from fake_server.testing import IN_PROCESS_URL, FakeServer

ScenarioChoice = Scenario | str | PathLike[str] | None
MARKER = "fake_server_scenario"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("fake_server")
    group.addoption(
        "--fake-server-scenario",
        dest="fake_server_scenario",
        metavar="FILE",
        default=None,
        help="scenario YAML for the fake_server fixtures (default: the shipped one)",
    )
    parser.addini(
        "fake_server_scenario",
        "scenario YAML for the fake_server fixtures, relative to the ini file",
        default="",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(scenario): the scenario for this test: a YAML file path (relative to "
        "the test file), YAML text, or a fake_server.Scenario",
    )


class _Runtime:
    """Per session: the contract, parsed scenarios, and the servers, built on first use."""

    def __init__(self, config: pytest.Config) -> None:
        self._config = config
        self._scenarios: dict[str, Scenario] = {}
        self._contract: Contract | None = None
        self._thread: ServerThread | None = None
        self._socket_server: FakeServer | None = None
        self._inprocess_server: FakeServer | None = None

    def contract(self) -> Contract:
        if self._contract is None:
            self._contract = Contract.load()
        return self._contract

    def socket_server(self) -> FakeServer:
        if self._socket_server is None:
            app = create_app(self.configured(), contract=self.contract())
            self._thread = ServerThread(app).start()
            self._socket_server = FakeServer(app, self._thread.url)
        return self._socket_server

    def inprocess_server(self) -> FakeServer:
        if self._inprocess_server is None:
            app = create_app(self.configured(), contract=self.contract())
            self._inprocess_server = FakeServer(app, IN_PROCESS_URL, in_process=True)
        return self._inprocess_server

    def configured(self) -> Scenario:
        option = self._config.getoption("fake_server_scenario")
        if option:
            return self.load(Path(option).resolve())
        ini = self._config.getini("fake_server_scenario")
        if ini:
            base = self._config.inipath.parent if self._config.inipath else self._config.rootpath
            return self.load(base / ini)
        return self.cached("<default>", default_scenario)

    def reset(self, server: FakeServer, choice: ScenarioChoice, test_dir: Path) -> FakeServer:
        """``server``, back to the start of the test's scenario."""
        server.reset(self.resolve(choice, test_dir))
        return server

    def resolve(self, choice: ScenarioChoice, test_dir: Path) -> Scenario:
        if choice is None:
            return self.configured()
        if isinstance(choice, Scenario):
            return choice
        text = str(choice)
        if isinstance(choice, str) and "\n" in choice:
            return self.cached(text, lambda: parse_scenario(text, "<scenario text>"))
        return self.load(test_dir / text)

    def load(self, path: Path) -> Scenario:
        return self.cached(str(path), lambda: load_scenario(path))

    def cached(self, key: str, build: Any) -> Scenario:
        # A scenario is parsed and validated once per session; each test
        # only instantiates it.
        scenario = self._scenarios.get(key)
        if scenario is None:
            scenario = build()
            self._scenarios[key] = scenario
        return scenario

    def close(self) -> None:
        if self._thread is not None:
            self._thread.stop()


@pytest.fixture(scope="session")
def _fake_server_runtime(pytestconfig: pytest.Config) -> Iterator[_Runtime]:
    runtime = _Runtime(pytestconfig)
    yield runtime
    runtime.close()


@pytest.fixture
def fake_server_scenario(request: pytest.FixtureRequest) -> ScenarioChoice:
    """The scenario for this test; the marker's, else None (the configured one)."""
    marker = request.node.get_closest_marker(MARKER)
    if marker is None:
        return None
    if len(marker.args) != 1:
        raise pytest.UsageError(f"@pytest.mark.{MARKER} takes one argument: a path or YAML")
    choice: ScenarioChoice = marker.args[0]
    return choice


@pytest.fixture
def fake_server(
    _fake_server_runtime: _Runtime,
    fake_server_scenario: ScenarioChoice,
    request: pytest.FixtureRequest,
) -> FakeServer:
    """A real server on a loopback port, reset to this test's scenario."""
    runtime = _fake_server_runtime
    return runtime.reset(runtime.socket_server(), fake_server_scenario, request.path.parent)


@pytest.fixture
def fake_server_inprocess(
    _fake_server_runtime: _Runtime,
    fake_server_scenario: ScenarioChoice,
    request: pytest.FixtureRequest,
) -> FakeServer:
    """The fake without a socket: its clients call the app in the test's thread."""
    runtime = _fake_server_runtime
    return runtime.reset(runtime.inprocess_server(), fake_server_scenario, request.path.parent)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """A test that made the fake break the contract fails, naming the JSON path."""
    result = yield
    funcargs: dict[str, Any] = getattr(item, "funcargs", {})
    for name in ("fake_server", "fake_server_inprocess"):
        server = funcargs.get(name)
        if isinstance(server, FakeServer):
            server.raise_for_violations()
    return result
