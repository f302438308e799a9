"""What a recording shows of the objects a client touched: which it created, which
existed before, and every observation of a vector store file's status.

An observation is dated at the middle of its exchange (arrival plus half the
time to the answer): the upstream read its state somewhere in that span.
Per-file reads (a vector store file, a page of a batch's or a store's files)
say each file's status; a batch's ``file_counts`` say it for groups of files:
when a count reaches the number of the batch's files that end with that status,
all of them have finished; while it is 0, none of them has. A file no read
showed finishing ends as the counts say, once nothing is in progress: with the
files whose status was read subtracted, one count that covers all the others
(a batch of completed files with one failed file read on its own).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

from fake_server.contract.operations import OPERATIONS, Operation, Shows
from fake_server.http.routes import Router, routes
from fake_server.recording.cassette import Cassette, Exchange

FINISHED = ("completed", "failed", "cancelled")
_ROUTER: Router[str] = Router(routes({op.id: op.id for op in OPERATIONS}))


def operation_of(exchange: Exchange) -> tuple[Operation | None, dict[str, str]]:
    """The provider operation an exchange called and its path parameters (None: no route)."""
    match = _ROUTER.match(exchange.request.method, exchange.request.path)
    if match.route is None or match.route.dialect is None:
        return None, {}
    return match.route.operation, match.path_params


def is_upload(operation: Operation) -> bool:
    """The operation that uploads a file: it creates one."""
    return operation.creates and operation.shows is Shows.FILE


def when(exchange: Exchange) -> float:
    return exchange.t + exchange.duration / 2


@dataclasses.dataclass
class FileTimeline:
    """One file in one vector store, as the recording saw it."""

    store: str
    file: str
    batch: str | None = None
    attached_at: float | None = None  # None: attached before the recording
    in_progress: list[float] = dataclasses.field(default_factory=list)
    finished: list[tuple[float, str | None]] = dataclasses.field(default_factory=list)
    status: str | None = None  # the last finished status seen
    error_code: str | None = None
    error_message: str | None = None

    def last_in_progress(self) -> float | None:
        first = self.first_finished()
        before = [t for t in self.in_progress if first is None or t <= first]
        return max(before) if before else None

    def first_finished(self) -> float | None:
        return min((t for t, _ in self.finished), default=None)


@dataclasses.dataclass
class Seen:
    """Everything a recording shows, by id."""

    created_files: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)
    created_stores: set[str] = dataclasses.field(default_factory=set)
    created_batches: set[str] = dataclasses.field(default_factory=set)
    file_objects: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)
    store_objects: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)
    referenced_files: set[str] = dataclasses.field(default_factory=set)
    referenced_stores: set[str] = dataclasses.field(default_factory=set)
    # Each batch's store and the timelines of its files.
    batches: dict[str, tuple[str, list[FileTimeline]]] = dataclasses.field(default_factory=dict)
    timelines: dict[tuple[str, str], FileTimeline] = dataclasses.field(default_factory=dict)
    batch_counts: list[tuple[str, float, dict[str, int]]] = dataclasses.field(default_factory=list)
    cancels: list[tuple[str, str, float, dict[str, Any]]] = dataclasses.field(default_factory=list)
    rate_limits: list[Exchange] = dataclasses.field(default_factory=list)
    too_large: list[Exchange] = dataclasses.field(default_factory=list)
    poll_after_ms: list[int] = dataclasses.field(default_factory=list)

    # Timelines that ended in a store before the same file was attached to it again.
    earlier: list[FileTimeline] = dataclasses.field(default_factory=list)

    def all_timelines(self) -> list[FileTimeline]:
        return [*self.earlier, *self.timelines.values()]

    def attach(self, store: str, file: str, at: float, batch: str | None) -> FileTimeline:
        """A new timeline for a file attached at ``at``; an earlier one of the same
        file in the same store is kept apart."""
        old = self.timelines.get((store, file))
        if old is not None and (old.attached_at is not None or old.finished):
            self.earlier.append(old)
            del self.timelines[(store, file)]
        timeline = self.timeline(store, file)
        timeline.attached_at, timeline.batch = at, batch
        return timeline

    def timeline(self, store: str, file: str) -> FileTimeline:
        found = self.timelines.get((store, file))
        if found is None:
            found = self.timelines[(store, file)] = FileTimeline(store, file)
        return found


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _file_ids(body: Any) -> list[str]:
    """The files a create names: ``file_ids`` or ``files[].file_id``."""
    if not isinstance(body, dict):
        return []
    ids = [i for i in _list(body.get("file_ids")) if isinstance(i, str)]
    for item in _list(body.get("files")):
        if isinstance(item, dict) and isinstance(item.get("file_id"), str):
            ids.append(item["file_id"])
    return ids


def counts_of(value: Any) -> dict[str, int] | None:
    """A batch's ``file_counts``, its whole non-negative numbers only."""
    if not isinstance(value, dict):
        return None
    return {
        name: count
        for name, count in value.items()
        if isinstance(count, int) and not isinstance(count, bool) and count >= 0
    }


def _page(body: Any) -> Iterator[dict[str, Any]]:
    if isinstance(body, dict) and isinstance(body.get("data"), list):
        yield from (item for item in body["data"] if isinstance(item, dict))


def observe(cassette: Cassette) -> Seen:
    seen = Seen()
    for exchange in cassette.exchanges:
        operation, params = operation_of(exchange)
        if operation is None:
            continue
        status = exchange.response.status
        _references(seen, params, exchange.request.body, status)
        if status == 429:
            seen.rate_limits.append(exchange)
        elif status == 413 and is_upload(operation):
            seen.too_large.append(exchange)
        poll = exchange.response.headers.get("openai-poll-after-ms", "")
        if poll.isdigit():
            seen.poll_after_ms.append(int(poll))
        if 200 <= status < 300:
            _answered(seen, operation, params, exchange)
    _from_counts(seen)
    return seen


def _references(seen: Seen, params: dict[str, str], body: Any, status: int) -> None:
    """The objects a request named that the upstream showed existing: those in
    its path unless it answered 404 (one of them is missing), those in its body
    when it answered 2xx or 429 (a rate limit counts files once they are found)."""
    if status != 404:
        if "file_id" in params:
            seen.referenced_files.add(params["file_id"])
        if "vector_store_id" in params:
            seen.referenced_stores.add(params["vector_store_id"])
    if 200 <= status < 300 or status == 429:
        seen.referenced_files.update(_file_ids(body))


def _answered(seen: Seen, operation: Operation, params: dict[str, str], exchange: Exchange) -> None:
    body = exchange.response.body
    if operation.shows is None or not isinstance(body, dict):
        return
    reader = _READERS.get((operation.shows, operation.creates))
    if reader is not None:
        reader(seen, operation, params, body, exchange)


def _file_created(
    seen: Seen, operation: Operation, params: dict[str, str], body: Any, exchange: Exchange
) -> None:
    if isinstance(body.get("id"), str):
        seen.created_files[body["id"]] = body


def _files_read(
    seen: Seen, operation: Operation, params: dict[str, str], body: Any, exchange: Exchange
) -> None:
    for item in [body, *_page(body)]:
        if isinstance(item.get("id"), str) and item.get("object") == "file":
            seen.file_objects.setdefault(item["id"], item)


def _store_created(
    seen: Seen, operation: Operation, params: dict[str, str], body: Any, exchange: Exchange
) -> None:
    if isinstance(body.get("id"), str):
        seen.created_stores.add(body["id"])
        for file in _file_ids(exchange.request.body):
            seen.attach(body["id"], file, when(exchange), None)


def _store_read(
    seen: Seen, operation: Operation, params: dict[str, str], body: Any, exchange: Exchange
) -> None:
    if isinstance(body.get("id"), str):
        seen.store_objects.setdefault(body["id"], body)


def _batch_read(
    seen: Seen, operation: Operation, params: dict[str, str], body: Any, exchange: Exchange
) -> None:
    batch, at = params.get("batch_id", ""), when(exchange)
    seen.batches.setdefault(batch, (params.get("vector_store_id", ""), []))
    counts = counts_of(body.get("file_counts"))
    if counts is not None:
        seen.batch_counts.append((batch, at, counts))
    if operation.cancels_batch:
        seen.cancels.append((params.get("vector_store_id", ""), batch, at, counts or {}))


def _store_file_read(
    seen: Seen, operation: Operation, params: dict[str, str], body: Any, exchange: Exchange
) -> None:
    store, at = params.get("vector_store_id", ""), when(exchange)
    if operation.creates and isinstance(body.get("id"), str):
        seen.attach(store, body["id"], at, None)
    _file_status(seen, store, body, at, params.get("batch_id"))


def _store_files_read(
    seen: Seen, operation: Operation, params: dict[str, str], body: Any, exchange: Exchange
) -> None:
    store, at = params.get("vector_store_id", ""), when(exchange)
    for item in _page(body):
        _file_status(seen, store, item, at, params.get("batch_id"))


def _batch_created(
    seen: Seen, operation: Operation, params: dict[str, str], body: Any, exchange: Exchange
) -> None:
    if not isinstance(body.get("id"), str):
        return
    store = params.get("vector_store_id", "")
    batch, at = body["id"], when(exchange)
    files = _file_ids(exchange.request.body)
    seen.created_batches.add(batch)
    seen.batches[batch] = (store, [seen.attach(store, file, at, batch) for file in files])
    counts = counts_of(body.get("file_counts"))
    if counts is not None:
        seen.batch_counts.append((batch, at, counts))


def _file_status(
    seen: Seen, store: str, item: dict[str, Any], at: float, batch: str | None
) -> None:
    file, status = item.get("id"), item.get("status")
    if not isinstance(file, str) or not isinstance(status, str):
        return
    timeline = seen.timeline(store, file)
    if batch is not None and timeline.batch is None:
        timeline.batch = batch
        seen.batches.setdefault(batch, (store, []))[1].append(timeline)
    if status == "in_progress":
        timeline.in_progress.append(at)
    elif status in FINISHED:
        timeline.finished.append((at, status))
        timeline.status = status
        error = item.get("last_error")
        if isinstance(error, dict):
            code, message = error.get("code"), error.get("message")
            timeline.error_code = code if isinstance(code, str) else None
            timeline.error_message = message if isinstance(message, str) else None


_Reader = Callable[[Seen, Operation, dict[str, str], Any, Exchange], None]
# What an answer (a 2xx JSON object) tells, by the object it shows and whether
# the operation created it (``Operation.shows``, ``Operation.creates``). A page
# of vector stores tells nothing a scenario needs.
_READERS: dict[tuple[Shows, bool], _Reader] = {
    (Shows.FILE, True): _file_created,
    (Shows.FILE, False): _files_read,
    (Shows.FILE_LIST, False): _files_read,
    (Shows.VECTOR_STORE, True): _store_created,
    (Shows.VECTOR_STORE, False): _store_read,
    (Shows.BATCH, True): _batch_created,
    (Shows.BATCH, False): _batch_read,
    (Shows.STORE_FILE, True): _store_file_read,
    (Shows.STORE_FILE, False): _store_file_read,
    (Shows.STORE_FILE_LIST, False): _store_files_read,
}


def _statuses_from_counts(seen: Seen) -> None:
    """A batch whose counts show all its files ended one way, or all those whose
    status no read showed (the others subtracted): each of those files' status."""
    for batch, _, counts in seen.batch_counts:
        files = seen.batches.get(batch, ("", []))[1]
        if not files or counts.get("in_progress") != 0:
            continue
        for status in FINISHED:
            count = counts.get(status)
            unknown = [timeline for timeline in files if timeline.status is None]
            if count == len(files) or (
                unknown
                and counts.get("total") == len(files)
                and count == len(unknown) + sum(t.status == status for t in files)
            ):
                for timeline in unknown:
                    timeline.status = status


def _from_counts(seen: Seen) -> None:
    """Per-file observations read off batch counts (see the module's note)."""
    _statuses_from_counts(seen)
    for batch, at, counts in seen.batch_counts:
        files = seen.batches.get(batch, ("", []))[1]
        for status in FINISHED:
            ending = [timeline for timeline in files if timeline.status == status]
            count = counts.get(status)
            if not ending or not isinstance(count, int):
                continue
            for timeline in ending:
                if count >= len(ending):
                    timeline.finished.append((at, status))
                elif count == 0:
                    timeline.in_progress.append(at)
        if counts.get("in_progress") == counts.get("total") and files:
            for timeline in files:
                timeline.in_progress.append(at)
