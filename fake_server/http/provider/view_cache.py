"""Encodings kept for as long as the state they encode holds.

A batch is read far more often than it changes, and a page of 100 files is
about 30 KB of JSON: encoding it on every request would cost more than the
rest of the request. So the encodings of the last snapshot the account gave
for each batch (and each vector store's file list) are kept here, beside the
renderer. The account decides whether a snapshot still holds (its vector
store's version, and the next moment a file changes status on its own); when
it hands back the very snapshot it was given, the encodings are reused, else
they are built again. Nothing is kept in the domain.

One cache per session's world, replaced with it (a reset or a new scenario
builds a new account and a new cache: see ``Session``). Bounded: the oldest
entries go first.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import NamedTuple

from fake_server.contract.dialects import Dialect
from fake_server.domain.paging import Page, PageQuery, paginate
from fake_server.domain.views import BatchView, FileList, FileStatus, Snapshot
from fake_server.http.provider import render
from fake_server.http.provider.render import RenderedFile

# Files whose encodings are kept, over all entries of one account (about
# 300 bytes each), and batch bodies kept.
MAX_CACHED_FILES = 100_000
MAX_CACHED_BATCHES = 4096
# Finished pages kept per file list and snapshot (distinct queries: page
# sizes, cursors, filters); a page holds at most every file of its list once.
MAX_PAGES_PER_LIST = 8

PageKey = tuple[PageQuery, FileStatus | None]


class RenderedFiles(NamedTuple):
    """A snapshot of a file list and each file's encoding, in the same order."""

    snapshot: Snapshot[FileList]
    items: list[RenderedFile]
    # Pages asked of this very snapshot, finished (see ``finished_page``):
    # they go with it when it no longer holds.
    pages: dict[PageKey, render.FinishedPage]


class RenderedBatch(NamedTuple):
    snapshot: Snapshot[BatchView]
    # Per dialect name; a batch is rarely read in more than one.
    bodies: dict[str, bytes]


ReadFiles = Callable[[Snapshot[FileList] | None], Snapshot[FileList]]
ReadBatch = Callable[[Snapshot[BatchView] | None], Snapshot[BatchView]]


class ViewCache:
    def __init__(
        self, max_files: int = MAX_CACHED_FILES, max_batches: int = MAX_CACHED_BATCHES
    ) -> None:
        self._files: dict[str, RenderedFiles] = {}
        self._cached_files = 0
        self._batches: dict[str, RenderedBatch] = {}
        self._max_files = max_files
        self._max_batches = max_batches
        # Entries are immutable; the lock only keeps the bookkeeping of sizes right.
        self._lock = threading.Lock()

    def files(self, key: str, read: ReadFiles, dialect: Dialect | None = None) -> RenderedFiles:
        """The file list ``read`` gives (passed the last snapshot for ``key``), encoded
        for ``dialect`` (one key holds one dialect's encodings: see ``file_list_key``)."""
        cached = self._files.get(key)
        snapshot = read(cached.snapshot if cached is not None else None)
        if cached is not None and snapshot is cached.snapshot:
            return cached
        rendered = RenderedFiles(snapshot, _encode_files(snapshot.value, cached, dialect), {})
        with self._lock:
            previous = self._files.pop(key, None)
            if previous is not None:
                self._cached_files -= len(previous.items)
            self._files[key] = rendered
            self._cached_files += len(rendered.items)
            while self._cached_files > self._max_files and len(self._files) > 1:
                oldest = next(iter(self._files))
                self._cached_files -= len(self._files.pop(oldest).items)
        return rendered

    def batch(
        self, key: str, read: ReadBatch, dialect: Dialect
    ) -> tuple[BatchView, render.EncodedBody]:
        """The batch ``read`` gives (passed the last snapshot for ``key``), encoded."""
        cached = self._batches.get(key)
        snapshot = read(cached.snapshot if cached is not None else None)
        view = snapshot.value
        if cached is not None and snapshot is cached.snapshot:
            data = cached.bodies.get(dialect.name)
            if data is not None:
                return view, render.EncodedBody(data)
            bodies = cached.bodies
        else:
            bodies = {}
        encoded = render.file_batch_body(view, dialect)
        bodies[dialect.name] = encoded.data
        if cached is None or snapshot is not cached.snapshot:
            with self._lock:
                self._batches.pop(key, None)
                self._batches[key] = RenderedBatch(snapshot, bodies)
                while len(self._batches) > self._max_batches:
                    del self._batches[next(iter(self._batches))]
        # Sent with its value: a body just rendered is checked from it.
        return view, encoded


def page(files: RenderedFiles, query: PageQuery, status: FileStatus | None) -> Page[RenderedFile]:
    """One page of the encoded files, by the domain's paging rules."""
    positions = files.snapshot.value.positions
    if status is None:
        return paginate(files.items, positions, query)
    return paginate(files.items, positions, query, lambda item: item.view.status is status)


def finished_page(
    files: RenderedFiles, query: PageQuery, status: FileStatus | None
) -> render.FinishedPage:
    """``page``, encoded whole; the same query of the same snapshot gives the same bytes,
    so a client polling one page gets it without paging or joining again."""
    pages = files.pages
    key = (query, status)
    found = pages.get(key)
    if found is not None:
        return found
    built = render.FinishedPage(render.encoded_page(page(files, query, status)))
    while len(pages) >= MAX_PAGES_PER_LIST:
        # The oldest goes; another thread may have dropped it first.
        pages.pop(next(iter(pages), key), None)
    pages[key] = built
    return built


def _encode_files(
    files: FileList, previous: RenderedFiles | None, dialect: Dialect | None = None
) -> list[RenderedFile]:
    # When a file of a large batch finishes, the others have not changed:
    # their earlier encodings are reused, found by id and compared by value.
    if previous is None:
        return [
            RenderedFile(view, render.encode_vector_store_file(view, dialect))
            for view in files.views
        ]
    old_positions = previous.snapshot.value.positions
    old_items = previous.items
    items = []
    for view in files.views:
        index = old_positions.get(view.id)
        if index is not None and old_items[index].view == view:
            items.append(old_items[index])
        else:
            items.append(RenderedFile(view, render.encode_vector_store_file(view, dialect)))
    return items
