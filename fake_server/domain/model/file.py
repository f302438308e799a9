"""A vector store file and how it behaves: its processing timeline and outcome.

Each file is ``in_progress`` until ``finishes_at`` on the clock, then its
outcome; a cancel (at once or gradual) is the only other change. Counting a
list of files, and when it next changes on its own, are stated here once for
batches and vector stores alike.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any, NamedTuple

from fake_server import defaults
from fake_server.domain.views import FileCounts, FileStatus, FileView

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
        "cancelled_at",
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
        # When a cancel stopped it, or (gradual) will: on the clock (the inspector's timeline).
        self.cancelled_at: float | None = None

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
        self.cancelled_at = now
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
        self.cancelled_at = moment
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
