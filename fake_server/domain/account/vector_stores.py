"""Vector stores: create, read, list, change and delete them; their file lists,
their expiry, and the inspector's overview of them all."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from fake_server.domain.account.attach import new_files
from fake_server.domain.account.find import find_vector_store
from fake_server.domain.account.state import AccountState
from fake_server.domain.errors import ExpiredError
from fake_server.domain.ids import new_vector_store_id
from fake_server.domain.model import VectorStore
from fake_server.domain.paging import Page, PageQuery, paginate
from fake_server.domain.permissions import Role, reachable_by
from fake_server.domain.views import FileList, FileStatus, Snapshot, VectorStoreView

if TYPE_CHECKING:
    from fake_server.domain.inspection import Overview, OverviewBounds


def create(
    state: AccountState,
    name: str | None,
    description: str | None,
    metadata: dict[str, str] | None,
    file_ids: Sequence[str],
    *,
    actor: str | None,
    expires_after: dict[str, Any] | None,
    chunking_strategy: dict[str, Any] | None,
) -> VectorStoreView:
    now = state.clock.now()
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
    files = new_files(
        state, vector_store, file_ids, now, actor, chunking_strategy=chunking_strategy
    )
    vector_store.add_files(files)
    state.vector_stores[vector_store.id] = vector_store
    return vector_store.view(now)


def get(state: AccountState, vector_store_id: str, actor: str | None) -> VectorStoreView:
    return find_vector_store(state, vector_store_id, actor, Role.READER).view(state.clock.now())


def page(state: AccountState, query: PageQuery, actor: str | None) -> Page[VectorStoreView]:
    """The vector stores ``actor`` sees, oldest first (``query.order`` turns it around)."""
    visible = [s for s in state.vector_stores.values() if reachable_by(s, actor)]
    positions = {vector_store.id: index for index, vector_store in enumerate(visible)}
    chosen = paginate(visible, positions, query)
    now = state.clock.now()
    return Page([vector_store.view(now) for vector_store in chosen.items], chosen.has_more)


def modify(
    state: AccountState, vector_store_id: str, changes: Mapping[str, Any], actor: str | None
) -> VectorStoreView:
    vector_store = find_vector_store(state, vector_store_id, actor, Role.WRITER)
    now = state.clock.now()
    vector_store.modify(
        name=changes.get("name"),
        metadata=changes.get("metadata"),
        expires_after=changes.get("expires_after"),
        fields=frozenset(changes),
        active_at=int(now),
    )
    return vector_store.view(now)


def delete(state: AccountState, vector_store_id: str, actor: str | None) -> str:
    vector_store = find_vector_store(state, vector_store_id, actor, Role.OWNER)
    del state.vector_stores[vector_store.id]
    return vector_store.id


def files(
    state: AccountState,
    vector_store_id: str,
    actor: str | None,
    earlier: Snapshot[FileList] | None,
) -> Snapshot[FileList]:
    vector_store = find_vector_store(state, vector_store_id, actor, Role.READER)
    return vector_store.files_snapshot(state.clock.now(), earlier)


def check_not_expired(state: AccountState, vector_store_id: str, actor: str | None) -> None:
    vector_store = find_vector_store(state, vector_store_id, actor, Role.READER)
    if vector_store.expired(state.clock.now()):
        raise ExpiredError(f"Vector store '{vector_store.id}' has expired.")


class Readiness(NamedTuple):
    """What a ``file_search`` of a store must know first: has it expired, and how
    many of its files are still in progress (asked about too early)."""

    expired: bool
    in_progress: int


def readiness(state: AccountState, vector_store_id: str, actor: str | None) -> Readiness:
    vector_store = find_vector_store(state, vector_store_id, actor, Role.READER)
    now = state.clock.now()
    waiting = sum(
        1 for file in vector_store.files.values() if file.status_at(now) is FileStatus.IN_PROGRESS
    )
    return Readiness(vector_store.expired(now), waiting)


def inspect(state: AccountState, bounds: OverviewBounds) -> Overview:
    # Only the inspector asks: a start, and a first request, go without it.
    from fake_server.domain.inspection import overview  # noqa: PLC0415

    return overview(list(state.vector_stores.values()), state.clock.now(), bounds)
