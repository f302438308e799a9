"""One recording: the exchanges in arrival order, every value redacted before it
is kept, and the files written when the recording stops.

The proxy hands over what it saw, raw; this module decides what of it is kept
(``redaction``), so nothing unredacted is ever held in the cassette, and writes
``cassette.json`` and ``scenario.yaml`` atomically at the end.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from fake_server.contract.operations import OPERATIONS
from fake_server.domain.clock import SystemClock, stopwatch
from fake_server.http.routes import Router, routes
from fake_server.recording.cassette import (
    Cassette,
    Download,
    Exchange,
    RecordedRequest,
    RecordedResponse,
    Upload,
    dump_cassette,
    write_atomically,
)
from fake_server.recording.inference import scenario_text
from fake_server.recording.redaction import REQUEST_HEADERS, RESPONSE_HEADERS, Redactor

CASSETTE_NAME = "cassette.json"
SCENARIO_NAME = "scenario.yaml"
# Operations by path, for the parameters a path names (an end user's id).
_ROUTER: Router[str] = Router(routes({op.id: op.id for op in OPERATIONS}))


class Seen(NamedTuple):
    """One exchange as the proxy saw it, before redaction."""

    seq: int
    arrival: float
    head: float
    method: str
    path: str
    query: Sequence[tuple[str, str]]
    request_headers: Sequence[tuple[str, str]]
    body: Any
    upload: Upload | None
    status: int
    response_headers: Sequence[tuple[str, str]]
    response_body: Any
    download: Download | None


class Recorder:
    def __init__(self, upstream: str, *, keep_end_users: bool = False) -> None:
        self.upstream = upstream
        self.redactor = Redactor(keep_end_users=keep_end_users)
        started = datetime.fromtimestamp(SystemClock().now(), UTC)
        self.recorded_at = started.strftime("%Y-%m-%dT%H:%M:%SZ")
        self._elapsed = stopwatch()
        self._next_seq = 0
        self._exchanges: dict[int, Exchange] = {}
        # Requests the proxy answered itself: the upstream could not be reached.
        self.upstream_failures = 0

    def now(self) -> float:
        """Seconds since the recording started."""
        return self._elapsed()

    def next_seq(self) -> int:
        seq = self._next_seq
        self._next_seq += 1
        return seq

    def add(self, seen: Seen) -> Exchange:
        """Keep an exchange, every value redacted; returns what was kept."""
        redactor = self.redactor
        redactor.learn(seen.request_headers)
        self._learn_end_users(seen)
        exchange = Exchange(
            seq=seen.seq,
            t=round(seen.arrival, 6),
            duration=round(max(0.0, seen.head - seen.arrival), 6),
            request=RecordedRequest(
                method=seen.method,
                path=redactor.path(seen.path),
                query=redactor.query(seen.query),
                headers=redactor.headers(seen.request_headers, REQUEST_HEADERS),
                body=redactor.value(seen.body),
                upload=self._upload(seen.upload),
            ),
            response=RecordedResponse(
                status=seen.status,
                headers=redactor.headers(seen.response_headers, RESPONSE_HEADERS),
                body=redactor.value(seen.response_body),
                download=seen.download,
            ),
        )
        self._exchanges[seen.seq] = exchange
        return exchange

    def _learn_end_users(self, seen: Seen) -> None:
        """End users named beyond the header: a permission's path or body."""
        match = _ROUTER.match(seen.method, seen.path)
        self.redactor.learn_end_user(match.path_params.get("user_id"))
        for body in (seen.body, seen.response_body):
            if isinstance(body, dict):
                self.redactor.learn_end_user(body.get("user_id"))
                for item in body.get("data", []) if isinstance(body.get("data"), list) else ():
                    if isinstance(item, dict):
                        self.redactor.learn_end_user(item.get("user_id"))

    def _upload(self, upload: Upload | None) -> Upload | None:
        if upload is None:
            return None
        text = self.redactor.text
        upload.filename = text(upload.filename)
        upload.fields = {text(name): text(value) for name, value in upload.fields.items()}
        return upload

    def cassette(self) -> Cassette:
        return Cassette(
            upstream=self.upstream,
            recorded_at=self.recorded_at,
            redactions=self.redactor.counts(),
            exchanges=[self._exchanges[seq] for seq in sorted(self._exchanges)],
        )

    def write(self, out: Path) -> tuple[Path, Path]:
        """Write ``cassette.json`` and ``scenario.yaml`` into ``out``, each atomically."""
        cassette = self.cassette()
        cassette_path, scenario_path = out / CASSETTE_NAME, out / SCENARIO_NAME
        dump_cassette(cassette, cassette_path)
        write_atomically(scenario_path, scenario_text(cassette))
        return cassette_path, scenario_path
