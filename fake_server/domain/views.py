"""What reads return: a file's status, counts, views and snapshots.

Views are values: immutable, comparable, and holding no wire encoding. They
are derived from the mutable state of ``model`` when read, and nothing here
changes anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, Generic, NamedTuple, TypeVar


class FileStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


class FileCounts(NamedTuple):
    in_progress: int
    completed: int
    failed: int
    cancelled: int

    @property
    def total(self) -> int:
        return self.in_progress + self.completed + self.failed + self.cancelled


class BatchView(NamedTuple):
    """A batch as seen at one instant."""

    id: str
    vector_store_id: str
    created_at: int
    status: FileStatus
    counts: FileCounts


class FileView(NamedTuple):
    """A vector store file as seen at one instant."""

    id: str
    vector_store_id: str
    created_at: int
    status: FileStatus
    usage_bytes: int
    error_code: str | None
    error_message: str | None
    attributes: Mapping[str, str | float | bool] | None = None
    chunking_strategy: Mapping[str, Any] | None = None


class FileList(NamedTuple):
    """Files as seen at one instant, oldest first, and the index of each id."""

    views: list[FileView]
    positions: Mapping[str, int]


class VectorStoreView(NamedTuple):
    id: str
    name: str | None
    description: str | None
    created_at: int
    status: str
    usage_bytes: int
    counts: FileCounts
    last_active_at: int | None
    metadata: dict[str, str]
    expires_after: dict[str, Any] | None = None
    expires_at: int | None = None


Value = TypeVar("Value")


class Snapshot(NamedTuple, Generic[Value]):
    """What a read of a vector store derived, and for how long it holds.

    It holds while the vector store keeps ``version`` and the clock stays in
    ``[since, until)``: ``until`` is the next moment a file involved changes
    status on its own. Given back to the read that made it, a snapshot that
    still holds is returned as it is, so a caller can keep what it built from
    it (an encoding, say) exactly as long as it is true.
    """

    value: Value
    subject: str
    version: int
    since: float
    until: float

    def holds(self, subject: str, version: int, now: float) -> bool:
        return (
            version == self.version and subject == self.subject and self.since <= now < self.until
        )
