"""How the client behaved: what the fake saw of it, and the mistakes that shows.

The responder hands the session's ``ClientLog`` the one record it makes of
each provider request (``fake_server.http.record``: cut to its bounds, shared
with the journal; appending it is all the hot path pays). Each becomes an
``Observation`` only when a report is asked for (``GET /__fake__/report``, the
pytest plugin), and the analysis runs then.
Each finding names the requests involved by their ``x-request-id``.

Codes (see the README, "Testing the unhappy paths"):

- ``tight_polling``: an in-progress batch or vector store file read again
  sooner, in wall time, than the ``openai-poll-after-ms`` its last read
  gave, at least ``TIGHT_STREAK`` times in a row (reads that overlap, from
  several readers at once, are not polling);
- ``ignored_retry_after``: a request retried (same operation, same object)
  before the ``retry-after`` its 429 or 503 gave had passed;
- ``retry_without_idempotency_key``: a create sent again after a failure
  (5xx, 408, a dropped connection, a client that gave up waiting, or a retry
  of one still being answered) without an ``Idempotency-Key``;
- ``cancel_not_confirmed``: a cancel answered ``in_progress`` (gradual
  mode), its delay has passed on the clock, and the batch was never read again;
- ``searched_before_ready``: a ``file_search`` (a model response) ran over a
  store whose files were still in progress: the client asked before its
  ingestion had finished, and those files contributed nothing.

Every rule errs on the side of silence: the SDKs' own helpers, used without
injected failures, produce no finding.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from itertools import pairwise
from typing import Any, NamedTuple

from fake_server.contract.operations import ids_where
from fake_server.http.record import IDEMPOTENCY_KEY, RETRY_COUNT, RequestRecord

# Observations kept per session; older ones drop off (and with them what
# they would have shown).
MAX_OBSERVATIONS = 2000
# Reads too soon in a row before polling counts as tight.
TIGHT_STREAK = 3
# Slack for timer granularity: a client that waited what it was told is
# never reported, however its sleep rounds.
TOLERANCE_SECONDS = 0.001
# Request ids named by one finding, at most.
MAX_NAMED_REQUESTS = 20

# Which operations each rule looks at: flags of the operation table.
POLLED = ids_where(lambda op: op.polled)
CREATES = ids_where(lambda op: op.creates)
BATCH_READS = ids_where(lambda op: op.reads_batch)
(CANCEL,) = ids_where(lambda op: op.cancels_batch)
SEARCHES = ids_where(lambda op: op.searches_stores)
RETRY_AFTER_STATUSES = frozenset({429, 503})


class Observation(NamedTuple):
    """One answered provider request, as the analysis needs it (read from its record)."""

    request_id: str | None  # None: the connection was dropped, no answer
    operation: str
    # The object the request is about: its path parameters, joined (each id
    # within the record's bound).
    resource: str
    status: int | None
    arrived: float  # wall time (fake_server.domain.clock.wall_time)
    answered: float
    clock: float  # the scenario's clock when answered
    poll_after_ms: int | None
    retry_after_ms: float | None
    idempotency_key: bool
    retry_count: int
    # A batch or file answered in progress; a search that met files in progress.
    in_progress: bool
    client_gone: bool = False  # the client left before the answer (it timed out)


def observed(recorded: RequestRecord) -> Observation:
    """What the analysis reads of a request's record; made only when a report is asked for."""
    retry_count = recorded.headers[RETRY_COUNT]
    poll_after, retry_after = recorded.poll_after_ms, recorded.retry_after_ms
    return Observation(
        recorded.request_id,
        # Only provider requests are observed, and each has its operation.
        recorded.operation or "",
        recorded.resource,
        recorded.status,
        recorded.arrived,
        recorded.answered,
        recorded.clock,
        None if poll_after is None else int(poll_after),
        None if retry_after is None else float(retry_after),
        recorded.headers[IDEMPOTENCY_KEY] is not None,
        _count(retry_count),
        recorded.in_progress,
        recorded.client_gone,
    )


# A longer x-stainless-retry-count value is no count.
MAX_RETRY_COUNT_BYTES = 9


def _count(raw: bytes | None) -> int:
    # A header of absurd length (or cut short) is no count, and no 500.
    if raw and len(raw) <= MAX_RETRY_COUNT_BYTES and raw.isdigit():
        return int(raw)
    return 0


class ClientLog:
    """The records of a session's provider requests, oldest first; bounded.

    They are the very records the journal keeps (``fake_server.http.record``),
    so each is already cut to its bounds: at most ``max_observations`` x
    ``MAX_RECORD_BYTES``, however long the paths a client sends.
    """

    def __init__(self, max_observations: int = MAX_OBSERVATIONS) -> None:
        self._records: deque[RequestRecord] = deque(maxlen=max_observations)
        self._lock = threading.Lock()
        self._seen = 0

    def saw(self, recorded: RequestRecord) -> None:
        self._records.append(recorded)  # deque.append is atomic
        self._seen += 1

    def stamp(self) -> int:
        """Changes whenever a record is added. A count, not the last record's id: once
        that record has left a full log, a new one may be given the same id."""
        return self._seen

    def observations(self) -> list[Observation]:
        with self._lock:
            kept = list(self._records)
        return [observed(recorded) for recorded in kept]


def findings(
    observations: Iterable[Observation], now: float, cancel_delay: float | None
) -> list[dict[str, Any]]:
    """Every finding the observations show, in the order the requests arrived."""
    ordered = sorted(observations, key=lambda observation: observation.arrived)
    found = [
        *_tight_polling(ordered),
        *_ignored_retry_after(ordered),
        *_retry_without_idempotency_key(ordered),
        *_cancel_not_confirmed(ordered, now, cancel_delay),
        *_searched_before_ready(ordered),
    ]
    return [finding for _, finding in sorted(found, key=lambda pair: pair[0])]


Found = tuple[float, dict[str, Any]]


def _finding(code: str, first: Observation, message: str, involved: Sequence[Observation]) -> Found:
    named = [o.request_id for o in involved if o.request_id is not None]
    finding: dict[str, Any] = {
        "code": code,
        "operation": first.operation,
        "message": message,
        "requests": named[:MAX_NAMED_REQUESTS],
        "resource": first.resource,
    }
    return first.arrived, finding


Groups = dict[tuple[str, str], list[Observation]]


def _by_key(ordered: Iterable[Observation], operations: frozenset[str]) -> Groups:
    groups: Groups = {}
    for observation in ordered:
        if observation.operation in operations:
            groups.setdefault((observation.operation, observation.resource), []).append(observation)
    return groups


def _tight_polling(ordered: Sequence[Observation]) -> Iterator[Found]:
    for reads in _by_key(ordered, POLLED).values():
        streak: list[Observation] = []
        shortest = (0.0, 0)
        for previous, read in pairwise(reads):
            told = previous.poll_after_ms
            waited = read.arrived - previous.answered
            # A read that came in before the previous one was answered is
            # another reader at work, not a poller coming back: the streak ends.
            if told and previous.in_progress and 0 <= waited < told / 1000 - TOLERANCE_SECONDS:
                if not streak:
                    streak = [previous]
                    shortest = (waited, told)
                streak.append(read)
                shortest = min(shortest, (waited, told))
                continue
            yield from _tight_streak(streak, shortest)
            streak = []
        yield from _tight_streak(streak, shortest)


def _tight_streak(streak: list[Observation], shortest: tuple[float, int]) -> Iterator[Found]:
    times = len(streak) - 1
    if times < TIGHT_STREAK:
        return
    waited, told = shortest
    yield _finding(
        "tight_polling",
        streak[0],
        f"The client read {streak[0].resource} again {times} times in a row sooner than "
        f"openai-poll-after-ms said ({told} ms; once after only {waited * 1000:.1f} ms). "
        "Wait the time the header gives between reads (the SDKs' poll helpers do).",
        streak,
    )


def _ignored_retry_after(ordered: Sequence[Observation]) -> Iterator[Found]:
    for calls in _by_key(ordered, _all_operations(ordered)).values():
        for refused, retry in pairwise(calls):
            told = refused.retry_after_ms
            if refused.status not in RETRY_AFTER_STATUSES or told is None:
                continue
            waited = retry.arrived - refused.answered
            if waited < told / 1000 - TOLERANCE_SECONDS:
                yield _finding(
                    "ignored_retry_after",
                    refused,
                    f"The client retried {refused.operation} {waited * 1000:.1f} ms after a "
                    f"{refused.status} that said retry-after-ms {told:g}. Wait what "
                    "retry-after-ms (else retry-after) gives before trying again.",
                    [refused, retry],
                )


def _retry_without_idempotency_key(ordered: Sequence[Observation]) -> Iterator[Found]:
    for creates in _by_key(ordered, CREATES).values():
        for earlier, again in pairwise(creates):
            if again.idempotency_key:
                continue
            failed = (
                earlier.status is None
                or earlier.status >= 500
                or earlier.status == 408
                or earlier.client_gone
            )
            overlapping = again.retry_count > 0 and again.arrived < earlier.answered
            if not (failed or overlapping):
                continue
            how = (
                "no answer yet (the first try was still being answered)"
                if overlapping
                else _failure(earlier)
            )
            yield _finding(
                "retry_without_idempotency_key",
                earlier,
                f"The client sent {earlier.operation} again after {how} without an "
                "Idempotency-Key: if the first try went through, the object now exists "
                "twice. Send the same Idempotency-Key with every try of one create.",
                [earlier, again],
            )


def _failure(earlier: Observation) -> str:
    if earlier.client_gone:
        return "giving up on the first try before its answer (a timeout)"
    if earlier.status is None:
        return "no answer (a dropped connection)"
    return f"status {earlier.status}"


def _cancel_not_confirmed(
    ordered: Sequence[Observation], now: float, cancel_delay: float | None
) -> Iterator[Found]:
    if cancel_delay is None:
        return
    last_read: dict[str, float] = {}
    for observation in ordered:
        if observation.operation in BATCH_READS:
            last_read[observation.resource] = observation.arrived
    for cancel in ordered:
        if cancel.operation != CANCEL or cancel.status != 200 or not cancel.in_progress:
            continue
        if now < cancel.clock + cancel_delay:
            continue  # the cancel has not reached the files yet: nothing to confirm
        if last_read.get(cancel.resource, cancel.arrived) > cancel.arrived:
            continue
        yield _finding(
            "cancel_not_confirmed",
            cancel,
            f"A cancel of {cancel.resource} answered in_progress and the batch was never "
            "read again: the client took the cancel as done. A cancel takes effect later; "
            "read the batch until file_counts.in_progress is 0 (the SDK's poll does).",
            [cancel],
        )


def _searched_before_ready(ordered: Sequence[Observation]) -> Iterator[Found]:
    early = [
        observation
        for observation in ordered
        if observation.operation in SEARCHES
        and observation.status == 200
        and observation.in_progress
    ]
    if not early:
        return
    yield _finding(
        "searched_before_ready",
        early[0],
        f"The client asked {len(early)} question(s) with file_search while files of the "
        "vector stores searched were still in progress: those files contributed nothing "
        "to the answers. Wait until the batch or file is completed (the SDKs' "
        "create_and_poll / upload_and_poll) before asking.",
        early,
    )


def _all_operations(ordered: Iterable[Observation]) -> frozenset[str]:
    return frozenset(observation.operation for observation in ordered)
