"""``fake-server serve``'s process: the app on a bound socket under uvicorn, its
readiness announced, the collector policy installed, SIGTERM and SIGINT a clean stop.

The command line chooses what to serve (``ServeOptions``) and the exit code;
this module serves it until told to stop.
"""

from __future__ import annotations

import asyncio
import socket
import sys
from pathlib import Path
from typing import NamedTuple

import uvicorn

from fake_server.domain.printable import printable
from fake_server.http import access_log
from fake_server.http.app import FakeServerApp, create_app
from fake_server.http.shutdown import ShutdownNotice
from fake_server.scenario.loading import Scenario, default_scenario, load_scenario
from fake_server.scenario.problems import ScenarioError
from fake_server.serve import collector
from fake_server.serve.config import PROCESS_GRACE_SECONDS, uvicorn_config
from fake_server.serve.readiness import Readiness, serving_stack
from fake_server.serve.sockets import bind_socket
from fake_server.serve.stopping import StoppedBySignal


class ServeOptions(NamedTuple):
    """What ``fake-server serve`` was asked for, one field per option."""

    scenario: str | None
    host: str
    port: int
    strict: bool
    journal_size: int | None
    max_sessions: int
    admin_token: str | None
    # Host names answered besides loopback names and the bound address.
    allowed_hosts: tuple[str, ...]
    ready_file: str | None
    loop: str
    http: str
    log_format: str
    log_level: str


def _is_terminal(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty()) if callable(isatty) else False
    except ValueError:  # a closed stream
        return False


class NotServed(Exception):  # noqa: N818 -- an outcome told to a person, not a fault
    """The server could not start; the message says why, for the person who ran it."""


def serve(options: ServeOptions) -> bool:
    """Serve until stopped; whether the server started (``NotServed`` if it could not
    even begin: a refused scenario, a port that cannot be bound)."""
    scenario = _scenario(options.scenario)
    sock = _listen(options.host, options.port)
    ready = Readiness.of(
        sock,
        _named(scenario),
        options.admin_token,
        options.ready_file,
        to_terminal=_is_terminal(sys.stdout),
    )
    try:
        access_log.configure(options.log_format, options.log_level)
        app = create_app(
            scenario,
            strict=options.strict,
            journal_max_entries=options.journal_size,
            max_sessions=options.max_sessions,
            admin_token=options.admin_token,
            allowed_hosts=options.allowed_hosts,
        )
        config = uvicorn_config(
            app, grace_seconds=PROCESS_GRACE_SECONDS, loop=options.loop, http=options.http
        )
        server = _ProcessServer(config, ready, app)
        server.run(sockets=[sock])
        if server.started:
            access_log.announce_summary(_client_findings(app))
    finally:
        sock.close()
        ready.withdraw()
    return server.started


def _client_findings(app: FakeServerApp) -> int:
    """The client mistakes every session saw, for the summary line."""
    sessions = app.sessions
    named = (sessions.existing(name) for name in sessions.names())
    return sum(len(session.report()) for session in (sessions.default, *named) if session)


# What --scenario DIR serves: the first of these in DIR (a container's /scenarios).
SCENARIO_FILES = ("scenario.yaml", "scenario.yml", "scenario.json")


def _scenario(path: str | None) -> Scenario:
    if path and Path(path).is_dir():
        path = scenario_in(Path(path))
    try:
        return load_scenario(path) if path else default_scenario()
    except ScenarioError as error:
        raise NotServed(f"scenario refused:\n{error}") from None


def scenario_in(directory: Path) -> str | None:
    """The scenario file a directory holds (``SCENARIO_FILES``); None, for the shipped
    scenario, if it holds none: the image's /scenarios with nothing mounted on it."""
    for name in SCENARIO_FILES:
        candidate = directory / name
        if candidate.is_file():
            return str(candidate)
    return None


def _named(scenario: Scenario) -> str:
    """The scenario as the ready line names it: its ``description``, else its file's
    name; never the path the shipped default has inside the installed package."""
    description = scenario.data.get("description")
    if isinstance(description, str) and description.strip():
        return printable(description.strip().rstrip("."))
    return printable(Path(scenario.source).name)


def _listen(host: str, port: int) -> socket.socket:
    try:
        return bind_socket(host, port)
    except OSError as error:
        reason = error.strerror or str(error)
        raise NotServed(f"cannot listen on {host}:{port}: {reason}") from None


class _ProcessServer(StoppedBySignal):
    """Announces readiness once listening; SIGTERM/SIGINT end it with exit 0
    (``stopping.StoppedBySignal``)."""

    def __init__(self, config: uvicorn.Config, ready: Readiness, app: FakeServerApp) -> None:
        super().__init__(config)
        self._ready = ready
        self._app = app
        self._shutdown: ShutdownNotice = app.shutdown
        # Idle means no request answered between two of its checks.
        self._collector = collector.Collector(activity=lambda: self.server_state.total_requests)

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            # Everything built so far (schemas, the scenario) lives as long as
            # the process; from here on the state grows with what clients make.
            # No collection first: it would hold the readiness line back by
            # some 20 ms for start-up's garbage, which the first full
            # collection frees.
            if collector.SUPPORTED:
                self._collector.start(asyncio.get_running_loop())
            self._ready.announce(serving_stack(self.config))
            # Ready (``/__fake__/ready``) once the validators are compiled.
            self._app.listening()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self._collector.stop()
        await super().shutdown(sockets)

    def stopping(self) -> None:
        # Requests held by a latency fault are answered now, not cut off.
        self._shutdown.give()
