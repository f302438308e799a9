"""Uploaded files: upload, read, list, delete, and read the bytes of.

The rules of uploads (who sees one, expiry, the content budget) are
``fake_server.domain.uploads``'; what an account adds is that a deleted
upload leaves every vector store too.
"""

from __future__ import annotations

from fake_server.domain.account.state import AccountState
from fake_server.domain.paging import Page, PageQuery
from fake_server.domain.uploads import UploadedFile, stand_in


def upload(
    state: AccountState,
    filename: str,
    size: int,
    purpose: str,
    *,
    actor: str | None,
    content: bytes | None,
    expires_after_seconds: int | None,
) -> UploadedFile:
    return state.uploads.add(
        filename,
        size,
        purpose,
        int(state.clock.now()),
        owner=actor,
        content=content,
        expires_after_seconds=expires_after_seconds,
    )


def get(state: AccountState, file_id: str, actor: str | None) -> UploadedFile:
    return state.uploads.find(file_id, actor, state.clock.now())


def page(
    state: AccountState,
    query: PageQuery,
    purpose: str | None,
    actor: str | None,
    digest: str | None,
) -> Page[UploadedFile]:
    return state.uploads.page(query, state.clock.now(), actor=actor, purpose=purpose, digest=digest)


def delete(state: AccountState, file_id: str, actor: str | None) -> str:
    found = get(state, file_id, actor)
    state.uploads.remove(found.id)
    for vector_store in state.vector_stores.values():
        vector_store.detach_file(found.id)
    return found.id


def content(state: AccountState, file_id: str, actor: str | None) -> bytes:
    upload = get(state, file_id, actor)
    if upload.digest is None:  # declared without content: only a scenario does so
        return stand_in(upload)
    return state.uploads.contents.get(upload.id)
