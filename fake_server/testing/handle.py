"""A test's handle on a fake server: URLs, time, faults, journal, ready-made clients.

Used by the pytest plugin; usable on its own. It talks to the server's state
directly (same process), so resetting between tests costs no HTTP round trip.
"""

from __future__ import annotations

import functools
import importlib
import ssl
from typing import Any

import httpx

from fake_server.contract.checker import Violation
from fake_server.http.app import FakeServerApp
from fake_server.http.sessions.session import Session
from fake_server.scenario.faults import FaultRule
from fake_server.scenario.loading import Scenario, parse_fault
from fake_server.scenario.problems import ScenarioError
from fake_server.testing.inprocess import InProcessTransport

TEST_API_KEY = "sk-fake-server-test"
IN_PROCESS_URL = "http://fake-server.invalid"


class ContractViolationError(AssertionError):
    """The fake answered outside the contract while a test ran."""


class ClientBehaviourError(AssertionError):
    """The client made mistakes the fake saw (``fake_server_client_checks("strict")``)."""


class ClientCheckWarning(UserWarning):
    """The client made mistakes the fake saw (``fake_server_client_checks = warn``)."""


def describe_findings(findings: list[dict[str, Any]]) -> str:
    lines = ["fake_server saw the client go wrong during this test:"]
    for finding in findings:
        lines.append(
            f"  {finding['code']} ({finding['operation']} {finding['resource']}): "
            f"{finding['message']}"
        )
        lines.append(f"    requests: {', '.join(finding['requests'])}")
    return "\n".join(lines)


class FakeServer:
    """One fake server as a test sees it (its default session)."""

    def __init__(self, app: FakeServerApp, url: str, *, in_process: bool = False) -> None:
        self.app = app
        self.url = url
        self.in_process = in_process

    @property
    def openai_base_url(self) -> str:
        return f"{self.url}/v1"

    @property
    def mka1_base_url(self) -> str:
        """The MKA1 SDK's ``server_url`` (it adds ``/api/v1/llm`` itself)."""
        return self.url

    @property
    def spec_base_url(self) -> str:
        return f"{self.url}/spec/v1"

    @property
    def state(self) -> Session:
        return self.app.sessions.default

    # --- state and time -----------------------------------------------------

    def reset(self, scenario: Scenario | None = None) -> None:
        """Back to the loaded scenario, or load ``scenario``: state, clock, faults, journal."""
        if scenario is None:
            self.state.reset()
        else:
            self.state.load(scenario)

    def now(self) -> float:
        return self.state.clock.now()

    def advance(self, seconds: float) -> float:
        """Move the scenario's virtual clock forward; returns the new time."""
        return self.state.advance_clock(seconds)

    def add_fault(self, operation: str, **rule: Any) -> FaultRule:
        """Script a failure: ``add_fault("cancelVectorStoreFileBatch", status=500, times=1)``.

        A rule the scenario rules refuse raises ``ScenarioError`` (an unknown
        operation id names the nearest ones)."""
        __tracebackhide__ = True
        try:
            fault = parse_fault({"operation": operation, **rule}, "add_fault()")
        except ScenarioError as refused:
            # Raised afresh here: the report shows the test's call and the
            # words, not the checks that found the problem.
            raise refused.with_traceback(None) from None
        self.state.faults.add(fault)
        return fault

    def requests(self) -> list[dict[str, Any]]:
        """The request journal, oldest first."""
        return self.state.journal.entries()

    def clear_requests(self) -> None:
        self.state.journal.clear()

    # --- contract -----------------------------------------------------------

    @property
    def violations(self) -> list[Violation]:
        return list(self.state.violations)

    def raise_for_violations(self) -> None:
        """Raise ``ContractViolationError`` for the answers outside the contract
        since the last call (the plugin calls it after every test)."""
        __tracebackhide__ = True
        violations = self.violations
        if violations:
            self.state.violations.clear()
            raise ContractViolationError(
                "fake_server answered outside the contract during this test:\n"
                + "\n".join(f"  {violation}" for violation in violations)
            )

    # --- the client's behaviour -----------------------------------------------

    def report(self) -> list[dict[str, Any]]:
        """What the client did wrong so far in this session, as ``GET /__fake__/report``
        gives its ``findings``: one dict per mistake with ``code`` (``tight_polling``,
        ``ignored_retry_after``, ``retry_without_idempotency_key``,
        ``cancel_not_confirmed``, ``searched_before_ready``), ``operation``,
        ``resource``, ``message`` and
        ``requests`` (the request ids, as the journal and the log show them). An
        empty list when the client behaved. The plugin reads it after each test
        (``fake_server_client_checks``); call it to assert on findings yourself."""
        return self.state.report()

    # --- clients ------------------------------------------------------------

    def openai_client(self, **options: Any) -> Any:
        """An ``openai.OpenAI`` client for this server, strict response validation on."""
        openai = importlib.import_module("openai")
        settings = self._openai_settings()
        if self.in_process:
            settings["http_client"] = openai.DefaultHttpxClient(
                transport=InProcessTransport(self.app, _http_module_of(openai.DefaultHttpxClient))
            )
        else:
            # A client of its own builds an SSL context (its CA certificates
            # loaded, ~30 ms) even for http://: one context serves them all.
            settings["http_client"] = openai.DefaultHttpxClient(verify=_ssl_context())
        return openai.OpenAI(**(settings | options))

    def _openai_settings(self) -> dict[str, Any]:
        return {
            "api_key": TEST_API_KEY,
            "base_url": self.openai_base_url,
            "max_retries": 0,
            "_strict_response_validation": True,
        }

    def mka1_client(self, **options: Any) -> Any:
        """A ``meetkai_mka1.SDK`` for this server, retries off (tests want the first answer)."""
        mka1 = importlib.import_module("meetkai_mka1")
        settings: dict[str, Any] = {
            "bearer_auth": TEST_API_KEY,
            "server_url": self.mka1_base_url,
            "retry_config": None,
        }
        if self.in_process:
            settings["client"] = httpx.Client(transport=InProcessTransport(self.app, httpx))  # type: ignore[arg-type]
            # The SDK's own async client would cost an SSL context, and its
            # finalizer, run by a collection inside the in-process event loop,
            # would leave an unawaited close behind.
            settings["async_client"] = httpx.AsyncClient(transport=httpx.ASGITransport(self.app))
        else:
            # The same, over a socket: an async client of our own, on the one
            # SSL context, is never used by a sync test and has nothing to close.
            settings["async_client"] = httpx.AsyncClient(verify=_ssl_context())
        return mka1.SDK(**(settings | options))

    def async_openai_client(self, **options: Any) -> Any:
        """An ``openai.AsyncOpenAI`` client for this server, set up as ``openai_client``;
        in process, its requests run the app in the awaiting event loop."""
        openai = importlib.import_module("openai")
        settings = self._openai_settings()
        if self.in_process:
            http = _http_module_of(openai.DefaultAsyncHttpxClient)
            settings["http_client"] = openai.DefaultAsyncHttpxClient(
                transport=http.ASGITransport(app=self.app)
            )
        else:
            settings["http_client"] = openai.DefaultAsyncHttpxClient(verify=_ssl_context())
        return openai.AsyncOpenAI(**(settings | options))

    def async_mka1_client(self, **options: Any) -> Any:
        """A ``meetkai_mka1.SDK`` for awaiting its ``*_async`` methods, retries off;
        in process, they run the app in the awaiting event loop. (``mka1_client``
        has the same async methods; this name says what a test means to use.)"""
        return self.mka1_client(**options)

    def http_client(self, **options: Any) -> httpx.Client:
        """A plain ``httpx.Client`` with a bearer token, for raw HTTP."""
        settings: dict[str, Any] = {
            "base_url": self.url,
            "headers": {"Authorization": f"Bearer {TEST_API_KEY}"},
        }
        if self.in_process:
            settings["transport"] = InProcessTransport(self.app, httpx)
        else:
            settings["verify"] = _ssl_context()
        return httpx.Client(**(settings | options))


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """One default SSL context for every socket client a test builds (read-only once made)."""
    return ssl.create_default_context()


def _http_module_of(client_class: type) -> Any:
    """The httpx-like package a client class builds on (httpx, or httpx2 for openai 3.x)."""
    for base in client_class.__mro__:
        package = base.__module__.split(".")[0]
        if base.__name__ in ("Client", "AsyncClient") and package in ("httpx", "httpx2"):
            return importlib.import_module(package)
    return httpx
