"""Domain views to wire bodies, in each dialect.

Pure functions of the views; what is kept between requests lives in
``fake_server.http.provider.view_cache``.
"""

from __future__ import annotations

import json
import math
import mimetypes
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple, Protocol, TypeVar

from fake_server.contract.dialects import Dialect
from fake_server.domain.content import response_chunking
from fake_server.domain.model import DUPLICATE_FILE
from fake_server.domain.paging import Page
from fake_server.domain.search import Hit
from fake_server.domain.uploads import UploadedFile
from fake_server.domain.views import BatchView, FileCounts, FileView, VectorStoreView


class Identified(Protocol):
    @property
    def id(self) -> str: ...


View = TypeVar("View", bound=Identified)


def file_counts(counts: FileCounts) -> dict[str, int]:
    return {
        "in_progress": counts.in_progress,
        "completed": counts.completed,
        "failed": counts.failed,
        "cancelled": counts.cancelled,
        "total": counts.total,
    }


def file_batch(view: BatchView, dialect: Dialect) -> dict[str, Any]:
    return {
        "id": view.id,
        "object": dialect.file_batch_object,
        "created_at": view.created_at,
        "vector_store_id": view.vector_store_id,
        "status": view.status,
        "file_counts": file_counts(view.counts),
    }


def file_batch_body(view: BatchView, dialect: Dialect) -> EncodedBody:
    return EncodedBody(encode_file_batch(view, dialect), file_batch(view, dialect))


# ``encode(file_batch(...))`` spelled out: a batch body is encoded on every
# create and every change, and filling this in costs a fraction of json.dumps.
# tests/unit/test_render.py holds it byte for byte to ``encode``.
_FILE_BATCH = (
    '{"id": %s, "object": %s, "created_at": %d, "vector_store_id": %s, "status": %s, '
    '"file_counts": {"in_progress": %d, "completed": %d, "failed": %d, "cancelled": %d, '
    '"total": %d}}'
)
# json.dumps' own string encoder (ASCII only, as json.dumps sends by default).
_string: Callable[[str], str] = json.encoder.encode_basestring_ascii


def encode_file_batch(view: BatchView, dialect: Dialect) -> bytes:
    in_progress, completed, failed, cancelled = counts = view.counts
    return (
        _FILE_BATCH
        % (
            _string(view.id),
            _string(dialect.file_batch_object),
            view.created_at,
            _string(view.vector_store_id),
            _string(view.status),
            in_progress,
            completed,
            failed,
            cancelled,
            counts.total,
        )
    ).encode("ascii")


def vector_store_file(view: FileView, dialect: Dialect | None = None) -> dict[str, Any]:
    """``dialect``: a skipped copy's ``duplicate_file`` shows only where the
    dialect knows it (``Dialect.shows_duplicate_files``)."""
    hidden = view.error_code == DUPLICATE_FILE and (
        dialect is None or not dialect.shows_duplicate_files
    )
    last_error = (
        None
        if view.error_code is None or hidden
        else {"code": view.error_code, "message": view.error_message or ""}
    )
    body: dict[str, Any] = {
        "id": view.id,
        "object": "vector_store.file",
        "usage_bytes": view.usage_bytes,
        "created_at": view.created_at,
        "vector_store_id": view.vector_store_id,
        # A StrEnum member is a str: json encodes it as its value.
        "status": view.status,
        "last_error": last_error,
        "chunking_strategy": response_chunking(view.chunking_strategy),
    }
    if view.attributes is not None:
        body["attributes"] = dict(view.attributes)
    return body


def encode_vector_store_file(view: FileView, dialect: Dialect | None = None) -> bytes:
    return encode(vector_store_file(view, dialect))


def file_list_key(key: str, dialect: Dialect) -> str:
    """The view cache key of a file list: encodings differ where ``duplicate_file`` shows."""
    return key + "|duplicates" if dialect.shows_duplicate_files else key


def vector_store(view: VectorStoreView, dialect: Dialect) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": view.id,
        "object": "vector_store",
        "created_at": view.created_at,
        # The real API sends null for an unnamed store, but the spec and the
        # openai SDK in strict mode require a string: "" satisfies both.
        "name": view.name or "",
        "usage_bytes": view.usage_bytes,
        "file_counts": file_counts(view.counts),
        "status": view.status,
        "last_active_at": view.last_active_at,
        "metadata": view.metadata,
        # A vector store without an expiry policy: recorded real answers
        # send null here and leave expires_after out.
        "expires_at": view.expires_at,
    }
    if view.expires_after is not None:
        body["expires_after"] = view.expires_after
    if view.description is not None:
        body["description"] = view.description
    if dialect.store_has_embedding_fields:
        body |= {
            "embedding_model": None,
            "embedding_dimensions": None,
            "retrieval_mode": "vector",
            "last_used_at": view.last_active_at,
        }
    return body


def uploaded_file(upload: UploadedFile, dialect: Dialect | None = None) -> dict[str, Any]:
    """``dialect``: some providers' File also carries the content's ``sha256``."""
    body: dict[str, Any] = {
        "id": upload.id,
        "object": "file",
        "bytes": upload.bytes,
        "created_at": upload.created_at,
        "filename": upload.filename,
        "purpose": upload.purpose,
        "status": "processed",
    }
    if upload.expires_at is not None:
        body["expires_at"] = upload.expires_at
    if dialect is not None and dialect.files_carry_sha256 and upload.digest is not None:
        body["sha256"] = upload.digest
    return body


def deleted_file(file_id: str) -> dict[str, Any]:
    return {"id": file_id, "object": "file", "deleted": True}


def deleted_vector_store_file(file_id: str) -> dict[str, Any]:
    return {"id": file_id, "object": "vector_store.file.deleted", "deleted": True}


def file_content(view: FileView, filename: str, text: str, dialect: Dialect) -> dict[str, Any]:
    """Parsed content: the spec's page of text parts, or the file with its parts."""
    parts = [{"type": "text", "text": text}] if text else []
    if dialect.file_content_as_file:
        body: dict[str, Any] = {"file_id": view.id, "filename": filename, "content": parts}
        if view.attributes is not None:
            body["attributes"] = dict(view.attributes)
        return body
    return {
        "object": "vector_store.file_content.page",
        "data": parts,
        "has_more": False,
        "next_page": None,
    }


def search_results(queries: Sequence[str], hits: Sequence[Hit], dialect: Dialect) -> dict[str, Any]:
    data = [
        {
            "file_id": hit.file_id,
            "filename": hit.filename,
            "score": hit.score,
            "attributes": dict(hit.attributes),
            "content": [{"type": "text", "text": text} for text in hit.content],
        }
        for hit in hits
    ]
    return {
        "object": "vector_store.search_results.page",
        "search_query": " ".join(queries) if dialect.search_query_as_string else list(queries),
        "data": data,
        "has_more": False,
        "next_page": None,
    }


def download_type(filename: str, dialect: Dialect) -> str:
    """The Content-Type of a download: application/octet-stream, or where the
    dialect names the types it accepts, the one the filename suggests among
    them, else text/plain."""
    allowed = dialect.download_types
    if not allowed:
        return "application/octet-stream"
    guessed, _ = mimetypes.guess_type(filename)
    return guessed if guessed in allowed else "text/plain"


class BinaryBody(NamedTuple):
    """A body sent as it is (a file's content), not JSON: no schema applies."""

    data: bytes
    content_type: str = "application/octet-stream"


def deleted_vector_store(vector_store_id: str) -> dict[str, Any]:
    return {"id": vector_store_id, "object": "vector_store.deleted", "deleted": True}


class NotJsonError(ValueError):
    """A body holding a value JSON has no word for (``inf``, ``nan``): never sent.

    The responder answers it as a contract violation naming ``path``.
    """

    def __init__(self, path: str, value: float) -> None:
        super().__init__(f"{value} at {path} is not a JSON number")
        self.path = path
        self.value = value


# json.dumps' defaults but one: Python writes ``inf`` as ``Infinity``, which
# no JSON parser reads, so it is refused instead.
_ENCODER = json.JSONEncoder(allow_nan=False)


def encode(body: Any) -> bytes:
    """The one JSON encoding fake_server sends; ``NotJsonError`` for a non-finite number.

    The default separators keep bodies byte-identical to ``json.dumps``
    output, which is what the reference examples in the README show.
    """
    try:
        return _ENCODER.encode(body).encode("utf-8")
    except ValueError:
        found = _non_finite(body, "$")
        if found is None:
            raise
        raise NotJsonError(*found) from None


def _non_finite(value: Any, path: str) -> tuple[str, float] | None:
    """The path of the first number in ``value`` that JSON cannot hold, and the number."""
    if isinstance(value, float):
        return None if math.isfinite(value) else (path, value)
    if isinstance(value, dict):
        items: Iterable[tuple[Any, Any]] = ((f"{path}.{key}", item) for key, item in value.items())
    elif isinstance(value, list | tuple):
        items = ((f"{path}[{index}]", item) for index, item in enumerate(value))
    else:
        return None
    for where, item in items:
        found = _non_finite(item, where)
        if found is not None:
            return found
    return None


class EncodedBody(NamedTuple):
    """A response body already encoded; ``value`` is what it encodes, when at hand."""

    data: bytes
    value: Any = None


class EncodedList(NamedTuple):
    """A list page whose items are already encoded.

    A page of 100 files is about 30 KB of JSON: encoding each item once (see
    ``view_cache``) and joining bytes costs a small fraction of encoding the
    whole page on every request. ``to_json`` gives exactly what
    ``encode`` would give for the same page built as dicts.
    """

    items: list[bytes]
    first_id: str
    last_id: str
    has_more: bool

    def envelope(self) -> dict[str, Any]:
        """The page with an empty ``data``: what the contract checks apart from the items."""
        return {
            "object": "list",
            "data": [],
            "first_id": self.first_id,
            "last_id": self.last_id,
            "has_more": self.has_more,
        }

    def to_json(self) -> bytes:
        return b"".join(
            (
                b'{"object": "list", "data": [',
                b", ".join(self.items),
                b'], "first_id": ',
                encode(self.first_id),
                b', "last_id": ',
                encode(self.last_id),
                b', "has_more": ',
                b"true" if self.has_more else b"false",
                b"}",
            )
        )


class FinishedPage:
    """A list page encoded whole, sent again for as long as its snapshot holds
    (``view_cache`` keeps it).

    ``checked`` holds what the page was found valid against (a contract, its
    schema set, the operation and the status): validity is a function of the
    bytes and the schema alone, so the same bytes under the same schema need
    no second check.
    """

    __slots__ = ("checked", "data", "page")

    def __init__(self, page: EncodedList) -> None:
        self.page = page
        self.data = page.to_json()
        self.checked: set[tuple[object, str, str | None, int]] = set()


def page(result: Page[View], encode_item: Callable[[View], bytes]) -> EncodedList:
    items = result.items
    return _encoded_page(items, [encode_item(item) for item in items], result.has_more)


class RenderedFile(NamedTuple):
    """A vector store file's view and its encoding (see ``view_cache``)."""

    view: FileView
    data: bytes


def encoded_page(result: Page[RenderedFile]) -> EncodedList:
    """A page of items encoded earlier (see ``view_cache``)."""
    items = result.items
    return EncodedList(
        [item.data for item in items],
        first_id=items[0].view.id if items else "",
        last_id=items[-1].view.id if items else "",
        has_more=result.has_more,
    )


def _encoded_page(items: Sequence[Identified], encoded: list[bytes], has_more: bool) -> EncodedList:
    # Both the spec and the MKA1 SDK require string cursors, even for an
    # empty page; an empty string is the value both accept.
    return EncodedList(
        encoded,
        first_id=items[0].id if items else "",
        last_id=items[-1].id if items else "",
        has_more=has_more,
    )
