"""``fake-server``: serve a scenario, or check scenario files. The only place with exit codes."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from types import FrameType

import uvicorn

from fake_server.app import create_app
from fake_server.errors import ScenarioError
from fake_server.scenarios import Scenario, default_scenario, load_scenario
from fake_server.server import base_url, bind_socket

EXIT_OK = 0
EXIT_FAILURE = 1
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    command: int = args.run(args)
    return command


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fake-server",
        description="A stateful, contract-checked fake of the vector store file batch API.",
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="serve a scenario over HTTP")
    serve.add_argument(
        "--scenario", metavar="FILE", help="scenario YAML (default: the shipped one)"
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument(
        "--port", type=_port, default=8080, help="port; 0 picks a free one (default 8080)"
    )
    serve.add_argument(
        "--contract",
        choices=["strict", "warn"],
        default="strict",
        help="on a contract violation: answer 500 (strict, default) or log and send it (warn)",
    )
    serve.add_argument(
        "--journal-size",
        type=int,
        metavar="N",
        help="requests kept by the journal (default: the scenario's journal.max_entries, or 1000)",
    )
    serve.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    serve.set_defaults(run=_serve)

    check = commands.add_parser("check", help="validate scenario files; exit 1 if any is invalid")
    check.add_argument("files", nargs="+", metavar="FILE")
    check.set_defaults(run=_check)
    return parser


def _port(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0 to 65535)")
    return int(text)


def _serve(args: argparse.Namespace) -> int:
    if args.journal_size is not None and args.journal_size < 1:
        print("fake-server: --journal-size must be at least 1", file=sys.stderr)
        return EXIT_FAILURE
    try:
        scenario: Scenario = load_scenario(args.scenario) if args.scenario else default_scenario()
    except ScenarioError as error:
        print(f"fake-server: scenario refused:\n{error}", file=sys.stderr)
        return EXIT_FAILURE
    try:
        sock = bind_socket(args.host, args.port)
    except OSError as error:
        print(
            f"fake-server: cannot listen on {args.host}:{args.port}: {error.strerror}",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    url = base_url(sock)
    app = create_app(
        scenario, strict=args.contract == "strict", journal_max_entries=args.journal_size
    )
    config = uvicorn.Config(app, lifespan="off", log_level=args.log_level)
    server = _AnnouncingServer(config, f"fake_server ready on {url} (scenario: {scenario.source})")
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
    return EXIT_OK if server.started else EXIT_FAILURE


class _AnnouncingServer(uvicorn.Server):
    """Prints one readiness line once listening; SIGTERM/SIGINT end it with exit 0.

    uvicorn re-raises the stop signal after a graceful shutdown, so the process
    would die "killed by SIGTERM". For a sidecar, being told to stop and
    stopping cleanly is success, so the signals are handled here instead.
    """

    def __init__(self, config: uvicorn.Config, announcement: str) -> None:
        super().__init__(config)
        self._announcement = announcement

    async def startup(self, sockets: list[object] | None = None) -> None:  # type: ignore[override]
        await super().startup(sockets)  # type: ignore[arg-type]
        if self.started:
            print(self._announcement, flush=True)

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


def _check(args: argparse.Namespace) -> int:
    status = EXIT_OK
    for path in args.files:
        try:
            scenario = load_scenario(path)
        except ScenarioError as error:
            print(str(error), file=sys.stderr)
            status = EXIT_FAILURE
            continue
        print(f"{path}: ok ({scenario.summary()})")
    return status


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
