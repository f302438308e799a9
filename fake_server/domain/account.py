"""The account's state and every operation on it: the one facade, taking the lock.

Pure Python, no HTTP: raises the errors of ``fake_server.domain.errors``.
Every operation runs under one lock, so a cancel is atomic even when requests
are handled on several threads. The rules live beside it: who may do what in
``permissions``, uploads in ``uploads``, the rate limit in ``limits``, the
vector stores' state in ``model`` and what reads return in ``views``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Literal, NamedTuple

from fake_server import defaults
from fake_server.domain import search
from fake_server.domain.clock import Clock
from fake_server.domain.content import ContentStore
from fake_server.domain.errors import (
    BatchSizeError,
    DuplicateFileError,
    ExpiredError,
    ForbiddenError,
    InvalidRequestError,
    NotFoundError,
    UnknownFileError,
    quoted,
)
from fake_server.domain.ids import (
    FILE_BATCH_PREFIX,
    VECTOR_STORE_PREFIX,
    new_file_batch_id,
    new_vector_store_id,
)
from fake_server.domain.inspection import Overview, OverviewBounds, overview
from fake_server.domain.limits import AttachWindow, Limits
from fake_server.domain.model import (
    DEFAULT_OUTCOME,
    FileBatch,
    Processing,
    VectorStore,
    VectorStoreFile,
)
from fake_server.domain.paging import Page, PageQuery, paginate
from fake_server.domain.permissions import (
    Permission,
    Role,
    check_grant,
    check_revoke,
    held_by,
    permission_rows,
    reachable_by,
    refusal,
    role_of,
    visible,
)
from fake_server.domain.uploads import UploadedFile, Uploads
from fake_server.domain.views import (
    BatchView,
    FileCounts,
    FileList,
    FileStatus,
    FileView,
    Snapshot,
    VectorStoreView,
)

DEFAULT_PROCESSING = Processing(
    seconds=defaults.PROCESSING_SECONDS,
    outcome=DEFAULT_OUTCOME,
    error_code=defaults.ERROR_CODE,
    error_message=defaults.ERROR_MESSAGES[defaults.ERROR_CODE],
)
MAX_FILES_PER_BATCH = defaults.MAX_FILES_PER_BATCH
NO_LIMITS = Limits()

Attributes = Mapping[str, str | float | bool]


class FileSettings(NamedTuple):
    """What a batch's ``files[]`` entry sets for its own file (None: the batch's)."""

    attributes: Attributes | None = None
    chunking_strategy: dict[str, Any] | None = None


NO_SETTINGS = FileSettings()


DuplicateRule = Literal["refuse", "skip"] | None


class Account:
    """One fake account: its vector stores and uploaded files, on one clock."""

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
        self._uploads = Uploads(uploads)
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
        # Scripted search answers by vector store id (the scenario's ``search``).
        self.scripted_searches: dict[str, tuple[search.ScriptedAnswer, ...]] = {}

    @property
    def contents(self) -> ContentStore:
        """The uploads' bytes (a scenario loads its files' content here)."""
        return self._uploads.contents

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
            vector_store = self._batch_owner(vector_store_id, batch_id, actor, Role.READER)
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
            vector_store = self._batch_owner(vector_store_id, batch_id, actor, Role.WRITER)
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
            vector_store = self._batch_owner(vector_store_id, batch_id, actor, Role.READER)
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
        attributes: Attributes | None = None,
        chunking_strategy: dict[str, Any] | None = None,
        per_file: Mapping[str, FileSettings] | None = None,
        duplicates: DuplicateRule = None,
    ) -> BatchView:
        """``duplicates`` (MKA1): None attaches same-content files as they are;
        "refuse" fails the batch on one (nothing attached), "skip" makes it a
        cancelled ``duplicate_file`` row."""
        maximum = self._limits.files_per_batch
        if not 1 <= len(file_ids) <= maximum:
            raise BatchSizeError(len(file_ids), maximum)
        with self._lock:
            vector_store = self._vector_store(vector_store_id, actor, Role.WRITER)
            now = self._now()
            files = self._new_files(vector_store, file_ids, now, actor)
            if duplicates is not None:
                self._check_duplicates(vector_store, files, skip=duplicates == "skip")
            # New files set neither (see VectorStoreFile): only what was sent is set.
            if per_file or attributes is not None or chunking_strategy is not None:
                settings = per_file or {}
                for file in files:
                    own = settings.get(file.id, NO_SETTINGS)
                    chosen = own.attributes if own.attributes is not None else attributes
                    file.attributes = dict(chosen) if chosen is not None else None
                    file.chunking_strategy = own.chunking_strategy or chunking_strategy
            # Counted against the rate limit only once nothing else refuses it.
            self._admit(len(files), now)
            created_at = int(now)
            batch = FileBatch(new_file_batch_id(), vector_store.id, created_at, files)
            vector_store.add_batch(batch, active_at=created_at)
            # The answer to a create shows the batch as it was created, every
            # file still in progress, as the real API answers, even if a file
            # with no processing time is already done by the next read.
            skipped = 0
            if duplicates == "skip":  # only then can a file be a skipped duplicate
                skipped = sum(1 for file in batch.files if file.skipped_duplicate)
            in_progress = len(batch.files) - skipped
            status = FileStatus.IN_PROGRESS if in_progress else FileStatus.COMPLETED
            counts = FileCounts(in_progress, 0, 0, skipped)
            return BatchView(batch.id, vector_store.id, batch.created_at, status, counts)

    # --- vector stores --------------------------------------------------------------

    def create_vector_store(
        self,
        name: str | None,
        description: str | None = None,
        metadata: dict[str, str] | None = None,
        file_ids: Sequence[str] = (),
        *,
        actor: str | None = None,
        expires_after: dict[str, Any] | None = None,
        chunking_strategy: dict[str, Any] | None = None,
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
                expires_after=dict(expires_after) if expires_after else None,
            )
            files = self._new_files(vector_store, file_ids, now, actor)
            for file in files:
                file.chunking_strategy = chunking_strategy
            self._admit(len(files), now)
            vector_store.add_files(files)
            self._vector_stores[vector_store.id] = vector_store
            return vector_store.view(now)

    def get_vector_store(
        self, vector_store_id: str, *, actor: str | None = None
    ) -> VectorStoreView:
        with self._lock:
            return self._vector_store(vector_store_id, actor, Role.READER).view(self._now())

    def list_vector_stores(
        self, query: PageQuery, *, actor: str | None = None
    ) -> Page[VectorStoreView]:
        with self._lock:
            visible_stores = [s for s in self._vector_stores.values() if reachable_by(s, actor)]
            positions = {
                vector_store.id: index for index, vector_store in enumerate(visible_stores)
            }
            page = paginate(visible_stores, positions, query)
            now = self._now()
            return Page([vector_store.view(now) for vector_store in page.items], page.has_more)

    def delete_vector_store(self, vector_store_id: str, *, actor: str | None = None) -> str:
        with self._lock:
            vector_store = self._vector_store(vector_store_id, actor, Role.OWNER)
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
            vector_store = self._vector_store(vector_store_id, actor, Role.READER)
            return vector_store.files_snapshot(self._now(), earlier)

    def get_vector_store_file(
        self, vector_store_id: str, file_id: str, *, actor: str | None = None
    ) -> FileView:
        with self._lock:
            vector_store = self._vector_store(vector_store_id, actor, Role.READER)
            view = self._vector_store_file(vector_store, file_id).view(self._now())
        # Polled like a batch (create_and_poll): advance_on_poll applies.
        if view.status is FileStatus.IN_PROGRESS and self._on_poll is not None:
            self._on_poll()
        return view

    # --- uploaded files -----------------------------------------------------

    def upload_file(
        self,
        filename: str,
        size: int,
        purpose: str,
        *,
        actor: str | None = None,
        content: bytes | None = None,
        expires_after_seconds: int | None = None,
    ) -> UploadedFile:
        with self._lock:
            return self._uploads.add(
                filename,
                size,
                purpose,
                int(self._now()),
                owner=actor,
                content=content,
                expires_after_seconds=expires_after_seconds,
            )

    def get_file(self, file_id: str, *, actor: str | None = None) -> UploadedFile:
        with self._lock:
            return self._uploads.find(file_id, actor, self._now())

    def list_files(
        self,
        query: PageQuery,
        purpose: str | None = None,
        *,
        actor: str | None = None,
        digest: str | None = None,
    ) -> Page[UploadedFile]:
        """Uploaded files, oldest first (``query.order`` turns it around)."""
        with self._lock:
            return self._uploads.page(
                query, self._now(), actor=actor, purpose=purpose, digest=digest
            )

    def delete_file(self, file_id: str, *, actor: str | None = None) -> str:
        """Delete an upload, its content, and its entry in every vector store."""
        with self._lock:
            upload = self._uploads.find(file_id, actor, self._now())
            self._uploads.remove(upload.id)
            for vector_store in self._vector_stores.values():
                vector_store.detach_file(upload.id)
            return upload.id

    def file_content(self, file_id: str, *, actor: str | None = None) -> bytes:
        with self._lock:
            return self.contents.get(self._uploads.find(file_id, actor, self._now()).id)

    # --- single vector store files ------------------------------------------------

    def modify_vector_store(
        self,
        vector_store_id: str,
        changes: Mapping[str, Any],
        *,
        actor: str | None = None,
    ) -> VectorStoreView:
        """Set the fields ``changes`` holds (name, metadata, expires_after; null clears)."""
        with self._lock:
            vector_store = self._vector_store(vector_store_id, actor, Role.WRITER)
            now = self._now()
            vector_store.modify(
                name=changes.get("name"),
                metadata=changes.get("metadata"),
                expires_after=changes.get("expires_after"),
                fields=frozenset(changes),
                active_at=int(now),
            )
            return vector_store.view(now)

    def create_vector_store_file(
        self,
        vector_store_id: str,
        file_id: str,
        *,
        actor: str | None = None,
        attributes: Attributes | None = None,
        chunking_strategy: dict[str, Any] | None = None,
        refuse_duplicates: bool = False,
    ) -> FileView:
        """Attach one uploaded file: the same timeline as a batch's file.
        ``refuse_duplicates`` (MKA1): a file whose content the store holds is refused."""
        with self._lock:
            vector_store = self._vector_store(vector_store_id, actor, Role.WRITER)
            now = self._now()
            (file,) = self._new_files(vector_store, [file_id], now, actor)
            if refuse_duplicates:
                self._check_duplicates(vector_store, [file], skip=False)
            file.attributes = dict(attributes) if attributes is not None else None
            file.chunking_strategy = chunking_strategy
            self._admit(1, now)  # a single attach counts against the rate limit too
            vector_store.add_files([file], active_at=int(now))
            # As a batch's create answer: in progress, whatever comes next.
            return file.view(now)._replace(status=FileStatus.IN_PROGRESS, usage_bytes=0)

    def update_vector_store_file_attributes(
        self,
        vector_store_id: str,
        file_id: str,
        attributes: Attributes | None,
        *,
        actor: str | None = None,
    ) -> FileView:
        with self._lock:
            vector_store = self._vector_store(vector_store_id, actor, Role.WRITER)
            self._vector_store_file(vector_store, file_id)
            vector_store.set_file_attributes(file_id, attributes)
            return vector_store.files[file_id].view(self._now())

    def delete_vector_store_file(
        self, vector_store_id: str, file_id: str, *, actor: str | None = None
    ) -> str:
        """Detach the file from the vector store and its batches; the upload stays."""
        with self._lock:
            vector_store = self._vector_store(vector_store_id, actor, Role.WRITER)
            self._vector_store_file(vector_store, file_id)
            vector_store.detach_file(file_id)
            return file_id

    def vector_store_file_content(
        self, vector_store_id: str, file_id: str, *, actor: str | None = None
    ) -> tuple[FileView, str, str]:
        """The file's view, its filename and its parsed text."""
        with self._lock:
            vector_store = self._vector_store(vector_store_id, actor, Role.READER)
            file = self._vector_store_file(vector_store, file_id)
            upload = self._uploads.get(file_id)
            filename = upload.filename if upload is not None else file_id
            now = self._now()
            return file.view(now), filename, self._uploads.text(file_id, now)

    def search_vector_store(
        self, vector_store_id: str, request: search.SearchRequest, *, actor: str | None = None
    ) -> list[search.Hit]:
        """The vector store's completed files ranked for the query (see ``search``)."""
        return search.finish(self.start_search(vector_store_id, request, actor=actor))

    def start_search(
        self, vector_store_id: str, request: search.SearchRequest, *, actor: str | None = None
    ) -> search.Steps[list[search.Hit]]:
        """A search of the store, in slices of work to run between other clients'
        requests; the lock is held only while the store's files are read, now."""
        with self._lock:
            vector_store = self._vector_store(vector_store_id, actor, Role.READER)
            documents = self._uploads.searchable(vector_store, self._now())
            scripted = self.scripted_searches.get(vector_store.id, ())
        request = request._replace(scripted=scripted)
        return search.search_steps(documents, request, vector_store.search_index)

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
        if self._attached is not None:
            self._attached.admit(now, count, self._on_rate_limited)

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

    # --- MKA1 permissions -------------------------------------------------------

    def list_permissions(
        self, vector_store_id: str, *, actor: str | None = None
    ) -> tuple[str, list[Permission]]:
        """The owner first, then the team, then individual principals."""
        with self._lock:
            vector_store = self._vector_store(vector_store_id, actor, Role.READER)
            return vector_store.id, permission_rows(vector_store)

    def grant_permission(
        self,
        vector_store_id: str,
        user_id: str | None,
        role: str,
        *,
        actor: str | None = None,
    ) -> Permission:
        with self._lock:
            vector_store = self._vector_store(vector_store_id, actor, Role.OWNER)
            check_grant(vector_store, user_id)
            vector_store.grant(user_id, role)
            return Permission("team" if user_id is None else "user", user_id, role)

    def effective_permission(
        self, vector_store_id: str, user_id: str, *, actor: str | None = None
    ) -> tuple[Permission, str]:
        """The role ``user_id`` holds and where it comes from (owner, grant, team, none)."""
        with self._lock:
            vector_store = self._vector_store(vector_store_id, actor, Role.READER)
            role, source = held_by(vector_store, user_id)
            return Permission("user", user_id, role), source

    def revoke_permission(
        self, vector_store_id: str, user_id: str | None, *, actor: str | None = None
    ) -> Permission:
        """Remove what ``user_id`` (None: the team) holds; 404 when it holds nothing."""
        with self._lock:
            vector_store = self._vector_store(vector_store_id, actor, Role.OWNER)
            check_revoke(vector_store, user_id)
            if not vector_store.revoke(user_id):
                raise NotFoundError(
                    f"{quoted(user_id or 'team')} holds no permission on "
                    f"vector store '{vector_store.id}'.",
                    "user_id",
                )
            return Permission("team" if user_id is None else "user", user_id, None)

    def check_not_expired(self, vector_store_id: str, *, actor: str | None = None) -> None:
        """Raise ``ExpiredError`` if the vector store's ``expires_at`` has passed."""
        with self._lock:
            vector_store = self._vector_store(vector_store_id, actor, Role.READER)
            if vector_store.expired(self._now()):
                raise ExpiredError(f"Vector store '{vector_store.id}' has expired.")

    def _check_duplicates(
        self, vector_store: VectorStore, files: Sequence[VectorStoreFile], *, skip: bool
    ) -> None:
        """Same content (sha256) as a file the store holds, or as an earlier one of
        ``files``: refused (``DuplicateContentError``), or skipped as a cancelled row."""
        self._uploads.check_duplicates(vector_store, files, skip=skip)

    def _vector_store_file(self, vector_store: VectorStore, file_id: str) -> VectorStoreFile:
        file = vector_store.files.get(file_id)
        if file is None:
            raise NotFoundError(
                f"No file found with id {quoted(file_id)} in vector store '{vector_store.id}'."
            )
        return file

    def _vector_store(self, vector_store_id: str, actor: str | None, need: Role) -> VectorStore:
        """The vector store, if ``actor`` holds the role ``need`` names on it."""
        check_id_prefix("vector_store_id", vector_store_id, VECTOR_STORE_PREFIX)
        vector_store = self._vector_stores.get(vector_store_id)
        role = Role.NONE if vector_store is None else role_of(vector_store, actor)
        # A store the end user cannot see answers exactly as a missing one would.
        if vector_store is None or role is Role.NONE:
            raise NotFoundError(f"No vector store found with id {quoted(vector_store_id)}.")
        if role < need:
            # Only what the end user may already see: the store and its own rights.
            raise ForbiddenError(refusal(vector_store.id, need))
        return vector_store

    def _batch_owner(
        self, vector_store_id: str, batch_id: str, actor: str | None, need: Role
    ) -> VectorStore:
        """The vector store holding the batch; raises if either is not found, or
        if ``actor`` lacks ``need``."""
        vector_store = self._vector_store(vector_store_id, actor, need)
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


def check_id_prefix(param: str, value: str, prefix: str) -> None:
    if not value.startswith(prefix):
        raise InvalidRequestError(
            f"Invalid '{param}': {quoted(value)}. Expected an ID that begins with '{prefix}'.",
            param=param,
        )
