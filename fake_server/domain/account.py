"""The account's state and every operation on it.

Pure Python, no HTTP: raises the errors of ``fake_server.domain.errors``.
Every operation runs under one lock, so a cancel is atomic even when requests
are handled on several threads.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

from fake_server import defaults
from fake_server.domain.clock import Clock
from fake_server.domain.errors import (
    BatchSizeError,
    DuplicateFileError,
    InvalidRequestError,
    NotFoundError,
    RateLimitError,
    UnknownFileError,
    quoted,
)
from fake_server.domain.ids import (
    FILE_BATCH_PREFIX,
    VECTOR_STORE_PREFIX,
    new_file_batch_id,
    new_file_id,
    new_vector_store_id,
)
from fake_server.domain.inspection import Overview, OverviewBounds, overview
from fake_server.domain.limits import AttachWindow, Limits
from fake_server.domain.model import (
    BatchView,
    FileBatch,
    FileCounts,
    FileList,
    FileStatus,
    FileView,
    Processing,
    Snapshot,
    UploadedFile,
    VectorStore,
    VectorStoreFile,
    VectorStoreView,
)
from fake_server.domain.paging import Page, PageQuery, paginate

DEFAULT_PROCESSING = Processing(
    seconds=defaults.PROCESSING_SECONDS,
    outcome=FileStatus(defaults.OUTCOME),
    error_code=defaults.ERROR_CODE,
    error_message=defaults.ERROR_MESSAGES[defaults.ERROR_CODE],
)
MAX_FILES_PER_BATCH = defaults.MAX_FILES_PER_BATCH
NO_LIMITS = Limits()


class Account:
    """One fake account: its vector visible_stores and uploaded files, on one clock."""

    def __init__(
        self,
        clock: Clock,
        vector_stores: Iterable[VectorStore] = (),
        uploads: Iterable[UploadedFile] = (),
        *,
        default_processing: Processing = DEFAULT_PROCESSING,
        on_poll: Callable[[], object] | None = None,
        cancel_delay: float | None = None,
        limits: Limits = NO_LIMITS,
        on_rate_limited: Callable[[float], float] | None = None,
    ) -> None:
        self.clock = clock
        self._vector_stores = {
            vector_store.id: vector_store
            for vector_store in sorted(vector_stores, key=lambda s: s.created_at)
        }
        self._uploads = {upload.id: upload for upload in uploads}
        self._default_processing = default_processing
        # Called after an in-progress batch is read (the scenario's
        # ``advance_on_poll``), so polling clients finish without sleeping.
        self._on_poll = on_poll
        # None: a cancel takes effect at once; else it reaches each file in
        # progress this many seconds later (the scenario's ``cancel.mode: gradual``).
        self._cancel_delay = cancel_delay
        self._limits = limits
        per_minute = limits.attached_files_per_minute
        self._attached = None if per_minute is None else AttachWindow(per_minute)
        # Given the moment a refused request would pass, the client's wait in
        # wall seconds; a virtual clock's world moves the clock there first
        # (the fake waits for the client). None: the wait is that on the clock.
        self._on_rate_limited = on_rate_limited
        self._lock = threading.Lock()

    def vector_stores(self) -> Iterator[VectorStore]:
        return iter(list(self._vector_stores.values()))

    # --- file batches -------------------------------------------------------

    # Reads return a Snapshot: given back as ``earlier``, one that still holds
    # is returned unchanged, so what a caller built from it stays valid.

    def get_batch(
        self,
        vector_store_id: str,
        batch_id: str,
        *,
        actor: str | None = None,
        earlier: Snapshot[BatchView] | None = None,
    ) -> Snapshot[BatchView]:
        with self._lock:
            vector_store = self._batch_owner(vector_store_id, batch_id, actor)
            snapshot = vector_store.batch_snapshot(batch_id, self._now(), earlier)
        if snapshot.value.status is FileStatus.IN_PROGRESS and self._on_poll is not None:
            self._on_poll()
        return snapshot

    def cancel_batch(
        self,
        vector_store_id: str,
        batch_id: str,
        *,
        actor: str | None = None,
        earlier: Snapshot[BatchView] | None = None,
    ) -> Snapshot[BatchView]:
        with self._lock:
            vector_store = self._batch_owner(vector_store_id, batch_id, actor)
            now = self._now()
            vector_store.cancel_batch(batch_id, now, self._cancel_delay)
            return vector_store.batch_snapshot(batch_id, now, earlier)

    def batch_files(
        self,
        vector_store_id: str,
        batch_id: str,
        *,
        actor: str | None = None,
        earlier: Snapshot[FileList] | None = None,
    ) -> Snapshot[FileList]:
        """Every file of the batch, oldest first."""
        with self._lock:
            vector_store = self._batch_owner(vector_store_id, batch_id, actor)
            return vector_store.batch_files_snapshot(batch_id, self._now(), earlier)

    def list_batch_files(
        self,
        vector_store_id: str,
        batch_id: str,
        query: PageQuery,
        status: FileStatus | None = None,
        *,
        actor: str | None = None,
    ) -> Page[FileView]:
        files = self.batch_files(vector_store_id, batch_id, actor=actor).value
        return file_page(files.views, files.positions, query, status)

    def create_batch(
        self,
        vector_store_id: str,
        file_ids: Sequence[str],
        *,
        actor: str | None = None,
    ) -> BatchView:
        maximum = self._limits.files_per_batch
        if not 1 <= len(file_ids) <= maximum:
            raise BatchSizeError(len(file_ids), maximum)
        with self._lock:
            vector_store = self._vector_store(vector_store_id, actor)
            now = self._now()
            files = self._new_files(vector_store, file_ids, now, actor)
            self._admit(len(files), now)
            batch = FileBatch(
                id=new_file_batch_id(),
                vector_store_id=vector_store.id,
                created_at=int(now),
                files=files,
            )
            vector_store.add_batch(batch, active_at=int(now))
            # The answer to a create shows the batch as it was created, every
            # file still in progress, as the real API answers, even if a file
            # with no processing time is already done by the next read.
            counts = FileCounts(in_progress=len(batch.files), completed=0, failed=0, cancelled=0)
            return BatchView(
                batch.id, vector_store.id, batch.created_at, FileStatus.IN_PROGRESS, counts
            )

    # --- vector stores --------------------------------------------------------------

    def create_vector_store(
        self,
        name: str | None,
        description: str | None = None,
        metadata: dict[str, str] | None = None,
        file_ids: Sequence[str] = (),
        *,
        actor: str | None = None,
    ) -> VectorStoreView:
        with self._lock:
            now = self._now()
            vector_store = VectorStore(
                id=new_vector_store_id(),
                name=name,
                created_at=int(now),
                description=description,
                metadata=dict(metadata or {}),
                last_active_at=int(now),
                owner=actor,
            )
            files = self._new_files(vector_store, file_ids, now, actor)
            self._admit(len(files), now)
            vector_store.add_files(files)
            self._vector_stores[vector_store.id] = vector_store
            return vector_store.view(now)

    def get_vector_store(
        self, vector_store_id: str, *, actor: str | None = None
    ) -> VectorStoreView:
        with self._lock:
            return self._vector_store(vector_store_id, actor).view(self._now())

    def list_vector_stores(
        self, query: PageQuery, *, actor: str | None = None
    ) -> Page[VectorStoreView]:
        with self._lock:
            visible_stores = [s for s in self._vector_stores.values() if visible(s.owner, actor)]
            positions = {
                vector_store.id: index for index, vector_store in enumerate(visible_stores)
            }
            page = paginate(visible_stores, positions, query)
            now = self._now()
            return Page([vector_store.view(now) for vector_store in page.items], page.has_more)

    def delete_vector_store(self, vector_store_id: str, *, actor: str | None = None) -> str:
        with self._lock:
            vector_store = self._vector_store(vector_store_id, actor)
            del self._vector_stores[vector_store.id]
            return vector_store.id

    def list_vector_store_files(
        self,
        vector_store_id: str,
        query: PageQuery,
        status: FileStatus | None = None,
        *,
        actor: str | None = None,
    ) -> Page[FileView]:
        files = self.vector_store_files(vector_store_id, actor=actor).value
        return file_page(files.views, files.positions, query, status)

    def vector_store_files(
        self,
        vector_store_id: str,
        *,
        actor: str | None = None,
        earlier: Snapshot[FileList] | None = None,
    ) -> Snapshot[FileList]:
        """Every file of the vector store, in batches or not."""
        with self._lock:
            vector_store = self._vector_store(vector_store_id, actor)
            return vector_store.files_snapshot(self._now(), earlier)

    def get_vector_store_file(
        self, vector_store_id: str, file_id: str, *, actor: str | None = None
    ) -> FileView:
        with self._lock:
            vector_store = self._vector_store(vector_store_id, actor)
            file = vector_store.files.get(file_id)
            if file is None:
                raise NotFoundError(
                    f"No file found with id {quoted(file_id)} in vector store '{vector_store.id}'."
                )
            view = file.view(self._now())
        # A file polled while in progress moves the clock as a batch does.
        if view.status is FileStatus.IN_PROGRESS and self._on_poll is not None:
            self._on_poll()
        return view

    # --- uploaded files -----------------------------------------------------

    def upload_file(
        self, filename: str, size: int, purpose: str, *, actor: str | None = None
    ) -> UploadedFile:
        with self._lock:
            upload = UploadedFile(
                id=new_file_id(),
                filename=filename,
                bytes=size,
                created_at=int(self._now()),
                purpose=purpose,
                owner=actor,
            )
            self._uploads[upload.id] = upload
            return upload

    def get_file(self, file_id: str, *, actor: str | None = None) -> UploadedFile:
        with self._lock:
            upload = self._uploads.get(file_id)
            if upload is None or not visible(upload.owner, actor):
                raise NotFoundError(f"No such File object: {quoted(file_id)}", "file_id")
            return upload

    # --- inspection -----------------------------------------------------------

    def inspect(self, bounds: OverviewBounds) -> Overview:
        """Everything, as the account (no end user) sees it, within ``bounds``."""
        with self._lock:
            return overview(list(self._vector_stores.values()), self._now(), bounds)

    # --- helpers (called with the lock held) --------------------------------

    def _now(self) -> float:
        return self.clock.now()

    def _admit(self, count: int, now: float) -> None:
        """Count ``count`` files attached at ``now``, or refuse them all (RateLimitError)."""
        window = self._attached
        if window is None or count == 0:
            return
        passes_at = window.passes_at(now, count)
        if passes_at is None:
            window.record(now, count)
            return
        used = window.used(now)
        if math.isinf(passes_at):
            raise RateLimitError(window.per_minute, used, count, None)
        if self._on_rate_limited is None:
            raise RateLimitError(window.per_minute, used, count, passes_at - now)
        wait = self._on_rate_limited(passes_at)
        raise RateLimitError(window.per_minute, used, count, wait, waited=passes_at - now)

    def _new_files(
        self, vector_store: VectorStore, file_ids: Sequence[str], now: float, actor: str | None
    ) -> list[VectorStoreFile]:
        """Vector store files for uploaded ``file_ids``, all in progress; nothing changes
        on error."""
        seen: set[str] = set()
        attached: list[VectorStoreFile] = []
        for file_id in file_ids:
            upload = self._uploads.get(file_id)
            if upload is None or not visible(upload.owner, actor):
                raise UnknownFileError(file_id)
            if file_id in seen:
                raise DuplicateFileError(file_id)
            seen.add(file_id)
            # The upload's own outcome, time and error win; the scenario's
            # defaults fill in the rest.
            processing = upload.processing.over(self._default_processing)
            attached.append(
                processing.new_file(upload.id, vector_store.id, int(now), now, upload.bytes)
            )
        return attached

    def _vector_store(self, vector_store_id: str, actor: str | None) -> VectorStore:
        check_id_prefix("vector_store_id", vector_store_id, VECTOR_STORE_PREFIX)
        vector_store = self._vector_stores.get(vector_store_id)
        # Another end user's vector store answers exactly as a missing one would.
        if vector_store is None or not visible(vector_store.owner, actor):
            raise NotFoundError(f"No vector store found with id {quoted(vector_store_id)}.")
        return vector_store

    def _batch_owner(self, vector_store_id: str, batch_id: str, actor: str | None) -> VectorStore:
        """The vector store holding the batch; raises if either is not found."""
        vector_store = self._vector_store(vector_store_id, actor)
        check_id_prefix("batch_id", batch_id, FILE_BATCH_PREFIX)
        if batch_id not in vector_store.batches:
            raise NotFoundError(
                f"No file batch found with id {quoted(batch_id)} "
                f"in vector store '{vector_store_id}'."
            )
        return vector_store


def file_page(
    views: Sequence[FileView],
    positions: Mapping[str, int],
    query: PageQuery,
    status: FileStatus | None,
) -> Page[FileView]:
    if status is None:
        return paginate(views, positions, query)
    return paginate(views, positions, query, lambda view: view.status is status)


def visible(owner: str | None, actor: str | None) -> bool:
    """End users (``X-On-Behalf-Of``) see their own objects and the account's;
    requests without an end user act for the whole account."""
    return owner is None or actor is None or owner == actor


def check_id_prefix(param: str, value: str, prefix: str) -> None:
    if not value.startswith(prefix):
        raise InvalidRequestError(
            f"Invalid '{param}': {quoted(value)}. Expected an ID that begins with '{prefix}'.",
            param=param,
        )
