"""The inspector's read of an account: file timelines, newest first, bounded."""

from __future__ import annotations

from fake_server.domain.account import Account
from fake_server.domain.clock import VirtualClock
from fake_server.domain.inspection import OverviewBounds
from fake_server.domain.model import FileBatch, VectorStore, VectorStoreFile
from fake_server.domain.views import FileStatus


def in_progress(file_id: str, finishes_at: float, outcome: FileStatus) -> VectorStoreFile:
    return VectorStoreFile(
        file_id, "vs_1", 1000, FileStatus.IN_PROGRESS, outcome=outcome, finishes_at=finishes_at
    )


def test_each_file_shows_its_outcome_and_when_it_finishes() -> None:
    clock = VirtualClock(1000)
    store = VectorStore("vs_1", "Docs", 1000)
    store.add_batch(
        FileBatch(
            "vsfb_1",
            "vs_1",
            1000,
            [
                in_progress("file-a", 1010, FileStatus.COMPLETED),
                in_progress("file-b", 1020, FileStatus.FAILED),
            ],
        )
    )
    account = Account(clock, [store])
    clock.advance(15)

    (shown,) = account.inspect(OverviewBounds()).vector_stores
    (batch,) = shown.batches
    first, second = batch.files
    assert (first.status, first.outcome, first.finishes_at) == (
        FileStatus.COMPLETED,
        FileStatus.COMPLETED,
        1010,
    )
    assert (second.status, second.outcome, second.finishes_at) == (
        FileStatus.IN_PROGRESS,
        FileStatus.FAILED,
        1020,
    )
    assert batch.counts.completed == 1 and batch.status is FileStatus.IN_PROGRESS

    account.cancel_batch("vs_1", "vsfb_1")
    (batch,) = account.inspect(OverviewBounds()).vector_stores[0].batches
    assert [file.status for file in batch.files] == [FileStatus.COMPLETED, FileStatus.CANCELLED]
    assert batch.status is FileStatus.CANCELLED


def test_the_newest_stores_and_batches_first_within_the_limits() -> None:
    clock = VirtualClock(1000)
    stores = []
    for index in range(3):
        store = VectorStore(f"vs_{index}", None, 1000 + index)
        for number in range(3):
            files = [in_progress(f"file-{n}", 2000, FileStatus.COMPLETED) for n in range(5)]
            store.add_batch(FileBatch(f"vsfb_{index}_{number}", store.id, 1000, files))
        stores.append(store)
    overview = Account(clock, stores).inspect(OverviewBounds(vector_stores=2, batches=2, files=3))

    assert overview.vector_stores_total == 3
    assert [store.id for store in overview.vector_stores] == ["vs_2", "vs_1"]
    newest = overview.vector_stores[0]
    assert newest.batches_total == 3
    assert [batch.id for batch in newest.batches] == ["vsfb_2_2", "vsfb_2_1"]
    assert len(newest.batches[0].files) == 3 and newest.batches[0].counts.total == 5
