"""``fake-server``: serve a scenario, wait for a server, check scenario files.

The only place with exit codes: 0 success, 1 failure (a refused scenario, a
port that cannot be bound, a server that never became healthy), 2 usage.
Every ``serve`` option can also come from a ``FAKE_SERVER_*`` variable; a
flag wins over the variable.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import ipaddress
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import FrameType

import uvicorn

from fake_server import defaults
from fake_server.domain.printable import printable
from fake_server.http import access_log
from fake_server.http.app import create_app
from fake_server.http.control.auth import url_with_token
from fake_server.http.shutdown import ShutdownNotice
from fake_server.scenario.parsing import Scenario, default_scenario, load_scenario
from fake_server.scenario.problems import ScenarioError
from fake_server.serve.collector import SUPPORTED as COLLECTOR_SUPPORTED
from fake_server.serve.collector import Collector
from fake_server.serve.one_write import protocol_for
from fake_server.serve.thread import base_url, bind_socket

EXIT_OK = 0
EXIT_FAILURE = 1
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
# In-flight requests get this long after SIGTERM, so the process is gone
# within a second.
GRACEFUL_SHUTDOWN_SECONDS = 0.8
ENV_PREFIX = "FAKE_SERVER_"
# The optional fast halves of uvicorn's stack, chosen by "auto" when importable.
FAST_STACK = ("uvloop", "httptools")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    command: int = args.run(args)
    return command


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(ENV_PREFIX + name, default)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fake-server",
        description="A stateful, contract-checked fake of the vector store file batch API.",
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    serve = commands.add_parser(
        "serve",
        help="serve a scenario over HTTP",
        description="Serve a scenario. Each option can also be set with the FAKE_SERVER_* "
        "variable named after it (FAKE_SERVER_PORT, FAKE_SERVER_LOG_FORMAT, ...).",
    )
    serve.add_argument(
        "--scenario",
        metavar="FILE",
        default=_env("SCENARIO"),
        help="scenario YAML (default: the shipped one)",
    )
    serve.add_argument(
        "--host", default=_env("HOST", "127.0.0.1"), help="address to bind (default 127.0.0.1)"
    )
    serve.add_argument(
        "--port",
        type=_port,
        default=_env("PORT", "8080"),
        help="port; 0 picks a free one (default 8080)",
    )
    serve.add_argument(
        "--contract",
        choices=["strict", "warn"],
        default=_env("CONTRACT", "strict"),
        help="on a contract violation: answer 500 (strict, default) or log and send it (warn)",
    )
    serve.add_argument(
        "--journal-size",
        type=_positive,
        metavar="N",
        default=_env("JOURNAL_SIZE"),
        help="requests kept by the journal (default: the scenario's journal.max_entries, "
        f"or {defaults.JOURNAL_MAX_ENTRIES})",
    )
    serve.add_argument(
        "--max-sessions",
        type=_positive,
        metavar="N",
        default=_env("MAX_SESSIONS", str(defaults.MAX_SESSIONS)),
        help="X-Fake-Session sessions kept; the least recently used goes first "
        f"(default {defaults.MAX_SESSIONS})",
    )
    serve.add_argument(
        "--admin-token",
        metavar="TOKEN",
        default=_env("ADMIN_TOKEN"),
        help="require 'Authorization: Bearer TOKEN' on the control plane (/__fake__, "
        "health excepted); required when --host is not a loopback address",
    )
    serve.add_argument(
        "--allowed-host",
        metavar="NAME",
        action="append",
        default=[name for name in (_env("ALLOWED_HOST") or "").split(",") if name],
        help="answer requests whose Host is NAME too (repeatable; FAKE_SERVER_ALLOWED_HOST "
        "takes a comma-separated list; * for any), beyond loopback names and the bound "
        "address: a container's service name, say",
    )
    serve.add_argument(
        "--ready-file",
        metavar="PATH",
        default=_env("READY_FILE"),
        help="once accepting connections, write {url, host, port, pid} as JSON to PATH "
        "(atomically); removed on exit",
    )
    serve.add_argument(
        "--loop",
        choices=["auto", "uvloop", "asyncio"],
        default=_env("LOOP", "auto"),
        help="event loop: uvloop when installed (auto, default), or asyncio",
    )
    serve.add_argument(
        "--http",
        choices=["auto", "httptools", "h11"],
        default=_env("HTTP", "auto"),
        help="HTTP/1.1 parser: httptools when installed (auto, default), or h11",
    )
    serve.add_argument(
        "--log-format",
        choices=["text", "json"],
        default=_env("LOG_FORMAT", "text"),
        help="one line per request, readable (text, default) or JSON",
    )
    serve.add_argument(
        "--log-level",
        choices=["debug", "info", "warning", "error"],
        default=_env("LOG_LEVEL", "info"),
        help="info logs every request; warning only problems (default info)",
    )
    serve.set_defaults(run=_serve)

    wait = commands.add_parser(
        "wait", help="block until a server answers its health check; exit 1 on timeout"
    )
    wait.add_argument(
        "url",
        nargs="?",
        default=_env("URL", "http://127.0.0.1:8080"),
        help="the server's base URL (default $FAKE_SERVER_URL or http://127.0.0.1:8080)",
    )
    wait.add_argument(
        "--timeout", type=float, default=30.0, help="seconds to wait at most (default 30)"
    )
    wait.set_defaults(run=_wait)

    check = commands.add_parser("check", help="validate scenario files; exit 1 if any is invalid")
    check.add_argument("files", nargs="+", metavar="FILE")
    check.set_defaults(run=_check)
    return parser


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name other than localhost may resolve anywhere


def _port(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0 to 65535)")
    return int(text)


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return int(text)


def _serve(args: argparse.Namespace) -> int:
    if not args.admin_token and not _is_loopback(args.host):
        print(
            f"fake-server: --host {args.host} exposes the control plane beyond this machine; "
            "set --admin-token (or FAKE_SERVER_ADMIN_TOKEN) to protect it",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    for option, module in (("--loop", args.loop), ("--http", args.http)):
        if module in FAST_STACK and importlib.util.find_spec(module) is None:
            print(
                f"fake-server: {option} {module}: {module} is not installed here "
                "(use auto to fall back to asyncio + h11)",
                file=sys.stderr,
            )
            return EXIT_FAILURE
    try:
        scenario: Scenario = load_scenario(args.scenario) if args.scenario else default_scenario()
    except ScenarioError as error:
        print(f"fake-server: scenario refused:\n{error}", file=sys.stderr)
        return EXIT_FAILURE
    try:
        sock = bind_socket(args.host, args.port)
    except OSError as error:
        reason = error.strerror or str(error)
        print(f"fake-server: cannot listen on {args.host}:{args.port}: {reason}", file=sys.stderr)
        return EXIT_FAILURE
    url = base_url(sock)
    host, port = sock.getsockname()[:2]
    readiness = {"url": url, "host": host, "port": port, "pid": os.getpid()}
    # Carries the admin token once, for a person to open; the page then keeps it in a cookie.
    inspector = url_with_token(url + "/__fake__/ui", args.admin_token or None)
    access_log.configure(args.log_format, args.log_level)
    app = create_app(
        scenario,
        strict=args.contract == "strict",
        journal_max_entries=args.journal_size,
        max_sessions=args.max_sessions,
        admin_token=args.admin_token,
        allowed_hosts=(args.host, *args.allowed_host),
    )
    config = uvicorn.Config(
        app,
        # auto: uvloop and httptools where they are installed (a dependency
        # wherever they build), else asyncio and h11.
        loop=args.loop,
        # uvicorn's protocol for that parser, sending each response in one write.
        http=protocol_for(args.http),
        lifespan="off",
        # The log is configured above: one format from its first line.
        log_config=None,
        log_level=None,
        access_log=False,  # fake_server logs each request itself, with its operation
        # "server: uvicorn" tells a client nothing about the API it is
        # faking; one header less is work saved on every response.
        server_header=False,
        # Nothing here reads the client's address, so X-Forwarded-For is not
        # worth a middleware pass on every request.
        proxy_headers=False,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,  # type: ignore[arg-type]
    )
    ready = Readiness(
        f"fake_server ready on {url} (scenario: {scenario.source}, inspector: {inspector})",
        {**readiness, "scenario": str(scenario.source), "inspector": inspector},
        readiness,
        args.ready_file,
    )
    server = _AnnouncingServer(config, ready, app.shutdown)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
        ready.withdraw()
    return EXIT_OK if server.started else EXIT_FAILURE


class Readiness:
    """How the world learns that the server accepts connections: the log's first line
    and, if asked for, a JSON file a harness in any language can wait for."""

    def __init__(
        self,
        message: str,
        log_fields: dict[str, object],
        file_fields: dict[str, object],
        path: str | None,
    ) -> None:
        self._message = message
        self._log_fields = log_fields
        self._file_fields = file_fields
        self._path = Path(path) if path else None
        self._written = False

    def announce(self, stack: str) -> None:
        """Say the server is ready; ``stack`` (what serves, e.g. ``uvloop + httptools``)
        goes into the JSON line's fields, the text line keeps its documented shape."""
        if self._path is not None:
            # Written beside its final name and renamed: a reader sees no file
            # or the whole file, never half of it.
            temporary = self._path.with_name(f".{self._path.name}.{os.getpid()}.tmp")
            temporary.write_text(json.dumps(self._file_fields) + "\n", encoding="utf-8")
            os.replace(temporary, self._path)
            self._written = True
        access_log.announce_ready(self._message, {**self._log_fields, "stack": stack})

    def withdraw(self) -> None:
        if self._path is not None and self._written:
            self._path.unlink(missing_ok=True)


def serving_stack(config: uvicorn.Config) -> str:
    """What actually serves, read off the running loop and the loaded protocol:
    ``uvloop + httptools`` or ``asyncio + h11`` (or a mix, when asked for)."""
    loop_module = type(asyncio.get_running_loop()).__module__.partition(".")[0]
    loop = "uvloop" if loop_module == "uvloop" else "asyncio"
    protocol = config.http_protocol_class.__name__
    http = "httptools" if "HttpTools" in protocol else "h11"
    return f"{loop} + {http}"


class _AnnouncingServer(uvicorn.Server):
    """Announces readiness once listening; SIGTERM/SIGINT end it with exit 0.

    uvicorn re-raises the stop signal after a graceful shutdown, so the process
    would die "killed by SIGTERM". For a sidecar, being told to stop and
    stopping cleanly is success, so the signals are handled here instead.
    """

    def __init__(self, config: uvicorn.Config, ready: Readiness, shutdown: ShutdownNotice) -> None:
        super().__init__(config)
        self._ready = ready
        self._shutdown = shutdown
        # Idle means no request answered between two of its checks.
        self._collector = Collector(activity=lambda: self.server_state.total_requests)

    async def startup(self, sockets: list[object] | None = None) -> None:  # type: ignore[override]
        await super().startup(sockets)  # type: ignore[arg-type]
        if self.started:
            # Everything built so far (schemas, the scenario) lives as long as
            # the process; from here on the state grows with what clients make.
            # No collection first: it would hold the readiness line back by
            # some 20 ms for start-up's garbage, which the first full
            # collection frees.
            if COLLECTOR_SUPPORTED:
                self._collector.start(asyncio.get_running_loop())
            self._ready.announce(serving_stack(self.config))

    async def shutdown(self, sockets: list[object] | None = None) -> None:  # type: ignore[override]
        self._collector.stop()
        await super().shutdown(sockets)  # type: ignore[arg-type]

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {sig: signal.signal(sig, self._stop) for sig in STOP_SIGNALS}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _stop(self, sig: int, frame: FrameType | None) -> None:
        # A second Ctrl-C skips waiting for in-flight requests.
        if self.should_exit and sig == signal.SIGINT:
            self.force_exit = True
        self.should_exit = True
        # Requests held by a latency fault are answered now, not cut off later.
        self._shutdown.give()


def _wait(args: argparse.Namespace) -> int:
    if not args.url.startswith(("http://", "https://")):
        print(f"fake-server: {args.url!r} is not an http:// URL", file=sys.stderr)
        return EXIT_FAILURE
    import urllib.request  # noqa: PLC0415 -- only `wait` needs it

    health = args.url.rstrip("/") + "/__fake__/health"
    deadline = time.monotonic() + args.timeout
    last_problem = "no answer yet"
    while True:  # bounded by the deadline below
        try:
            with urllib.request.urlopen(health, timeout=1.0) as response:
                if json.load(response) == {"status": "ok"}:
                    print(f"fake_server at {args.url} is ready")
                    return EXIT_OK
                last_problem = "unexpected health answer"
        except (OSError, ValueError) as error:
            last_problem = str(getattr(error, "reason", error))
        if time.monotonic() >= deadline:
            print(
                f"fake-server: {args.url} was not healthy after {args.timeout:g} s "
                f"({last_problem})",
                file=sys.stderr,
            )
            return EXIT_FAILURE
        time.sleep(0.1)


def _check(args: argparse.Namespace) -> int:
    status = EXIT_OK
    for path in args.files:
        try:
            scenario = load_scenario(path)
        except ScenarioError as error:
            print(str(error), file=sys.stderr)
            status = EXIT_FAILURE
            continue
        print(f"{printable(path)}: ok ({scenario.summary()})")
    return status


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
