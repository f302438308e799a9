"""A vector store: the only way in to its files and batches, and its version.

Every change goes through one of its methods and gives it a new ``version``
(see the package's docstring for why).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from fake_server.domain.model.batch import FileBatch
from fake_server.domain.model.file import VectorStoreFile, changes_after, count_files
from fake_server.domain.search_index import SearchIndex
from fake_server.domain.views import BatchView, FileList, FileStatus, Snapshot, VectorStoreView

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
