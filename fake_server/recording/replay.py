"""``fake-server replay``: a recording served strictly, in order.

A request that matches the next recorded one (method, path with its ids,
query, JSON body; an upload by its size and SHA-256) gets the recorded
answer. Any other request is not answered from the recording: it gets a 404
``unrecorded_request`` in the provider's envelope, naming the request that was
expected next and the closest recorded one, and it is listed in the report
(``GET /__fake__/report``). The recording does not move on past it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, NamedTuple

from fake_server.http.admin_paths import ADMIN_PREFIX
from fake_server.recording.cassette import Cassette, Exchange, RecordedRequest

# Unrecorded requests the report lists at most (it counts them all).
MAX_LISTED = 200
# Top-level body fields a difference names at most.
NAMED_FIELDS = 5


class SeenUpload(NamedTuple):
    size: int
    sha256: str


class SeenRequest(NamedTuple):
    """A request as replay compares it with the recorded ones."""

    method: str
    path: str
    query: list[tuple[str, str]]
    # The JSON body (None: none, or not JSON: see ``raw_size``).
    body: Any = None
    upload: SeenUpload | None = None
    # The size of a body that is neither JSON nor an upload (0: none).
    raw_size: int = 0

    def describe(self) -> dict[str, Any]:
        return {"method": self.method, "path": self.path, "query": [list(p) for p in self.query]}

    def line(self) -> str:
        query = "&".join(f"{name}={value}" for name, value in self.query)
        return f"{self.method} {self.path}" + (f"?{query}" if query else "")


def differences(recorded: RecordedRequest, seen: SeenRequest) -> list[str]:
    """How ``seen`` differs from ``recorded``, in short words; [] when it matches."""
    found: list[str] = []
    if recorded.method != seen.method:
        found.append(f"method {recorded.method}")
    if recorded.path != seen.path:
        found.append(f"path {recorded.path}")
    if sorted(recorded.query) != sorted(seen.query):
        found.append("query")
    upload = recorded.upload
    if upload is not None:
        if seen.upload != SeenUpload(upload.size, upload.sha256):
            found.append(f"upload ({upload.filename}, {upload.size} bytes, by SHA-256)")
    elif seen.upload is not None or seen.raw_size:
        found.append("body (not the recorded JSON)")
    elif recorded.body != seen.body:
        found.append(_body_difference(recorded.body, seen.body))
    return found


def _body_difference(recorded: Any, seen: Any) -> str:
    if isinstance(recorded, dict) and isinstance(seen, dict):
        names = sorted(
            name
            for name in recorded.keys() | seen.keys()
            if recorded.get(name, ...) != seen.get(name, ...)
        )
        shown = ", ".join(names[:NAMED_FIELDS]) + (", ..." if len(names) > NAMED_FIELDS else "")
        return f"body fields {shown}"
    return "body"


def _line(exchange: Exchange) -> str:
    request = exchange.request
    query = "&".join(f"{name}={value}" for name, value in request.query)
    return f"#{exchange.seq} {request.method} {request.path}" + (f"?{query}" if query else "")


class Replay:
    """The recorded exchanges and how far the client has got. Thread safe."""

    def __init__(self, cassette: Cassette, log: Callable[[str], None] | None = None) -> None:
        self.exchanges = [
            exchange
            for exchange in cassette.exchanges
            if not exchange.request.path.startswith(ADMIN_PREFIX)
        ]
        self._next = 0
        self._unrecorded: list[dict[str, Any]] = []
        self._missed = 0
        self._log = log
        self._lock = threading.Lock()

    @property
    def served(self) -> int:
        return self._next

    @property
    def missed(self) -> int:
        return self._missed

    def take(self, seen: SeenRequest) -> Exchange | str:
        """The recorded exchange ``seen`` is answered with, or why there is none
        (the message of the 404)."""
        with self._lock:
            if self._next < len(self.exchanges):
                expected = self.exchanges[self._next]
                if not differences(expected.request, seen):
                    self._next += 1
                    return expected
            return self._refuse(seen)

    def _refuse(self, seen: SeenRequest) -> str:
        self._missed += 1
        entry: dict[str, Any] = {"request": seen.describe()}
        if self._next < len(self.exchanges):
            expected = self.exchanges[self._next]
            wrong = differences(expected.request, seen)
            entry["expected"] = {"seq": expected.seq, "line": _line(expected), "differs": wrong}
            told = f"the next recorded request is {_line(expected)} (differs: {'; '.join(wrong)})"
        else:
            told = f"all {len(self.exchanges)} recorded requests have been answered"
        closest = self._closest(seen)
        if closest is not None:
            wrong = differences(closest.request, seen)
            entry["closest"] = {"seq": closest.seq, "line": _line(closest), "differs": wrong}
            how = f"differs: {'; '.join(wrong)}" if wrong else "the same, already answered"
            told += f"; the closest recorded one is {_line(closest)} ({how})"
        message = f"No recorded answer for {seen.line()}: {told}."
        entry["message"] = message
        if len(self._unrecorded) < MAX_LISTED:
            self._unrecorded.append(entry)
        if self._log is not None:
            self._log(f"unrecorded request: {message}")
        return message

    def _closest(self, seen: SeenRequest) -> Exchange | None:
        """The recorded exchange that differs from ``seen`` in the fewest ways (the
        nearest to the next expected one among equals)."""
        if not self.exchanges:
            return None
        ranked = min(
            enumerate(self.exchanges),
            key=lambda pair: (
                len(differences(pair[1].request, seen)),
                abs(pair[0] - self._next),
            ),
        )
        return ranked[1]

    def rewind(self) -> None:
        """Back to the first recorded request, the report emptied (a test's start)."""
        with self._lock:
            self._next, self._missed = 0, 0
            self._unrecorded.clear()

    def report(self) -> dict[str, Any]:
        """What the client did: served, left, and each unrecorded request."""
        with self._lock:
            upcoming = self.exchanges[self._next] if self._next < len(self.exchanges) else None
            return {
                "recorded": len(self.exchanges),
                "served": self._next,
                "remaining": len(self.exchanges) - self._next,
                "next": None if upcoming is None else _line(upcoming),
                "unrecorded_count": self._missed,
                "unrecorded": list(self._unrecorded),
                "complete": self._next == len(self.exchanges) and not self._missed,
            }
