"""A file batch: its files in creation order, its status and counts derived from them."""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass, field

from fake_server.domain.model.file import VectorStoreFile, changes_after, count_files
from fake_server.domain.views import BatchView, FileCounts, FileList, FileStatus


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
