"""What a person inspecting the fake sees: every vector store, batch and file timeline.

Read-only and bounded: a huge scenario shows its newest vector stores and
batches and each batch's first files, with the totals, so one look costs
the same however large the state grows. Unlike the provider's views, a file
here shows its outcome and when it finishes on the clock, not only its status.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from fake_server.domain.model import FileBatch, VectorStore, VectorStoreFile
from fake_server.domain.views import FileCounts, FileStatus


class OverviewBounds(NamedTuple):
    vector_stores: int = 50
    batches: int = 50
    files: int = 100


class FileTimeline(NamedTuple):
    id: str
    created_at: int
    status: FileStatus
    # What it becomes (or became) when its processing time has passed.
    outcome: FileStatus
    # On the scenario's clock; None for a file that never had a timeline.
    finishes_at: float | None
    error_code: str | None
    # When a cancel stopped it, or (a gradual cancel on its way) will stop it.
    cancelled_at: float | None = None


class BatchTimeline(NamedTuple):
    id: str
    created_at: int
    status: FileStatus
    counts: FileCounts
    files: tuple[FileTimeline, ...]


class StoreOverview(NamedTuple):
    id: str
    name: str | None
    owner: str | None
    status: str
    counts: FileCounts
    batches: tuple[BatchTimeline, ...]
    batches_total: int


class Overview(NamedTuple):
    now: float
    vector_stores: tuple[StoreOverview, ...]
    vector_stores_total: int


def overview(stores: Sequence[VectorStore], now: float, limits: OverviewBounds) -> Overview:
    """The newest ``limits.vector_stores`` stores, newest first, each with its newest batches."""
    shown = stores[::-1][: limits.vector_stores]
    return Overview(now, tuple(_store(store, now, limits) for store in shown), len(stores))


def _store(store: VectorStore, now: float, limits: OverviewBounds) -> StoreOverview:
    view = store.view(now)
    batches = list(store.batches.values())[::-1][: limits.batches]
    return StoreOverview(
        store.id,
        store.name,
        store.owner,
        view.status,
        view.counts,
        tuple(_batch(batch, now, limits) for batch in batches),
        len(store.batches),
    )


def _batch(batch: FileBatch, now: float, limits: OverviewBounds) -> BatchTimeline:
    view = batch.view(now)
    files = tuple(_file(file, now) for file in batch.files[: limits.files])
    return BatchTimeline(batch.id, batch.created_at, view.status, view.counts, files)


def _file(file: VectorStoreFile, now: float) -> FileTimeline:
    status = file.status_at(now)
    return FileTimeline(
        file.id,
        file.created_at,
        status,
        file.outcome,
        file.finishes_at,
        file.error_code if status is FileStatus.FAILED else None,
        file.cancelled_at,
    )
