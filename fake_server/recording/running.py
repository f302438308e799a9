"""``fake-server record``'s process: the recording proxy under uvicorn until SIGINT or
SIGTERM, then the cassette and the scenario written into the output folder.

The ready line (``fake_server recording on URL (upstream: ...)``) comes first on
stdout, one line per exchange follows (method, path as recorded, status, time
to the upstream's answer), and the stop line counts what was recorded and
redacted and names the files written.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import NamedTuple

import uvicorn

from fake_server.domain.printable import printable
from fake_server.recording.proxy import RecordingProxy, parse_upstream
from fake_server.recording.recorder import CASSETTE_NAME, SCENARIO_NAME, Recorder
from fake_server.serve.config import PROCESS_GRACE_SECONDS, uvicorn_config
from fake_server.serve.sockets import base_url, bind_socket
from fake_server.serve.stopping import StoppedBySignal


class RecordOptions(NamedTuple):
    upstream: str
    out: str
    host: str
    port: int
    keep_content: bool
    keep_end_users: bool


class NotRecorded(Exception):  # noqa: N818 -- an outcome told to a person, not a fault
    """The recording could not start; the message says why."""


def _say(line: str) -> None:
    print(line, flush=True)


def prepare(options: RecordOptions) -> tuple[Path, RecordingProxy]:
    """The output folder (made if missing, refused if it holds a recording) and
    the proxy; NotRecorded says what stands in the way."""
    try:
        upstream = parse_upstream(options.upstream)
    except ValueError as error:
        raise NotRecorded(f"--upstream: {error}") from None
    out = Path(options.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise NotRecorded(f"--out {printable(options.out)}: {error.strerror}") from None
    for name in (CASSETTE_NAME, SCENARIO_NAME):
        if (out / name).exists():
            raise NotRecorded(
                f"--out {printable(options.out)} already holds {name}; "
                "record into a new folder or remove it"
            )
    recorder = Recorder(upstream.url, keep_end_users=options.keep_end_users)
    return out, RecordingProxy(upstream, recorder, keep_content=options.keep_content)


def record(options: RecordOptions) -> bool:
    """Record until stopped, then write the files; whether the proxy started."""
    out, proxy = prepare(options)
    try:
        sock = bind_socket(options.host, options.port)
    except OSError as error:
        reason = error.strerror or str(error)
        raise NotRecorded(f"cannot listen on {options.host}:{options.port}: {reason}") from None
    proxy.on_exchange = _say
    try:
        config = uvicorn_config(proxy, grace_seconds=PROCESS_GRACE_SECONDS)
        server = _RecordingServer(config, proxy, base_url(sock))
        server.run(sockets=[sock])
    finally:
        sock.close()
    if server.started:
        _write(proxy, out)
    return server.started


def _write(proxy: RecordingProxy, out: Path) -> None:
    recorder = proxy.recorder
    try:
        cassette_path, scenario_path = recorder.write(out)
    except OSError as error:
        where = printable(str(error.filename or out))
        raise NotRecorded(f"cannot write the recording to {where}: {error.strerror}") from None
    counts = recorder.redactor.counts()
    failures = recorder.upstream_failures
    _say(
        f"fake_server recording stopped: {len(recorder.cassette().exchanges)} exchanges, "
        f"{counts['secrets']} secrets redacted, {counts['end_users']} end users pseudonymised"
        + (f", {failures} requests the upstream did not answer" if failures else "")
        + f"; wrote {printable(str(cassette_path))} and {printable(str(scenario_path))}"
    )


class _RecordingServer(StoppedBySignal):
    """Announces itself once listening; SIGTERM/SIGINT stop it cleanly (exit 0)."""

    def __init__(self, config: uvicorn.Config, proxy: RecordingProxy, url: str) -> None:
        super().__init__(config)
        self._proxy = proxy
        self._url = url

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            upstream = printable(self._proxy.upstream.url)
            _say(f"fake_server recording on {self._url} (upstream: {upstream})")

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        await super().shutdown(sockets)
        await self._proxy.aclose()
