"""One record per request, cut to its bounds once; the journal, the client report,
the access log and the inspector all read it.

The responder builds a ``RequestRecord`` once per answered (or dropped)
request, after the answer is built, and hands the same object to the session's
journal (``sessions/journal.py``), the session's client log
(``sessions/report.py``) and the log line (``access_log.py``); the inspector
reads the journal. No other store of a session keeps anything per request.

Bounds, stated here only. A longer value is kept cut short, its start and
then how long it was: ``... (32790 characters)`` (``cut_short``), or
``... (20000 bytes)`` for raw bytes.

- the method: ``MAX_METHOD_CHARACTERS``;
- the path (as decoded, as routed): ``MAX_PATH_CHARACTERS``;
- the query string (raw bytes): ``MAX_QUERY_BYTES``;
- the request headers ``RECORDED_HEADERS`` and the ``X-Fake-Session``
  value (decoded as latin-1: a byte a character), each: ``MAX_HEADER_BYTES``;
  no other request header is kept;
- the object the request is about (its path parameters, the ids, joined by
  ``/``): each id ``MAX_ID_CHARACTERS``;
- the request's JSON body and the response body (raw bytes, kept for the
  inspector): each ``MAX_BODY_BYTES``. The bytes already in hand are kept
  by reference (a longer body: its start, cut once); nothing is parsed,
  decoded or redacted here. The inspector does that when it reads one
  (``fake_server.http.control.request_detail``), and never shows a secret;
- everything else is fake_server's own: the operation id (from the
  operation table), the status, the request id, three numbers, two flags,
  and the ``openai-poll-after-ms`` and ``retry-after-ms`` the fake sent.

So one record costs at most ``MAX_RECORD_BYTES`` (16 KiB, with every field
at its bound, the text in 4-byte characters, both bodies cut, and the two
deque slots that may hold it; ``tests/unit/test_record.py`` measures it); a
typical one about 1 KB and its bodies.

Per session, everything kept per request is these records: the journal keeps
the last ``journal.max_entries`` journaled ones (1000 by default) and the
client log the last ``report.MAX_OBSERVATIONS`` (2000) provider ones, mostly
the very same objects. The worst case, when the two hold no record in
common, is therefore

    (journal.max_entries + 2000) x MAX_RECORD_BYTES
    = (1000 + 2000) x 16 KiB = 48 MiB per session with the defaults,

and ``--max-sessions`` + 1 times that in all.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from fake_server.domain.errors import cut_short

MAX_METHOD_CHARACTERS = 32
MAX_PATH_CHARACTERS = 512
MAX_QUERY_BYTES = 1024
MAX_HEADER_BYTES = 512
# A valid id is at most about 70 characters: only a hostile one is ever cut.
MAX_ID_CHARACTERS = 96
MAX_RECORD_BYTES = 16 * 1024
# Each body kept for the inspector (request and response); a longer one is cut.
MAX_BODY_BYTES = 4000

# Request headers worth keeping: who the call was for, and the SDKs' retry counters.
RECORDED_HEADERS = ("x-on-behalf-of", "x-stainless-retry-count", "user-agent", "idempotency-key")
_RECORDED = tuple(name.encode("latin-1") for name in RECORDED_HEADERS)
_ON_BEHALF_OF, _RETRY_COUNT, _USER_AGENT, _IDEMPOTENCY_KEY = _RECORDED
RETRY_COUNT, IDEMPOTENCY_KEY = 1, 3  # their places in ``RequestRecord.headers``

_new = tuple.__new__
KeptHeaders = tuple[bytes | None, bytes | None, bytes | None, bytes | None]


class RequestRecord(NamedTuple):
    """One request as fake_server saw and answered it; every field within its bound."""

    method: str
    path: str
    query: bytes
    operation: str | None  # None: an unknown route or a wrong method
    status: int | None  # None: the connection was dropped on purpose
    request_id: str | None  # the answer's x-request-id; None: no answer
    # The X-Fake-Session header as sent, decoded as latin-1 (None: absent).
    session: str | None
    # The RECORDED_HEADERS values as sent, in that order (None: absent); raw
    # bytes, decoded only when read.
    headers: tuple[bytes | None, ...]
    resource: str  # the path parameters, joined by "/"
    clock: float  # the session's clock when answered (0.0: no session)
    answered: float  # wall time (fake_server.domain.clock.wall_time)
    took: float  # seconds from arrival to answer, wall time
    poll_after_ms: str | None  # the openai-poll-after-ms the answer carried
    retry_after_ms: str | None  # the retry-after-ms the answer carried
    in_progress: bool  # a batch or file answered still in progress
    client_gone: bool  # the client left before its answer (it timed out)
    # The index of the fault rule that fired (None: a real answer): an injected
    # failure is never mistaken for the server's own.
    fault: int | None = None
    # The request's JSON body and the response body, raw, each within
    # MAX_BODY_BYTES (None: none, or not read); the inspector reads them.
    request_body: bytes | None = None
    response_body: bytes | None = None

    @property
    def arrived(self) -> float:
        return self.answered - self.took


def record(  # noqa: PLR0917 -- one argument per thing seen, in the record's order
    method: str,
    path: str,
    query: bytes,
    operation: str | None,
    status: int | None,
    request_id: str | None,
    session: str | None,
    headers: Mapping[bytes, bytes],
    path_params: Mapping[str, str],
    clock: float,
    answered: float,
    took: float,
    answer_headers: Mapping[str, str] | None,
    in_progress: bool,
    client_gone: bool,
    fault: int | None = None,
    request_body: bytes | None = None,
    response_body: bytes | None = None,
) -> RequestRecord:
    """The record of one request, every field cut to its bound.

    On the path of every request: each bound costs one length test, and the
    record is built as a plain tuple (``tuple.__new__``, no Python frame).
    """
    if len(method) > MAX_METHOD_CHARACTERS:
        method = cut_short(method, MAX_METHOD_CHARACTERS)
    if len(path) > MAX_PATH_CHARACTERS:
        path = cut_short(path, MAX_PATH_CHARACTERS)
    if len(query) > MAX_QUERY_BYTES:
        query = cut_bytes(query, MAX_QUERY_BYTES)
    if session is not None and len(session) > MAX_HEADER_BYTES:
        session = cut_short(session, MAX_HEADER_BYTES)
    resource = "/".join(path_params.values())
    if len(resource) > MAX_ID_CHARACTERS:
        resource = _cut_resource(path_params)
    get = headers.get
    kept = (get(_ON_BEHALF_OF), get(_RETRY_COUNT), get(_USER_AGENT), get(_IDEMPOTENCY_KEY))
    for value in kept:
        if value is not None and len(value) > MAX_HEADER_BYTES:
            kept = _cut_headers(kept)
            break
    poll_after = retry_after = None
    if answer_headers:
        poll_after = answer_headers.get("openai-poll-after-ms")
        retry_after = answer_headers.get("retry-after-ms")
    # The bodies are the bytes already in hand, kept as they are: only a long
    # one costs a copy of its start.
    if request_body is not None and len(request_body) > MAX_BODY_BYTES:
        request_body = cut_bytes(request_body, MAX_BODY_BYTES)
    if response_body is not None and len(response_body) > MAX_BODY_BYTES:
        response_body = cut_bytes(response_body, MAX_BODY_BYTES)
    # One line of fields, not one field a line: the record's order, at a glance.
    # fmt: off
    return _new(RequestRecord, (
        method, path, query, operation, status, request_id, session, kept, resource,
        clock, answered, took, poll_after, retry_after, in_progress, client_gone, fault,
        request_body, response_body,
    ))
    # fmt: on


def _cut_resource(path_params: Mapping[str, str]) -> str:
    """The object a request is about, each id within its bound."""
    return "/".join(cut_short(each, MAX_ID_CHARACTERS) for each in path_params.values())


def _cut_headers(values: KeptHeaders) -> KeptHeaders:
    """The recorded request headers, each within its bound."""
    a, b, c, d = (None if each is None else cut_bytes(each, MAX_HEADER_BYTES) for each in values)
    return a, b, c, d


def cut_bytes(value: bytes, limit: int) -> bytes:
    """``value`` if it is at most ``limit`` bytes; else its start, saying how long it was
    (``cut_short`` for raw bytes)."""
    if len(value) <= limit:
        return value
    return b"%s... (%d bytes)" % (value[:limit], len(value))
