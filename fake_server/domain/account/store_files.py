"""A vector store's files one by one: attach, read, change, detach, read the
content of, and search."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fake_server.domain import search
from fake_server.domain.account.attach import Attributes, DuplicateRule, new_files
from fake_server.domain.account.find import find_store_file, find_vector_store
from fake_server.domain.account.state import AccountState
from fake_server.domain.model import VectorStoreFile
from fake_server.domain.permissions import Role
from fake_server.domain.search_index import SearchIndex
from fake_server.domain.views import FileStatus, FileView


def get(state: AccountState, vector_store_id: str, file_id: str, actor: str | None) -> FileView:
    vector_store = find_vector_store(state, vector_store_id, actor, Role.READER)
    return find_store_file(vector_store, file_id).view(state.clock.now())


def attach(
    state: AccountState,
    vector_store_id: str,
    file_id: str,
    actor: str | None,
    *,
    attributes: Attributes | None,
    chunking_strategy: dict[str, Any] | None,
    refuse_duplicates: bool,
) -> FileView:
    vector_store = find_vector_store(state, vector_store_id, actor, Role.WRITER)
    now = state.clock.now()
    duplicates: DuplicateRule = "refuse" if refuse_duplicates else None
    (file,) = new_files(
        state,
        vector_store,
        [file_id],
        now,
        actor,
        attributes=attributes,
        chunking_strategy=chunking_strategy,
        duplicates=duplicates,
    )
    vector_store.add_files([file], active_at=int(now))
    # As a batch's create answer: in progress, whatever comes next.
    return file.view(now)._replace(status=FileStatus.IN_PROGRESS, usage_bytes=0)


def set_attributes(
    state: AccountState,
    vector_store_id: str,
    file_id: str,
    attributes: Attributes | None,
    actor: str | None,
) -> FileView:
    vector_store = find_vector_store(state, vector_store_id, actor, Role.WRITER)
    find_store_file(vector_store, file_id)
    vector_store.set_file_attributes(file_id, attributes)
    return vector_store.files[file_id].view(state.clock.now())


def detach(state: AccountState, vector_store_id: str, file_id: str, actor: str | None) -> str:
    vector_store = find_vector_store(state, vector_store_id, actor, Role.WRITER)
    find_store_file(vector_store, file_id)
    vector_store.detach_file(file_id)
    return file_id


def content(
    state: AccountState, vector_store_id: str, file_id: str, actor: str | None
) -> tuple[FileView, str, str]:
    vector_store = find_vector_store(state, vector_store_id, actor, Role.READER)
    file = find_store_file(vector_store, file_id)
    now = state.clock.now()
    return file.view(now), _filename(state, file), state.uploads.text(file_id, now)


def search_input(
    state: AccountState, vector_store_id: str, actor: str | None
) -> tuple[Sequence[search.Document], tuple[search.ScriptedAnswer, ...], SearchIndex]:
    """What a search of the store reads: its completed files as documents, its
    scripted answers and its index. The search itself runs without the lock."""
    vector_store = find_vector_store(state, vector_store_id, actor, Role.READER)
    documents = state.uploads.searchable(vector_store, state.clock.now())
    scripted = state.scripted_searches.get(vector_store.id, ())
    return documents, scripted, vector_store.search_index


def _filename(state: AccountState, file: VectorStoreFile) -> str:
    """The upload's filename; its id once the upload is gone."""
    upload = state.uploads.get(file.id)
    return upload.filename if upload is not None else file.id
