"""Domain views to wire bodies, in each dialect."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fake_server.dialects import Dialect
from fake_server.model import BatchView, FileCounts, FileView, UploadedFile, VectorStoreView
from fake_server.paging import Page

View = TypeVar("View")

# Chunking the real API reports for files added without a strategy.
DEFAULT_CHUNKING = {
    "type": "static",
    "static": {"max_chunk_size_tokens": 800, "chunk_overlap_tokens": 400},
}


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


def vector_store_file(view: FileView) -> dict[str, Any]:
    last_error = (
        None
        if view.error_code is None
        else {"code": view.error_code, "message": view.error_message or ""}
    )
    return {
        "id": view.id,
        "object": "vector_store.file",
        "usage_bytes": view.usage_bytes,
        "created_at": view.created_at,
        "vector_store_id": view.vector_store_id,
        # A StrEnum member is a str: json encodes it as its value.
        "status": view.status,
        "last_error": last_error,
        "chunking_strategy": DEFAULT_CHUNKING,
    }


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
    }
    if view.description is not None:
        body["description"] = view.description
    if dialect.name == "mka1":
        # Required by the MKA1 SDK's VectorStore model.
        body |= {
            "embedding_model": None,
            "embedding_dimensions": None,
            "retrieval_mode": "vector",
            "last_used_at": view.last_active_at,
        }
    return body


def uploaded_file(upload: UploadedFile) -> dict[str, Any]:
    return {
        "id": upload.id,
        "object": "file",
        "bytes": upload.bytes,
        "created_at": upload.created_at,
        "filename": upload.filename,
        "purpose": upload.purpose,
        "status": "processed",
    }


def deleted_vector_store(vector_store_id: str) -> dict[str, Any]:
    return {"id": vector_store_id, "object": "vector_store.deleted", "deleted": True}


def page(result: Page[View], render: Callable[[View], dict[str, Any]]) -> dict[str, Any]:
    data = [render(item) for item in result.items]
    # Both the spec and the MKA1 SDK require string cursors, even for an
    # empty page; an empty string is the value both accept.
    return {
        "object": "list",
        "data": data,
        "first_id": data[0]["id"] if data else "",
        "last_id": data[-1]["id"] if data else "",
        "has_more": result.has_more,
    }
