"""File batches: create one, read it and its files, cancel it.

Reads return a Snapshot: given back as ``earlier``, one that still holds is
returned unchanged, so what a caller built from it stays valid.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fake_server.domain.account.attach import Attributes, DuplicateRule, FileSettings, new_files
from fake_server.domain.account.find import find_batch_owner, find_vector_store
from fake_server.domain.account.state import AccountState
from fake_server.domain.errors import BatchSizeError
from fake_server.domain.ids import new_file_batch_id
from fake_server.domain.model import FileBatch
from fake_server.domain.permissions import Role
from fake_server.domain.views import BatchView, FileCounts, FileList, FileStatus, Snapshot


def get(
    state: AccountState,
    vector_store_id: str,
    batch_id: str,
    actor: str | None,
    earlier: Snapshot[BatchView] | None,
) -> Snapshot[BatchView]:
    owner = find_batch_owner(state, vector_store_id, batch_id, actor, Role.READER)
    return owner.batch_snapshot(batch_id, state.clock.now(), earlier)


def cancel(
    state: AccountState,
    vector_store_id: str,
    batch_id: str,
    actor: str | None,
    earlier: Snapshot[BatchView] | None,
) -> Snapshot[BatchView]:
    owner = find_batch_owner(state, vector_store_id, batch_id, actor, Role.WRITER)
    now = state.clock.now()
    owner.cancel_batch(batch_id, now, state.cancel_delay)
    return owner.batch_snapshot(batch_id, now, earlier)


def files(
    state: AccountState,
    vector_store_id: str,
    batch_id: str,
    actor: str | None,
    earlier: Snapshot[FileList] | None,
) -> Snapshot[FileList]:
    owner = find_batch_owner(state, vector_store_id, batch_id, actor, Role.READER)
    return owner.batch_files_snapshot(batch_id, state.clock.now(), earlier)


def create(
    state: AccountState,
    vector_store_id: str,
    file_ids: Sequence[str],
    actor: str | None,
    *,
    attributes: Attributes | None,
    chunking_strategy: dict[str, Any] | None,
    per_file: Mapping[str, FileSettings] | None,
    duplicates: DuplicateRule,
) -> BatchView:
    maximum = state.limits.files_per_batch
    if not 1 <= len(file_ids) <= maximum:
        raise BatchSizeError(len(file_ids), maximum)
    owner = find_vector_store(state, vector_store_id, actor, Role.WRITER)
    now = state.clock.now()
    new = new_files(
        state,
        owner,
        file_ids,
        now,
        actor,
        attributes=attributes,
        chunking_strategy=chunking_strategy,
        per_file=per_file,
        duplicates=duplicates,
    )
    created_at = int(now)
    batch = FileBatch(new_file_batch_id(), owner.id, created_at, new)
    owner.add_batch(batch, active_at=created_at)
    # The answer to a create shows the batch as it was created, every file
    # still in progress, as the real API answers, even if a file with no
    # processing time is already done by the next read.
    skipped = 0
    if duplicates == "skip":  # only then can a file be a skipped duplicate
        skipped = sum(1 for file in batch.files if file.skipped_duplicate)
    in_progress = len(batch.files) - skipped
    status = FileStatus.IN_PROGRESS if in_progress else FileStatus.COMPLETED
    counts = FileCounts(in_progress, 0, 0, skipped)
    return BatchView(batch.id, owner.id, batch.created_at, status, counts)
