"""Domain objects: uploaded files, vector stores, file batches and their files.

Pure Python, no HTTP. Each vector store file has a timeline (``in_progress``
until ``finishes_at`` on the clock, then its outcome). A batch's and a vector
store's status and counts are derived from their files when read, never stored.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

from fake_server import defaults


class FileStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


DEFAULT_OUTCOME = FileStatus(defaults.OUTCOME)


class Processing(NamedTuple):
    """How a file behaves once added to a vector store: time to outcome, outcome, error."""

    seconds: float | None = None
    outcome: FileStatus = DEFAULT_OUTCOME
    error_code: str = defaults.ERROR_CODE
    error_message: str = defaults.ERROR_MESSAGES[defaults.ERROR_CODE]


# For a file that sets nothing: the store's default time, then completed.
NO_OWN_PROCESSING = Processing()


@dataclass(slots=True)
class UploadedFile:
    """A file uploaded to the account (or declared by a scenario), ready to be added."""

    id: str
    filename: str
    bytes: int
    created_at: int
    purpose: str
    processing: Processing = NO_OWN_PROCESSING
    owner: str | None = None


@dataclass(slots=True)
class VectorStoreFile:
    """A file attached to a vector store, with its processing timeline."""

    id: str
    vector_store_id: str
    created_at: int
    status: FileStatus
    outcome: FileStatus = DEFAULT_OUTCOME
    finishes_at: float | None = None
    usage_bytes: int = 0
    error_code: str = defaults.ERROR_CODE
    error_message: str = defaults.ERROR_MESSAGES[defaults.ERROR_CODE]
    # Views never change once made, so the last one is handed out again
    # until the file's status moves on; lists of files cost far less so.
    last_view: FileView | None = field(default=None, repr=False, compare=False)

    def status_at(self, now: float) -> FileStatus:
        if (
            self.status is FileStatus.IN_PROGRESS
            and self.finishes_at is not None
            and now >= self.finishes_at
        ):
            return self.outcome
        return self.status

    def view(self, now: float) -> FileView:
        status = self.status_at(now)
        last = self.last_view
        if last is not None and last.status is status:
            return last
        failed = status is FileStatus.FAILED
        self.last_view = view = FileView(
            id=self.id,
            vector_store_id=self.vector_store_id,
            created_at=self.created_at,
            status=status,
            usage_bytes=self.usage_bytes if status is FileStatus.COMPLETED else 0,
            error_code=self.error_code if failed else None,
            error_message=self.error_message if failed else None,
        )
        return view


class FileCounts(NamedTuple):
    in_progress: int
    completed: int
    failed: int
    cancelled: int

    @property
    def total(self) -> int:
        return self.in_progress + self.completed + self.failed + self.cancelled


# Views are never changed once made, but keep their encodings once rendered:
# plain slotted dataclasses, cheaper to create than frozen ones.


def count_files(files: Iterable[VectorStoreFile], now: float) -> FileCounts:
    # A dict literal, not dict.fromkeys(FileStatus): iterating an enum costs
    # more than counting a small batch.
    tally = {
        FileStatus.IN_PROGRESS: 0,
        FileStatus.COMPLETED: 0,
        FileStatus.FAILED: 0,
        FileStatus.CANCELLED: 0,
    }
    for file in files:
        tally[file.status_at(now)] += 1
    return FileCounts(
        in_progress=tally[FileStatus.IN_PROGRESS],
        completed=tally[FileStatus.COMPLETED],
        failed=tally[FileStatus.FAILED],
        cancelled=tally[FileStatus.CANCELLED],
    )


@dataclass(slots=True)
class BatchView:
    """A batch as seen at one instant."""

    id: str
    vector_store_id: str
    created_at: int
    status: FileStatus
    counts: FileCounts
    # The view's JSON in each dialect, filled in by the renderer; a view
    # never changes, so neither does its encoding.
    encoded: dict[str, bytes] = field(default_factory=dict, repr=False, compare=False)


@dataclass(slots=True)
class FileView:
    """A vector store file as seen at one instant."""

    id: str
    vector_store_id: str
    created_at: int
    status: FileStatus
    usage_bytes: int
    error_code: str | None
    error_message: str | None
    # The view's JSON, filled in by the renderer the first time it is sent;
    # a view never changes, so neither does its encoding.
    encoded: bytes | None = field(default=None, repr=False, compare=False)


@dataclass(slots=True)
class VectorStoreView:
    id: str
    name: str | None
    description: str | None
    created_at: int
    status: str
    usage_bytes: int
    counts: FileCounts
    last_active_at: int | None
    metadata: dict[str, str]


@dataclass(slots=True)
class FileBatch:
    id: str
    vector_store_id: str
    created_at: int
    files: list[VectorStoreFile]
    positions: dict[str, int] = field(init=False, repr=False)
    # Views of the batch and of its files, and the span of clock time they
    # hold for: no file changes status inside it unless the batch is cancelled.
    _views: list[FileView] | None = field(default=None, init=False, repr=False)
    _batch_view: BatchView | None = field(default=None, init=False, repr=False)
    _span_from: float = field(default=0.0, init=False, repr=False)
    _span_until: float = field(default=-math.inf, init=False, repr=False)

    def __post_init__(self) -> None:
        # Files are kept in creation order; the position of each id lets a
        # pagination cursor be found without a scan.
        self.files.sort(key=lambda file: file.created_at)
        self.positions = {file.id: index for index, file in enumerate(self.files)}

    def file_views(self, now: float) -> list[FileView]:
        """Every file as seen at ``now``, in creation order.

        A batch is read far more often than its files change, so views are
        built again only once the clock reaches the next file's finishing
        time, or after a cancel.
        """
        if not self._span_from <= now < self._span_until:
            self._start_span(now)
        views = self._views
        if views is None:
            self._views = views = [file.view(now) for file in self.files]
        return views

    def view(self, now: float) -> BatchView:
        if not self._span_from <= now < self._span_until:
            self._start_span(now)
        view = self._batch_view
        if view is None:
            counts = count_files(self.files, now)
            self._batch_view = view = BatchView(
                self.id, self.vector_store_id, self.created_at, batch_status(counts), counts
            )
        return view

    def cancel(self, now: float) -> None:
        cancelled_any = False
        for file in self.files:
            if file.status_at(now) is FileStatus.IN_PROGRESS:
                file.status = FileStatus.CANCELLED
                cancelled_any = True
        if cancelled_any:
            self._span_until = -math.inf  # every view is out of date

    def _start_span(self, now: float) -> None:
        self._views = None
        self._batch_view = None
        self._span_from = now
        self._span_until = min(
            (
                file.finishes_at
                for file in self.files
                if file.status is FileStatus.IN_PROGRESS
                and file.finishes_at is not None
                and file.finishes_at > now
            ),
            default=math.inf,
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
    if counts.failed and counts.failed == counts.total:
        return FileStatus.FAILED
    return FileStatus.COMPLETED


@dataclass(slots=True)
class VectorStore:
    id: str
    name: str | None
    created_at: int
    description: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    batches: dict[str, FileBatch] = field(default_factory=dict)
    # The store's files by id; a file added again replaces the earlier entry.
    files: dict[str, VectorStoreFile] = field(default_factory=dict)
    last_active_at: int | None = None
    # The end user (X-On-Behalf-Of) it belongs to; None: the whole account's.
    owner: str | None = None

    def add_batch(self, batch: FileBatch) -> None:
        self.batches[batch.id] = batch
        for file in batch.files:
            self.files[file.id] = file

    def view(self, now: float) -> VectorStoreView:
        counts = count_files(self.files.values(), now)
        usage = sum(
            file.usage_bytes
            for file in self.files.values()
            if file.status_at(now) is FileStatus.COMPLETED
        )
        return VectorStoreView(
            id=self.id,
            name=self.name,
            description=self.description,
            created_at=self.created_at,
            status="in_progress" if counts.in_progress else "completed",
            usage_bytes=usage,
            counts=counts,
            last_active_at=self.last_active_at,
            metadata=dict(self.metadata),
        )
