"""Domain objects: vector stores, file batches and their files (uploads: ``uploads``).

Pure Python, no HTTP, no wire bytes. Each vector store file has a timeline
(``in_progress`` until ``finishes_at`` on the clock, then its outcome). A
batch's and a vector store's status and counts are derived from their files
when read, never stored.

A vector store is the only way in to its files and batches: every change to
them goes through one of its methods, and each of those gives the vector store
a new ``version``. Together with the next moment a file changes status on its
own (``changes_after``), that tells a reader exactly how long what it derived
holds, so the layers above may keep what they derive without ever keeping it
too long. Nothing here keeps views; the values reads return are in ``views``.
"""

from __future__ import annotations

import itertools
import math
import operator
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, NamedTuple

from fake_server import defaults
from fake_server.domain.search_index import SearchIndex
from fake_server.domain.views import (
    BatchView,
    FileCounts,
    FileList,
    FileStatus,
    FileView,
    Snapshot,
    VectorStoreView,
)

DEFAULT_OUTCOME = FileStatus(defaults.OUTCOME)
# Processing time of a file that never finishes (``processing_seconds: never``):
# it stays in progress until a cancel reaches it.
NEVER = math.inf
# The error code of a file skipped for holding content the store already has (MKA1).
DUPLICATE_FILE = "duplicate_file"


class Processing(NamedTuple):
    """How a file behaves once added to a vector store: time to outcome, outcome,
    error (code and message, both or neither). None: the account's default."""

    seconds: float | None = None
    outcome: FileStatus | None = None
    error_code: str | None = None
    error_message: str | None = None

    def over(self, default: Processing) -> Processing:
        """This file's own settings, and the default's where it has none."""
        if self is NO_OWN_PROCESSING:
            return default  # most uploads set nothing of their own
        own_error = self.error_code is not None
        return Processing(
            self.seconds if self.seconds is not None else default.seconds,
            self.outcome or default.outcome,
            self.error_code if own_error else default.error_code,
            self.error_message if own_error else default.error_message,
        )

    def new_file(
        self, file_id: str, vector_store_id: str, created_at: int, now: float, usage_bytes: int
    ) -> VectorStoreFile:
        """A file in progress from ``now``, behaving as this says (unset: the built-in defaults)."""
        return VectorStoreFile(
            file_id,
            vector_store_id,
            created_at,
            FileStatus.IN_PROGRESS,
            outcome=self.outcome or DEFAULT_OUTCOME,
            finishes_at=now + (self.seconds or 0.0),
            usage_bytes=usage_bytes,
            error_code=self.error_code or defaults.ERROR_CODE,
            error_message=self.error_message or defaults.ERROR_MESSAGES[defaults.ERROR_CODE],
        )


# For a file that sets nothing: the account's defaults apply.
NO_OWN_PROCESSING = Processing()


class VectorStoreFile:
    """A file attached to a vector store, with its processing timeline.

    Its status is private: it moves on with the clock (``status_at``) and
    changes otherwise only through ``cancel``, which only its vector store calls.
    """

    __slots__ = (
        "_status",
        "attributes",
        "chunking_strategy",
        "created_at",
        "error_code",
        "error_message",
        "finishes_at",
        "id",
        "outcome",
        "usage_bytes",
        "vector_store_id",
    )

    def __init__(
        self,
        id: str,
        vector_store_id: str,
        created_at: int,
        status: FileStatus,
        *,
        outcome: FileStatus = DEFAULT_OUTCOME,
        finishes_at: float | None = None,
        usage_bytes: int = 0,
        error_code: str = defaults.ERROR_CODE,
        error_message: str = defaults.ERROR_MESSAGES[defaults.ERROR_CODE],
    ) -> None:
        self.id = id
        self.vector_store_id = vector_store_id
        self.created_at = created_at
        self._status = status
        self.outcome = outcome
        self.finishes_at = finishes_at
        self.usage_bytes = usage_bytes
        self.error_code = error_code
        self.error_message = error_message
        # As sent (None: not sent); only its vector store changes them.
        self.attributes: dict[str, str | float | bool] | None = None
        self.chunking_strategy: dict[str, Any] | None = None

    def __repr__(self) -> str:
        return f"VectorStoreFile({self.id!r}, {self._status.value}, finishes_at={self.finishes_at})"

    def status_at(self, now: float) -> FileStatus:
        if (
            self._status is FileStatus.IN_PROGRESS
            and self.finishes_at is not None
            and now >= self.finishes_at
        ):
            return self.outcome
        return self._status

    def changes_after(self, now: float) -> float:
        """The first moment after ``now`` at which the file changes status on its
        own (``math.inf`` if it never will)."""
        finishes_at = self.finishes_at
        if self._status is FileStatus.IN_PROGRESS and finishes_at is not None and finishes_at > now:
            return finishes_at
        return math.inf

    def cancel(self, now: float) -> bool:
        """Stop the file if it is still in progress at ``now``; say whether it was."""
        # status_at, inlined: a cancel of a finished batch is a loop of these.
        finishes_at = self.finishes_at
        if self._status is not FileStatus.IN_PROGRESS or (
            finishes_at is not None and now >= finishes_at
        ):
            return False
        self._status = FileStatus.CANCELLED
        return True

    def cancel_at(self, now: float, moment: float) -> bool:
        """A cancel asked at ``now`` that reaches the file at ``moment`` (gradual
        cancel): unless the file reaches its own outcome by then, it becomes
        cancelled at ``moment``. A file an earlier cancel already reaches sooner
        keeps that moment. Says whether anything changed."""
        finishes_at = self.finishes_at
        if self._status is not FileStatus.IN_PROGRESS or (
            finishes_at is not None and finishes_at <= moment
        ):
            return False
        # On its timeline: cancelled becomes the outcome, reached at ``moment``,
        # so status_at and changes_after stay exact without a second field.
        self.finishes_at = moment
        self.outcome = FileStatus.CANCELLED
        return True
    def skip_as_duplicate(self, holder_id: str) -> None:
        """MKA1's ``skip_duplicates``: a cancelled row naming the file that holds the content.

        Called only on a file not yet attached to any vector store."""
        self._status = FileStatus.CANCELLED
        self.finishes_at = None
        self.error_code = DUPLICATE_FILE
        self.error_message = f"Skipped: file '{holder_id}' holds the same content."

    @property
    def skipped_duplicate(self) -> bool:
        return self._status is FileStatus.CANCELLED and self.error_code == DUPLICATE_FILE

    def view(self, now: float) -> FileView:
        status = self.status_at(now)
        failed = status is FileStatus.FAILED or self.skipped_duplicate
        return FileView(
            self.id,
            self.vector_store_id,
            self.created_at,
            status,
            self.usage_bytes if status is FileStatus.COMPLETED else 0,
            self.error_code if failed else None,
            self.error_message if failed else None,
            self.attributes,
            self.chunking_strategy,
        )


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


def changes_after(files: Iterable[VectorStoreFile], now: float) -> float:
    """The first moment after ``now`` at which any of ``files`` changes status."""
    return min((file.changes_after(now) for file in files), default=math.inf)


@dataclass(slots=True)
class FileBatch:
    id: str
    vector_store_id: str
    created_at: int
    files: Sequence[VectorStoreFile]
    positions: dict[str, int] = field(init=False, repr=False)

    def detach(self, file_id: str) -> bool:
        """Drop a file from the batch (its vector store calls this); say whether it was there."""
        if file_id not in self.positions:
            return False
        self.files = tuple(file for file in self.files if file.id != file_id)
        self.positions = {file.id: index for index, file in enumerate(self.files)}
        return True

    def __post_init__(self) -> None:
        # Files are kept in creation order; the position of each id lets a
        # pagination cursor be found without a scan.
        self.files = tuple(sorted(self.files, key=_created_at))
        self.positions = {file.id: index for index, file in enumerate(self.files)}

    def view(self, now: float) -> BatchView:
        counts = count_files(self.files, now)
        status = batch_status(counts)
        if status is FileStatus.CANCELLED:
            # Duplicates skipped at creation are no cancel: the batch's status
            # follows the files that were attached.
            skipped = sum(1 for file in self.files if file.skipped_duplicate)
            if skipped:
                status = batch_status(counts._replace(cancelled=counts.cancelled - skipped))
        return BatchView(self.id, self.vector_store_id, self.created_at, status, counts)

    def file_list(self, now: float) -> FileList:
        return FileList([file.view(now) for file in self.files], self.positions)

    def changes_after(self, now: float) -> float:
        return changes_after(self.files, now)


_created_at = operator.attrgetter("created_at")


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


# Versions are unique in the process, not only within one vector store, so a
# vector store loaded again (a reset, another session) never repeats one.
_versions = itertools.count(1)


@dataclass(slots=True)
class VectorStore:
    id: str
    name: str | None
    created_at: int
    description: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    last_active_at: int | None = None
    # The end user (X-On-Behalf-Of) it belongs to; None: the whole account's.
    owner: str | None = None
    # {"anchor": "last_active_at", "days": N} as sent; None: never expires.
    expires_after: dict[str, Any] | None = None
    # MKA1 permissions (what each role allows: ``permissions``): role by end
    # user granted one, and the team's role (the fake has no teams: a team
    # grant reaches every end user).
    grants: dict[str, str] = field(default_factory=dict)
    team_role: str | None = None
    _batches: dict[str, FileBatch] = field(default_factory=dict, init=False, repr=False)
    # The vector store's files by id; a file added again replaces the earlier entry.
    _files: dict[str, VectorStoreFile] = field(default_factory=dict, init=False, repr=False)
    version: int = field(default_factory=lambda: next(_versions), init=False)
    # Its files' chunks for search, tokenised once; it goes with the store.
    search_index: SearchIndex = field(
        default_factory=SearchIndex, init=False, repr=False, compare=False
    )
    # Read-only views of the two above, for readers.
    batches: Mapping[str, FileBatch] = field(init=False, repr=False)
    files: Mapping[str, VectorStoreFile] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.batches = MappingProxyType(self._batches)
        self.files = MappingProxyType(self._files)

    # --- changes: each one gives the vector store a new version -------------

    def add_batch(self, batch: FileBatch, *, active_at: int | None = None) -> None:
        self._batches[batch.id] = batch
        self._attach(batch.files, active_at)

    def add_files(self, files: Iterable[VectorStoreFile], *, active_at: int | None = None) -> None:
        """Attach files that belong to no batch."""
        self._attach(files, active_at)

    def cancel_batch(self, batch_id: str, now: float, delay: float | None = None) -> bool:
        """Cancel the batch's files still in progress, at once (``delay`` None) or
        ``delay`` seconds from ``now``; say whether any file changed."""
        cancelled_any = False
        files = self._batches[batch_id].files
        if delay is None:
            for file in files:
                cancelled_any = file.cancel(now) or cancelled_any
        else:
            moment = now + delay
            for file in files:
                cancelled_any = file.cancel_at(now, moment) or cancelled_any
        if cancelled_any:
            self._changed()
        return cancelled_any

    def modify(
        self,
        *,
        name: str | None = None,
        metadata: dict[str, str] | None = None,
        expires_after: dict[str, Any] | None = None,
        fields: frozenset[str] = frozenset(),
        active_at: int | None = None,
    ) -> None:
        """Set the ``fields`` named (of name, metadata, expires_after); null clears."""
        if "name" in fields:
            self.name = name
        if "metadata" in fields:
            self.metadata = dict(metadata or {})
        if "expires_after" in fields:
            self.expires_after = dict(expires_after) if expires_after else None
        if active_at is not None:
            self.last_active_at = active_at
        self._changed()

    def detach_file(self, file_id: str) -> bool:
        """Remove a file from the vector store and from every batch holding it."""
        removed = self._files.pop(file_id, None) is not None
        for batch in self._batches.values():
            removed = batch.detach(file_id) or removed
        if removed:
            self.search_index.forget(file_id)
            self._changed()
        return removed

    def set_file_attributes(
        self, file_id: str, attributes: Mapping[str, str | float | bool] | None
    ) -> None:
        self._files[file_id].attributes = dict(attributes) if attributes is not None else None
        self._changed()

    def grant(self, user_id: str | None, role: str) -> None:
        """Give ``user_id`` (None: the team) ``role``, replacing any it held."""
        if user_id is None:
            self.team_role = role
        else:
            self.grants.pop(user_id, None)
            self.grants[user_id] = role
        self._changed()

    def revoke(self, user_id: str | None) -> bool:
        """Remove what ``user_id`` (None: the team) holds; say whether it held anything."""
        if user_id is None:
            held, self.team_role = self.team_role is not None, None
        else:
            held = self.grants.pop(user_id, None) is not None
        if held:
            self._changed()
        return held

    def expires_at(self) -> int | None:
        """When it expires: ``days`` after it was last active (or created)."""
        if not self.expires_after:
            return None
        anchor = self.last_active_at if self.last_active_at is not None else self.created_at
        return anchor + int(self.expires_after.get("days", 0)) * 86400

    def expired(self, now: float) -> bool:
        expires_at = self.expires_at()
        return expires_at is not None and now >= expires_at

    def _attach(self, files: Iterable[VectorStoreFile], active_at: int | None) -> None:
        for file in files:
            # Added again: the earlier entry goes, the new one counts as added last.
            self._files.pop(file.id, None)
            self._files[file.id] = file
        if active_at is not None:
            self.last_active_at = active_at
        self._changed()

    def _changed(self) -> None:
        self.version = next(_versions)

    # --- reads ------------------------------------------------------------------

    def batch_snapshot(
        self, batch_id: str, now: float, earlier: Snapshot[BatchView] | None
    ) -> Snapshot[BatchView]:
        if earlier is not None and earlier.holds(batch_id, self.version, now):
            return earlier
        batch = self._batches[batch_id]
        return Snapshot(batch.view(now), batch_id, self.version, now, batch.changes_after(now))

    def batch_files_snapshot(
        self, batch_id: str, now: float, earlier: Snapshot[FileList] | None
    ) -> Snapshot[FileList]:
        if earlier is not None and earlier.holds(batch_id, self.version, now):
            return earlier
        batch = self._batches[batch_id]
        return Snapshot(batch.file_list(now), batch_id, self.version, now, batch.changes_after(now))

    def files_snapshot(self, now: float, earlier: Snapshot[FileList] | None) -> Snapshot[FileList]:
        """Every file of the vector store as seen at ``now``, oldest first; files
        created at the same second keep the order they were added in."""
        if earlier is not None and earlier.holds(self.id, self.version, now):
            return earlier
        # A stable sort of the files in the order they were added.
        files = sorted(self._files.values(), key=lambda file: file.created_at)
        views = [file.view(now) for file in files]
        positions = {view.id: index for index, view in enumerate(views)}
        return Snapshot(
            FileList(views, positions), self.id, self.version, now, changes_after(files, now)
        )

    def view(self, now: float) -> VectorStoreView:
        files = self._files.values()
        counts = count_files(files, now)
        usage = sum(
            file.usage_bytes for file in files if file.status_at(now) is FileStatus.COMPLETED
        )
        expires_at = self.expires_at()
        if expires_at is not None and now >= expires_at:
            status = "expired"
        else:
            status = "in_progress" if counts.in_progress else "completed"
        return VectorStoreView(
            id=self.id,
            name=self.name,
            description=self.description,
            created_at=self.created_at,
            status=status,
            usage_bytes=usage,
            counts=counts,
            last_active_at=self.last_active_at,
            metadata=dict(self.metadata),
            expires_after=dict(self.expires_after) if self.expires_after else None,
            expires_at=expires_at,
        )
