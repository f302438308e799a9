"""``Account``: every operation on one account, each under its one lock.

Each method takes the lock and calls the operation of its resource's module
(``batches``, ``vector_stores``, ``store_files``, ``files``, ``grants``),
which reads and changes the account's state without locking. So a cancel is
atomic even when requests are handled on several threads, and no operation
can forget the lock or take it twice.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from fake_server.domain import search
from fake_server.domain.account import batches, files, grants, store_files, vector_stores
from fake_server.domain.account.attach import Attributes, DuplicateRule, FileSettings
from fake_server.domain.account.state import DEFAULT_PROCESSING, NO_LIMITS, AccountState
from fake_server.domain.account.vector_stores import Readiness
from fake_server.domain.clock import Clock
from fake_server.domain.content import ContentStore
from fake_server.domain.limits import Limits
from fake_server.domain.model import Processing, VectorStore
from fake_server.domain.paging import Page, PageQuery
from fake_server.domain.permissions import Permission
from fake_server.domain.uploads import UploadedFile
from fake_server.domain.views import (
    BatchView,
    FileList,
    FileStatus,
    FileView,
    Snapshot,
    VectorStoreView,
)

if TYPE_CHECKING:
    # Only the inspector's read needs it (imported by vector_stores.inspect).
    from fake_server.domain.inspection import Overview, OverviewBounds


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
        self._state = AccountState(
            clock,
            vector_stores,
            uploads,
            default_processing=default_processing,
            cancel_delay=cancel_delay,
            limits=limits,
            on_rate_limited=on_rate_limited,
        )
        # Called after an in-progress batch or file is read (the scenario's
        # ``advance_on_poll``), so polling clients finish without sleeping.
        self._on_poll = on_poll
        self._lock = threading.Lock()
        # Scripted search answers by vector store id (the scenario's ``search``).
        self.scripted_searches = self._state.scripted_searches

    @property
    def contents(self) -> ContentStore:
        """The uploads' bytes (a scenario loads its files' content here)."""
        return self._state.uploads.contents

    def vector_stores(self) -> Iterator[VectorStore]:
        return iter(list(self._state.vector_stores.values()))

    def _polled(self, status: FileStatus) -> None:
        """After the lock: a read of something in progress moves a polled clock on."""
        if status is FileStatus.IN_PROGRESS and self._on_poll is not None:
            self._on_poll()

    # --- file batches: reads return a Snapshot (see ``batches``) -------------

    def get_batch(
        self,
        vector_store_id: str,
        batch_id: str,
        *,
        actor: str | None = None,
        earlier: Snapshot[BatchView] | None = None,
    ) -> Snapshot[BatchView]:
        with self._lock:
            snapshot = batches.get(self._state, vector_store_id, batch_id, actor, earlier)
        self._polled(snapshot.value.status)
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
            return batches.cancel(self._state, vector_store_id, batch_id, actor, earlier)

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
            return batches.files(self._state, vector_store_id, batch_id, actor, earlier)

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
        with self._lock:
            return batches.create(
                self._state,
                vector_store_id,
                file_ids,
                actor,
                attributes=attributes,
                chunking_strategy=chunking_strategy,
                per_file=per_file,
                duplicates=duplicates,
            )

    # --- vector stores --------------------------------------------------------

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
            return vector_stores.create(
                self._state,
                name,
                description,
                metadata,
                file_ids,
                actor=actor,
                expires_after=expires_after,
                chunking_strategy=chunking_strategy,
            )

    def get_vector_store(
        self, vector_store_id: str, *, actor: str | None = None
    ) -> VectorStoreView:
        with self._lock:
            return vector_stores.get(self._state, vector_store_id, actor)

    def list_vector_stores(
        self, query: PageQuery, *, actor: str | None = None
    ) -> Page[VectorStoreView]:
        with self._lock:
            return vector_stores.page(self._state, query, actor)

    def modify_vector_store(
        self,
        vector_store_id: str,
        changes: Mapping[str, Any],
        *,
        actor: str | None = None,
    ) -> VectorStoreView:
        """Set the fields ``changes`` holds (name, metadata, expires_after; null clears)."""
        with self._lock:
            return vector_stores.modify(self._state, vector_store_id, changes, actor)

    def delete_vector_store(self, vector_store_id: str, *, actor: str | None = None) -> str:
        with self._lock:
            return vector_stores.delete(self._state, vector_store_id, actor)

    def vector_store_files(
        self,
        vector_store_id: str,
        *,
        actor: str | None = None,
        earlier: Snapshot[FileList] | None = None,
    ) -> Snapshot[FileList]:
        """Every file of the vector store, in batches or not, oldest first; files
        created at the same second keep the order they were added in."""
        with self._lock:
            return vector_stores.files(self._state, vector_store_id, actor, earlier)

    def check_not_expired(self, vector_store_id: str, *, actor: str | None = None) -> None:
        """Raise ``ExpiredError`` if the vector store's ``expires_at`` has passed."""
        with self._lock:
            vector_stores.check_not_expired(self._state, vector_store_id, actor)

    def search_readiness(self, vector_store_id: str, *, actor: str | None = None) -> Readiness:
        """Whether a store a file_search names has expired, and its files in progress."""
        with self._lock:
            return vector_stores.readiness(self._state, vector_store_id, actor)

    def inspect(self, bounds: OverviewBounds) -> Overview:
        """Everything, as the account (no end user) sees it, within ``bounds``."""
        with self._lock:
            return vector_stores.inspect(self._state, bounds)

    # --- a vector store's files, one by one -----------------------------------

    def get_vector_store_file(
        self, vector_store_id: str, file_id: str, *, actor: str | None = None
    ) -> FileView:
        with self._lock:
            view = store_files.get(self._state, vector_store_id, file_id, actor)
        # Polled like a batch (create_and_poll): advance_on_poll applies.
        self._polled(view.status)
        return view

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
            return store_files.attach(
                self._state,
                vector_store_id,
                file_id,
                actor,
                attributes=attributes,
                chunking_strategy=chunking_strategy,
                refuse_duplicates=refuse_duplicates,
            )

    def update_vector_store_file_attributes(
        self,
        vector_store_id: str,
        file_id: str,
        attributes: Attributes | None,
        *,
        actor: str | None = None,
    ) -> FileView:
        with self._lock:
            return store_files.set_attributes(
                self._state, vector_store_id, file_id, attributes, actor
            )

    def delete_vector_store_file(
        self, vector_store_id: str, file_id: str, *, actor: str | None = None
    ) -> str:
        """Detach the file from the vector store and its batches; the upload stays."""
        with self._lock:
            return store_files.detach(self._state, vector_store_id, file_id, actor)

    def vector_store_file_content(
        self, vector_store_id: str, file_id: str, *, actor: str | None = None
    ) -> tuple[FileView, str, str]:
        """The file's view, its filename and its parsed text."""
        with self._lock:
            return store_files.content(self._state, vector_store_id, file_id, actor)

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
            documents, scripted, index = store_files.search_input(
                self._state, vector_store_id, actor
            )
        return search.search_steps(documents, request._replace(scripted=scripted), index)

    # --- uploaded files -------------------------------------------------------

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
            return files.upload(
                self._state,
                filename,
                size,
                purpose,
                actor=actor,
                content=content,
                expires_after_seconds=expires_after_seconds,
            )

    def upload_room(self) -> int:
        """How many bytes of content the account can still take: an upload
        declared larger can be refused before its body is read."""
        with self._lock:
            return self._state.uploads.contents.room

    def get_file(self, file_id: str, *, actor: str | None = None) -> UploadedFile:
        with self._lock:
            return files.get(self._state, file_id, actor)

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
            return files.page(self._state, query, purpose, actor, digest)

    def delete_file(self, file_id: str, *, actor: str | None = None) -> str:
        """Delete an upload, its content, and its entry in every vector store."""
        with self._lock:
            return files.delete(self._state, file_id, actor)

    def file_content(self, file_id: str, *, actor: str | None = None) -> bytes:
        with self._lock:
            return files.content(self._state, file_id, actor)

    # --- MKA1 permissions -----------------------------------------------------

    def list_permissions(
        self, vector_store_id: str, *, actor: str | None = None
    ) -> tuple[str, list[Permission]]:
        """The owner first, then the team, then individual principals."""
        with self._lock:
            return grants.rows(self._state, vector_store_id, actor)

    def grant_permission(
        self,
        vector_store_id: str,
        user_id: str | None,
        role: str,
        *,
        actor: str | None = None,
    ) -> Permission:
        with self._lock:
            return grants.grant(self._state, vector_store_id, user_id, role, actor)

    def effective_permission(
        self, vector_store_id: str, user_id: str, *, actor: str | None = None
    ) -> tuple[Permission, str]:
        """The role ``user_id`` holds and where it comes from (owner, grant, team, none)."""
        with self._lock:
            return grants.effective(self._state, vector_store_id, user_id, actor)

    def revoke_permission(
        self, vector_store_id: str, user_id: str | None, *, actor: str | None = None
    ) -> Permission:
        """Remove what ``user_id`` (None: the team) holds; 404 when it holds nothing."""
        with self._lock:
            return grants.revoke(self._state, vector_store_id, user_id, actor)
