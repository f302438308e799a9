"""pytest fixtures for fake_server (registered through the ``pytest11`` entry point).

- ``fake_server``: a real server on a loopback port, started once per session
  (per xdist worker), reset to the test's scenario before every test.
- ``fake_server_inprocess``: the same without a socket, for speed.
- ``fake_server_scenario``: which scenario a test gets; override it in a
  conftest or module, or use the ``fake_server_scenario`` marker.
- ``openai_env``: ``OPENAI_BASE_URL`` and ``OPENAI_API_KEY`` point at the
  ``fake_server`` fixture's server for the test, so code that builds its own
  ``openai.OpenAI()`` reaches the fake.

A failure fake_server raises outside the test's own lines (a refused
scenario, a contract violation, the client's mistakes) is reported as its
message and the test's line; ``--full-trace`` shows the plugin's frames.

Scenario choice, most specific first: the marker, an overridden
``fake_server_scenario`` fixture, ``--fake-server-scenario``, the
``fake_server_scenario`` ini option, the shipped default scenario.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from os import PathLike
from pathlib import Path
from typing import Any

import pytest

from fake_server.contract.checker import Contract
from fake_server.http.app import create_app
from fake_server.scenario.loading import Scenario, default_scenario, load_scenario, parse_scenario
from fake_server.serve.thread import ServerThread
from fake_server.testing.handle import (
    IN_PROCESS_URL,
    TEST_API_KEY,
    ClientBehaviourError,
    ClientCheckWarning,
    FakeServer,
    describe_findings,
)
from fake_server.testing.plain import plain_report, warn_at_test

ScenarioChoice = Scenario | str | PathLike[str] | None
MARKER = "fake_server_scenario"
CHECKS = "fake_server_client_checks"
CHECK_MODES = ("off", "warn", "strict")
DEFAULT_CHECKS = "warn"


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
    parser.addini(
        CHECKS,
        "what to do with the mistakes fake_server saw the client make: off, warn "
        "(show them in the test's report) or strict (fail the test)",
        default=DEFAULT_CHECKS,
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(scenario): the scenario for this test: a YAML file path (relative to "
        "the test file), YAML text, or a fake_server.Scenario",
    )
    config.addinivalue_line(
        "markers",
        f"{CHECKS}(mode): off, warn or strict: what to do with the mistakes fake_server "
        "saw the client make during this test (overrides the ini option)",
    )
    _check_mode(config.getini(CHECKS), f"the ini option {CHECKS}")


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
    __tracebackhide__ = True
    runtime = _fake_server_runtime
    return runtime.reset(runtime.socket_server(), fake_server_scenario, request.path.parent)


@pytest.fixture
def fake_server_inprocess(
    _fake_server_runtime: _Runtime,
    fake_server_scenario: ScenarioChoice,
    request: pytest.FixtureRequest,
) -> FakeServer:
    """The fake without a socket: its clients call the app in the test's thread."""
    __tracebackhide__ = True
    runtime = _fake_server_runtime
    return runtime.reset(runtime.inprocess_server(), fake_server_scenario, request.path.parent)


@pytest.fixture
def openai_env(fake_server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> FakeServer:
    """``OPENAI_BASE_URL`` and ``OPENAI_API_KEY`` set to the fake for this test (and
    restored after), so ``openai.OpenAI()`` with no arguments reaches it."""
    monkeypatch.setenv("OPENAI_BASE_URL", fake_server.openai_base_url)
    monkeypatch.setenv("OPENAI_API_KEY", TEST_API_KEY)
    return fake_server


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """A test that made the fake break the contract fails, naming the JSON path."""
    __tracebackhide__ = True
    result = yield
    funcargs: dict[str, Any] = getattr(item, "funcargs", {})
    servers = [
        server
        for name in ("fake_server", "fake_server_inprocess")
        if isinstance(server := funcargs.get(name), FakeServer)
    ]
    for server in servers:
        server.raise_for_violations()
    mode = _checks_for(item)
    if mode != "off":
        for server in servers:
            _check_client(item, server, mode)
    return result


def _checks_for(item: pytest.Item) -> str:
    marker = item.get_closest_marker(CHECKS)
    if marker is None:
        return _check_mode(item.config.getini(CHECKS), f"the ini option {CHECKS}")
    if len(marker.args) != 1:
        raise pytest.UsageError(f"@pytest.mark.{CHECKS} takes one argument: off, warn or strict")
    return _check_mode(marker.args[0], f"@pytest.mark.{CHECKS}")


def _check_mode(value: object, where: str) -> str:
    mode = str(value).strip() or DEFAULT_CHECKS
    if mode not in CHECK_MODES:
        raise pytest.UsageError(f"{where}: {value!r} is not one of: {', '.join(CHECK_MODES)}")
    return mode


def _check_client(item: pytest.Item, server: FakeServer, mode: str) -> None:
    """The client's mistakes: the test fails (strict) or its report shows them (warn)."""
    __tracebackhide__ = True
    findings = server.report()
    if not findings:
        return
    text = describe_findings(findings)
    if mode == "strict":
        raise ClientBehaviourError(text)
    item.add_report_section("call", "fake_server client checks", text)
    warn_at_test(item, ClientCheckWarning(text))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """fake_server's own failures read as their message and the test's line."""
    report: pytest.TestReport = yield
    if call.excinfo is not None and report.failed:
        plain = plain_report(item, call.excinfo)
        if plain is not None:
            report.longrepr = plain  # type: ignore[assignment]
    return report
