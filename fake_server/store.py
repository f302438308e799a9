"""Domain state: vector stores, file batches and their files.

Pure Python: no HTTP here. Each file has a timeline (``in_progress`` until
``finishes_at`` on the clock, then its outcome); a batch's status and counts
are derived from its files at the moment they are read, never stored.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from fake_server.clock import Clock
from fake_server.errors import InvalidRequestError, NotFoundError, quoted
from fake_server.ids import FILE_BATCH_PREFIX, VECTOR_STORE_PREFIX


class FileStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


class SortOrder(StrEnum):
    ASC = "asc"
    DESC = "desc"


@dataclass(slots=True)
class BatchFile:
    id: str
    created_at: int
    status: FileStatus
    outcome: FileStatus = FileStatus.COMPLETED
    finishes_at: float | None = None
    usage_bytes: int = 0
    error_code: str = "server_error"
    error_message: str = "The file could not be processed."

    def status_at(self, now: float) -> FileStatus:
        if (
            self.status is FileStatus.IN_PROGRESS
            and self.finishes_at is not None
            and now >= self.finishes_at
        ):
            return self.outcome
        return self.status


@dataclass(frozen=True, slots=True)
class FileCounts:
    in_progress: int
    completed: int
    failed: int
    cancelled: int

    @property
    def total(self) -> int:
        return self.in_progress + self.completed + self.failed + self.cancelled


@dataclass(frozen=True, slots=True)
class BatchView:
    """A batch as seen at one instant."""

    id: str
    vector_store_id: str
    created_at: int
    status: FileStatus
    counts: FileCounts


@dataclass(frozen=True, slots=True)
class FileView:
    """A file of a batch as seen at one instant."""

    id: str
    vector_store_id: str
    created_at: int
    status: FileStatus
    usage_bytes: int
    error_code: str | None
    error_message: str | None


@dataclass(frozen=True, slots=True)
class FilePage:
    files: list[FileView]
    has_more: bool


@dataclass(frozen=True, slots=True)
class FileListQuery:
    limit: int = 20
    order: SortOrder = SortOrder.DESC
    after: str | None = None
    before: str | None = None
    status: FileStatus | None = None


@dataclass(slots=True)
class FileBatch:
    id: str
    vector_store_id: str
    created_at: int
    files: list[BatchFile]
    _positions: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # Files are kept in creation order; the position of each id lets a
        # pagination cursor be found without a scan.
        self.files.sort(key=lambda file: file.created_at)
        self._positions = {file.id: index for index, file in enumerate(self.files)}

    def view(self, now: float) -> BatchView:
        tally = dict.fromkeys(FileStatus, 0)
        for file in self.files:
            tally[file.status_at(now)] += 1
        counts = FileCounts(
            in_progress=tally[FileStatus.IN_PROGRESS],
            completed=tally[FileStatus.COMPLETED],
            failed=tally[FileStatus.FAILED],
            cancelled=tally[FileStatus.CANCELLED],
        )
        return BatchView(
            self.id, self.vector_store_id, self.created_at, batch_status(counts), counts
        )

    def cancel(self, now: float) -> None:
        for file in self.files:
            if file.status_at(now) is FileStatus.IN_PROGRESS:
                file.status = FileStatus.CANCELLED

    def page(self, query: FileListQuery, now: float) -> FilePage:
        """One page of files, walked lazily so a huge batch costs O(limit)."""
        count = len(self.files)
        start, stop = 0, count
        if query.after is not None:
            start = self._ordered_position(query.after, "after", query.order) + 1
        if query.before is not None:
            stop = self._ordered_position(query.before, "before", query.order)
        positions: Iterable[int] = range(start, stop)
        backwards = query.before is not None and query.after is None
        if backwards:
            # A page that ends at a "before" cursor holds the files closest to it.
            positions = reversed(range(start, stop))
        chosen: list[FileView] = []
        for position in positions:
            file = self.files[position if query.order is SortOrder.ASC else count - 1 - position]
            view = self._file_view(file, now)
            if query.status is not None and view.status is not query.status:
                continue
            if len(chosen) == query.limit:
                return FilePage(chosen[::-1] if backwards else chosen, has_more=True)
            chosen.append(view)
        return FilePage(chosen[::-1] if backwards else chosen, has_more=False)

    def _ordered_position(self, file_id: str, param: str, order: SortOrder) -> int:
        position = self._positions.get(file_id)
        if position is None:
            raise InvalidRequestError(
                f"Invalid '{param}': no file with id {quoted(file_id)} in batch '{self.id}'.",
                param=param,
            )
        return position if order is SortOrder.ASC else len(self.files) - 1 - position

    def _file_view(self, file: BatchFile, now: float) -> FileView:
        status = file.status_at(now)
        failed = status is FileStatus.FAILED
        return FileView(
            id=file.id,
            vector_store_id=self.vector_store_id,
            created_at=file.created_at,
            status=status,
            usage_bytes=file.usage_bytes if status is FileStatus.COMPLETED else 0,
            error_code=file.error_code if failed else None,
            error_message=file.error_message if failed else None,
        )


def batch_status(counts: FileCounts) -> FileStatus:
    """The batch status rule (see the README): derived from the file counts.

    Files only ever become ``cancelled`` through a cancel that found them in
    progress, so "some file is cancelled" is the same as "a cancel took
    effect while files were still in progress".
    """
    if counts.in_progress:
        return FileStatus.IN_PROGRESS
    if counts.cancelled:
        return FileStatus.CANCELLED
    if counts.failed == counts.total:
        return FileStatus.FAILED
    return FileStatus.COMPLETED


@dataclass(slots=True)
class VectorStore:
    id: str
    name: str | None
    created_at: int
    batches: dict[str, FileBatch] = field(default_factory=dict)


class Store:
    """All vector stores of one fake account, read against one clock."""

    def __init__(self, clock: Clock, vector_stores: Iterable[VectorStore] = ()) -> None:
        self.clock = clock
        self._vector_stores = {store.id: store for store in vector_stores}
        # Handlers may run on several threads (in-process clients); every
        # read-and-settle happens under this lock so a cancel is atomic.
        self._lock = threading.Lock()

    def vector_stores(self) -> Iterator[VectorStore]:
        return iter(self._vector_stores.values())

    def get_batch(self, vector_store_id: str, batch_id: str) -> BatchView:
        with self._lock:
            return self._batch(vector_store_id, batch_id).view(self.clock.now())

    def cancel_batch(self, vector_store_id: str, batch_id: str) -> BatchView:
        with self._lock:
            batch = self._batch(vector_store_id, batch_id)
            now = self.clock.now()
            batch.cancel(now)
            return batch.view(now)

    def list_batch_files(
        self, vector_store_id: str, batch_id: str, query: FileListQuery
    ) -> FilePage:
        with self._lock:
            return self._batch(vector_store_id, batch_id).page(query, self.clock.now())

    def _batch(self, vector_store_id: str, batch_id: str) -> FileBatch:
        check_id_prefix("vector_store_id", vector_store_id, VECTOR_STORE_PREFIX)
        check_id_prefix("batch_id", batch_id, FILE_BATCH_PREFIX)
        store = self._vector_stores.get(vector_store_id)
        if store is None:
            raise NotFoundError(f"No vector store found with id {quoted(vector_store_id)}.")
        batch = store.batches.get(batch_id)
        if batch is None:
            raise NotFoundError(
                f"No file batch found with id {quoted(batch_id)} "
                f"in vector store '{vector_store_id}'."
            )
        return batch


def check_id_prefix(param: str, value: str, prefix: str) -> None:
    if not value.startswith(prefix):
        raise InvalidRequestError(
            f"Invalid '{param}': {quoted(value)}. Expected an ID that begins with '{prefix}'.",
            param=param,
        )
