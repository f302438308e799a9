"""``fake-server``: serve a scenario, wait for a server, check scenario files, write
a starter project, compare a recording with the fake (parity), serve a recording
(replay).

The only place with exit codes: 0 success, 1 failure (a refused scenario, a
port that cannot be bound, a server that never became healthy), 2 usage.
Every ``serve`` option can also come from a ``FAKE_SERVER_*`` variable; a
flag wins over the variable.

Importing this module loads nothing heavy: each command imports what it
runs, so ``serve`` can pause the collector while it does (see
``serve/collector.py``) and ``wait`` never loads the app.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from fake_server.domain.printable import printable
from fake_server.recording import commands as recording_commands
from fake_server.serve import options, ready_file
from fake_server.serve.collector import paused_for_start_up

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
DISTRIBUTION = "vector-store-fake"


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    command: int = args.run(args)
    return command


def run() -> None:
    sys.exit(main())


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fake-server",
        description="A stateful, contract-checked fake of the vector store file batch API.",
    )
    parser.add_argument(
        "--version", action=_VersionAction, nargs=0, help="print the version and exit"
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    serve = commands.add_parser(
        "serve",
        help="serve a scenario over HTTP",
        description="Serve a scenario. Each option can also be set with the FAKE_SERVER_* "
        "variable named after it (FAKE_SERVER_PORT, FAKE_SERVER_LOG_FORMAT, ...).",
    )
    options.add_serve_options(serve)
    serve.set_defaults(run=_serve)
    recording_commands.record_parser(commands, options.port).set_defaults(run=_record)
    _wait_arguments(
        commands.add_parser(
            "wait", help="block until a server answers its health check; exit 1 on timeout"
        )
    )
    check = commands.add_parser(
        "check",
        help="validate scenario files; exit 1 if any is invalid",
        description="Validate scenario files, as serve --scenario would load them, "
        "without serving: each FILE is a scenario in YAML or JSON. Prints one "
        "'FILE: ok (...)' line per valid file, every problem of the others "
        "(file:line: field: message) on stderr, and exits 1 if any is invalid.",
    )
    check.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="a scenario file, YAML or JSON (as serve --scenario)",
    )
    check.set_defaults(run=_check)
    # Light to import: the commands' own modules load when they run.
    recording_commands.parity_parser(commands).set_defaults(run=_parity)
    recording_commands.replay_parser(commands, options.port).set_defaults(run=_replay)
    _init_arguments(
        commands.add_parser(
            "init",
            help="write a starter scenario and a pytest example into DIR",
            description="Write a commented starter scenario (scenario.yaml) and a pytest "
            "example that uses it (test_fake_server_example.py) into DIR; both pass as "
            "written. Existing files are never overwritten: exit 1 instead.",
        )
    )
    return parser


class _VersionAction(argparse.Action):
    """argparse's ``version`` action, reading the version only when asked for: every
    start builds this parser, and importlib.metadata costs a few milliseconds."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        print(f"{parser.prog} {_version()}")
        parser.exit()


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415

    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        return "unknown (not installed)"


def _init_arguments(init: argparse.ArgumentParser) -> None:
    init.add_argument(
        "directory",
        nargs="?",
        default=".",
        metavar="DIR",
        help="where to write the files (default: the current directory; created if missing)",
    )
    init.set_defaults(run=_init)


def _wait_arguments(wait: argparse.ArgumentParser) -> None:
    wait.add_argument(
        "url",
        nargs="?",
        default=options.env("URL", f"http://127.0.0.1:{options.env('PORT', '8080')}"),
        help="the server's base URL (default $FAKE_SERVER_URL, else http://127.0.0.1 "
        "on $FAKE_SERVER_PORT or 8080)",
    )
    wait.add_argument(
        "--timeout", type=float, default=30.0, help="seconds to wait at most (default 30)"
    )
    wait.add_argument(
        "--ready",
        action="store_true",
        help="wait for /__fake__/ready (the validators compiled) rather than health; "
        "the image's health check",
    )
    wait.set_defaults(run=_wait)


def _serve(args: argparse.Namespace) -> int:
    refusal = options.serve_refusal(args)
    if refusal is not None:
        print(f"fake-server: {refusal}", file=sys.stderr)
        return EXIT_FAILURE
    if args.ready_file:
        # Before anything loads: a path no file can be written at is a usage
        # mistake, told in one line, not a traceback once the server is up.
        try:
            ready_file.check_writable(args.ready_file)
        except ready_file.ReadyFileError as refusal_of_path:
            print(f"fake-server: {refusal_of_path}", file=sys.stderr)
            return EXIT_USAGE
    with paused_for_start_up():
        from fake_server.serve import process  # noqa: PLC0415 -- loaded with the collector paused
    chosen = process.ServeOptions(
        scenario=args.scenario,
        host=args.host,
        port=args.port,
        strict=args.contract == "strict",
        journal_size=args.journal_size,
        max_sessions=args.max_sessions,
        admin_token=args.admin_token,
        allowed_hosts=(args.host, *args.allowed_host),
        ready_file=args.ready_file,
        loop=args.loop,
        http=args.http,
        log_format=args.log_format,
        log_level=args.log_level,
    )
    try:
        served = process.serve(chosen)
    except process.NotServed as refusal_after_loading:
        print(f"fake-server: {refusal_after_loading}", file=sys.stderr)
        return EXIT_FAILURE
    return EXIT_OK if served else EXIT_FAILURE


def _record(args: argparse.Namespace) -> int:
    from fake_server.recording import running  # noqa: PLC0415 -- only `record` needs it

    chosen = running.RecordOptions(
        upstream=args.upstream,
        out=args.out,
        host=args.host,
        port=args.port,
        keep_content=args.keep_content,
        keep_end_users=args.keep_end_users,
    )
    try:
        started = running.record(chosen)
    except running.NotRecorded as refusal:
        print(f"fake-server: {refusal}", file=sys.stderr)
        return EXIT_FAILURE
    return EXIT_OK if started else EXIT_FAILURE


def _wait(args: argparse.Namespace) -> int:
    if not args.url.startswith(("http://", "https://")):
        print(f"fake-server: {args.url!r} is not an http:// URL", file=sys.stderr)
        return EXIT_FAILURE
    from fake_server.serve.waiting import wait_until_healthy  # noqa: PLC0415 -- only `wait` needs it

    problem = wait_until_healthy(args.url, args.timeout, ready=args.ready)
    if problem is not None:
        state = "ready" if args.ready else "healthy"
        print(
            f"fake-server: {args.url} was not {state} after {args.timeout:g} s ({problem})",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    print(f"fake_server at {args.url} is ready")
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    # Scenarios only: checking loads neither the app nor uvicorn.
    from fake_server.scenario.loading import load_scenario  # noqa: PLC0415
    from fake_server.scenario.problems import ScenarioError  # noqa: PLC0415

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


def _parity(args: argparse.Namespace) -> int:
    try:
        same = recording_commands.parity(args.cassette, args.scenario, as_json=args.json)
    except recording_commands.UnusableInputError as refusal:
        print(f"fake-server: {refusal}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK if same else EXIT_FAILURE


def _replay(args: argparse.Namespace) -> int:
    """Exit 1 if the server could not listen or any request was unrecorded."""
    try:
        all_recorded = recording_commands.replay(args.cassette, args.host, args.port)
    except recording_commands.UnusableInputError as refusal:
        print(f"fake-server: {refusal}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as error:
        print(f"fake-server: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
        return EXIT_FAILURE
    return EXIT_OK if all_recorded else EXIT_FAILURE


def _init(args: argparse.Namespace) -> int:
    from fake_server.starter import StarterExistsError, write_starter  # noqa: PLC0415

    try:
        written = write_starter(args.directory)
    except StarterExistsError as refusal:
        print(f"fake-server: {refusal}", file=sys.stderr)
        return EXIT_FAILURE
    for path in written:
        print(f"wrote {printable(str(path))}")
    print("run it: pytest " + printable(str(written[-1])))
    return EXIT_OK


if __name__ == "__main__":
    run()
