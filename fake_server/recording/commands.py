"""``fake-server parity`` and ``fake-server replay``: their arguments, their inputs
read (or refused in plain words), their results printed. Light to import: the
command line builds these parsers on every start; each command loads what it
runs. The exit codes are the command line's (``cli.py``)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from fake_server import defaults

if TYPE_CHECKING:
    from fake_server.recording.cassette import Cassette

CASSETTE_HELP = "a cassette.json (fake-server record), or the folder that holds one"
# argparse names no public type for what add_subparsers returns.
Commands = argparse._SubParsersAction


class UnusableInputError(Exception):
    """A cassette or scenario that cannot be used; the message says why."""


def record_parser(
    commands: Commands[argparse.ArgumentParser], port: Callable[[str], int]
) -> argparse.ArgumentParser:
    record = commands.add_parser(
        "record",
        help="record a real service through a proxy: a cassette and a scenario",
        description="Forward every provider request to --upstream and record each "
        "exchange, secrets removed. On SIGINT or SIGTERM, write OUT/cassette.json and "
        "OUT/scenario.yaml (the scenario inferred from the recording).",
    )
    record.add_argument(
        "--upstream", required=True, metavar="URL", help="the service, with any base path"
    )
    record.add_argument("--out", required=True, metavar="DIR", help="folder for the recording")
    record.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    record.add_argument(
        "--port",
        type=port,
        default=defaults.RECORD_PORT,
        help=f"port to listen on (default {defaults.RECORD_PORT}; 0: any free)",
    )
    record.add_argument(
        "--keep-content", action="store_true", help="keep uploaded and downloaded bytes"
    )
    record.add_argument(
        "--keep-end-users",
        action="store_true",
        help="keep X-On-Behalf-Of values instead of pseudonyms",
    )
    return record


def parity_parser(commands: Commands[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    parity = commands.add_parser(
        "parity",
        help="replay a recording against a fresh fake and compare; exit 1 if they differ",
        description="Replay a recording's requests against a fresh fake whose clock follows "
        "the recorded times, and compare the answers, normalised: one row per difference, "
        "tagged overlay (the spec's mistake), scenario (timing, limits) or defect. Exit 0: "
        "no difference; 1: differences; 2: the cassette or scenario cannot be used.",
    )
    parity.add_argument("cassette", metavar="CASSETTE", help=CASSETTE_HELP)
    parity.add_argument(
        "--scenario",
        metavar="FILE",
        help="the fake's scenario (default: scenario.yaml beside the cassette if there is "
        "one, else the shipped default)",
    )
    parity.add_argument("--json", action="store_true", help="print the result as JSON")
    return parity


def replay_parser(
    commands: Commands[argparse.ArgumentParser], port: Callable[[str], int]
) -> argparse.ArgumentParser:
    replay = commands.add_parser(
        "replay",
        help="serve a recording strictly: the recorded answers, in order",
        description="Serve a recording: a request that matches the next recorded one "
        "(method, path, query, body; an upload by size and SHA-256) gets the recorded "
        "answer; any other a 404 unrecorded_request naming the closest recorded one, listed "
        "by GET /__fake__/report. Stops on SIGINT or SIGTERM; exit 1 if any request was "
        "unrecorded.",
    )
    replay.add_argument("cassette", metavar="CASSETTE", help=CASSETTE_HELP)
    replay.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    replay.add_argument(
        "--port", type=port, default=8080, help="port; 0 picks a free one (default 8080)"
    )
    return replay


def _cassette(path: Path) -> Cassette:
    from fake_server.recording.cassette import CassetteError, load_cassette  # noqa: PLC0415

    if not path.is_file():
        raise UnusableInputError(f"{path}: no cassette there (give a cassette.json or its folder)")
    try:
        return load_cassette(path)
    except CassetteError as error:
        raise UnusableInputError(str(error)) from None


def parity(cassette_arg: str, scenario_arg: str | None, *, as_json: bool) -> bool:
    """Run parity and print its result; whether the answers were the same."""
    from fake_server.recording.parity import cassette_and_scenario, run_parity  # noqa: PLC0415
    from fake_server.recording.parity_report import table  # noqa: PLC0415
    from fake_server.scenario.loading import load_scenario  # noqa: PLC0415
    from fake_server.scenario.problems import ScenarioError  # noqa: PLC0415

    cassette_path, scenario_path = cassette_and_scenario(cassette_arg, scenario_arg)
    cassette = _cassette(cassette_path)
    try:
        scenario = None if scenario_path is None else load_scenario(scenario_path)
    except ScenarioError as error:
        raise UnusableInputError(f"the scenario cannot be used:\n{error}") from None
    result = run_parity(cassette, scenario, cassette_name=str(cassette_path))
    if as_json:
        print(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
    else:
        print(table(result))
    return result.same


def replay(cassette_arg: str, host: str, port: int) -> bool:
    """Serve the recording until stopped; whether every request was a recorded one."""
    from fake_server.recording.parity import cassette_and_scenario  # noqa: PLC0415
    from fake_server.recording.replay import Replay  # noqa: PLC0415
    from fake_server.recording.replay_server import log_to_stderr, serve_replay  # noqa: PLC0415

    cassette_path, _ = cassette_and_scenario(cassette_arg, None)
    cassette = _cassette(cassette_path)
    return serve_replay(Replay(cassette, log_to_stderr), host, port, str(cassette_path))
