"""The account's uploaded files: their records, their bytes, who sees them, and
MKA1's duplicate-content rule.

An upload is gone for an end user who does not own it (unless it is the
account's) and for everyone once past its ``expires_at``: it answers as a
missing one would. Called only under the account's lock.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from fake_server import defaults
from fake_server.domain.content import ContentStore, digest, text_of
from fake_server.domain.errors import (
    DuplicateContentError,
    InvalidRequestError,
    MissingFileError,
    quoted,
)
from fake_server.domain.ids import new_file_id
from fake_server.domain.model import NO_OWN_PROCESSING, Processing, VectorStore, VectorStoreFile
from fake_server.domain.model.file import changes_after
from fake_server.domain.paging import Page, PageQuery, paginate
from fake_server.domain.permissions import visible
from fake_server.domain.search_index import Searchable
from fake_server.domain.search_text import Document
from fake_server.domain.views import FileStatus

_NO_ATTRIBUTES: Mapping[str, object] = MappingProxyType({})


@dataclass(slots=True)
class UploadedFile:
    """A file uploaded to the account (or declared by a scenario), ready to be added."""

    id: str
    filename: str
    bytes: int
    created_at: int
    purpose: str
    processing: Processing = NO_OWN_PROCESSING
    owner: str | None = None
    expires_at: int | None = None
    # sha256 of the content, for the MKA1 duplicate-content rule.
    digest: str | None = None


class Uploads:
    """Uploaded files by id, and their bytes within the account's budget."""

    def __init__(self, uploads: Iterable[UploadedFile] = ()) -> None:
        self._uploads = {upload.id: upload for upload in uploads}
        self.contents = ContentStore()
        # (expires_at, id) of uploads that expire, soonest first: an expired
        # upload's bytes are given back (``release_expired``).
        self._expiring = [
            (upload.expires_at, upload.id)
            for upload in self._uploads.values()
            if upload.expires_at is not None
        ]
        heapq.heapify(self._expiring)

    def get(self, file_id: str) -> UploadedFile | None:
        """The upload whoever owns it, expired or not (None: never uploaded, or deleted)."""
        return self._uploads.get(file_id)

    def find(self, file_id: str, actor: str | None, now: float) -> UploadedFile:
        """The upload as ``actor`` sees it at ``now``; a missing one raises ``NotFoundError``."""
        upload = self._uploads.get(file_id)
        if upload is None or not visible(upload.owner, actor) or _expired(upload, now):
            raise MissingFileError(file_id)
        return upload

    def add(
        self,
        filename: str,
        size: int,
        purpose: str,
        now: int,
        *,
        owner: str | None,
        content: bytes | None,
        expires_after_seconds: int | None,
    ) -> UploadedFile:
        """A new upload; refused before anything changes if its bytes do not fit."""
        self.release_expired(now)
        if content is not None:
            self.contents.check_room(len(content))
        upload = UploadedFile(
            id=new_file_id(),
            filename=filename,
            bytes=size,
            created_at=now,
            purpose=purpose,
            owner=owner,
            expires_at=None if expires_after_seconds is None else now + expires_after_seconds,
            digest=None if content is None else digest(content),
        )
        if content is not None:
            self.contents.put(upload.id, content)
        self._uploads[upload.id] = upload
        if upload.expires_at is not None:
            heapq.heappush(self._expiring, (upload.expires_at, upload.id))
        return upload

    def release_expired(self, now: float) -> None:
        """Give back the bytes of every upload past its ``expires_at``: it is gone,
        as if deleted (its record stays, answering as a missing one)."""
        while self._expiring and self._expiring[0][0] <= now:
            _, file_id = heapq.heappop(self._expiring)
            self.contents.discard(file_id)

    def page(
        self,
        query: PageQuery,
        now: float,
        *,
        actor: str | None,
        purpose: str | None,
        digest: str | None,
    ) -> Page[UploadedFile]:
        """Uploads ``actor`` sees, oldest first (``query.order`` turns it around)."""
        uploads = sorted(
            (
                upload
                for upload in self._uploads.values()
                if visible(upload.owner, actor)
                and not _expired(upload, now)
                and (purpose is None or upload.purpose == purpose)
                and (digest is None or upload.digest == digest)
            ),
            key=lambda upload: upload.created_at,
        )
        positions = {upload.id: index for index, upload in enumerate(uploads)}
        return paginate(uploads, positions, query)

    def remove(self, file_id: str) -> None:
        """Forget the upload and its bytes (its vector stores are the account's business)."""
        del self._uploads[file_id]
        self.contents.discard(file_id)

    def text(self, file_id: str, now: float) -> str:
        """The file's parsed text; none once it expired."""
        return text_of(self._content(file_id, now))

    def searchable(self, vector_store: VectorStore, now: float) -> Sequence[Document]:
        """The store's completed files as search reads them: their text (read from
        the content store when needed), none for an expired upload, which no search
        can name.
        Kept with the store's index until the store or the clock moves them."""
        held = vector_store.search_index.searchable
        if held is not None and held.version == vector_store.version and now < held.until:
            return held.documents
        documents = []
        until = changes_after(vector_store.files.values(), now)
        for file in vector_store.files.values():
            if file.status_at(now) is not FileStatus.COMPLETED:
                continue
            upload = self._uploads.get(file.id)
            if upload is not None and upload.expires_at is not None:
                if _expired(upload, now):
                    continue
                until = min(until, upload.expires_at)
            documents.append(
                Document(
                    file.id,
                    upload.filename if upload is not None else file.id,
                    file.attributes or _NO_ATTRIBUTES,
                    self.contents.text(file.id),
                    file.chunking_strategy,
                )
            )
        vector_store.search_index.searchable = Searchable(documents, vector_store.version, until)
        return documents

    def _content(self, file_id: str, now: float) -> bytes:
        upload = self._uploads.get(file_id)
        if upload is not None and _expired(upload, now):
            return b""
        return self.contents.get(file_id)

    def check_duplicates(
        self, vector_store: VectorStore, files: Sequence[VectorStoreFile], *, skip: bool
    ) -> None:
        """Same content (sha256) as a file the store holds, or as an earlier one of
        ``files``: refused (``DuplicateContentError``), or skipped as a cancelled row."""
        holders: dict[str, str] = {}
        for held in vector_store.files.values():
            upload = self._uploads.get(held.id)
            if upload is not None and upload.digest is not None and not held.skipped_duplicate:
                holders.setdefault(upload.digest, held.id)
        for file in files:
            upload = self._uploads.get(file.id)
            if upload is None or upload.digest is None:
                continue
            holder = holders.setdefault(upload.digest, file.id)
            if holder == file.id:
                continue
            if not skip:
                raise DuplicateContentError(file.id, holder)
            file.skip_as_duplicate(holder)


def stand_in(upload: UploadedFile) -> bytes:
    """What a file declared by its size alone (a scenario's ``bytes``, no
    content) downloads as: its id and a line break, repeated and cut to
    exactly ``bytes``, the same on every download.

    Made on each download, not kept: it is bounded by what a session could
    hold (``defaults.MAX_CONTENT_BYTES``); a larger declared size is refused
    rather than served short.
    """
    if upload.bytes > defaults.MAX_CONTENT_BYTES:
        raise InvalidRequestError(
            f"The scenario declares {upload.bytes} bytes for {quoted(upload.id)} but no "
            f"content; fake_server makes up at most {defaults.MAX_CONTENT_BYTES} bytes for "
            "a download. Give the file content, or fewer bytes.",
            code="declared_size_too_large",
        )
    line = f"{upload.id}\n".encode()
    return (line * (upload.bytes // len(line) + 1))[: upload.bytes]


def _expired(upload: UploadedFile, now: float) -> bool:
    """An upload past its ``expires_at`` is gone, as if deleted."""
    return upload.expires_at is not None and now >= upload.expires_at
