"""Domain views to wire bodies, in each dialect."""

from __future__ import annotations

from typing import Any

from fake_server.dialects import Dialect
from fake_server.store import BatchView, FilePage, FileView

# Chunking the real API reports for files added without a strategy.
DEFAULT_CHUNKING = {
    "type": "static",
    "static": {"max_chunk_size_tokens": 800, "chunk_overlap_tokens": 400},
}


def file_batch(view: BatchView, dialect: Dialect) -> dict[str, Any]:
    counts = view.counts
    return {
        "id": view.id,
        "object": dialect.file_batch_object,
        "created_at": view.created_at,
        "vector_store_id": view.vector_store_id,
        "status": view.status.value,
        "file_counts": {
            "in_progress": counts.in_progress,
            "completed": counts.completed,
            "failed": counts.failed,
            "cancelled": counts.cancelled,
            "total": counts.total,
        },
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
        "status": view.status.value,
        "last_error": last_error,
        "chunking_strategy": DEFAULT_CHUNKING,
    }


def file_page(page: FilePage) -> dict[str, Any]:
    data = [vector_store_file(view) for view in page.files]
    # Both the spec and the MKA1 SDK require string cursors, even for an
    # empty page; an empty string is the value both accept.
    return {
        "object": "list",
        "data": data,
        "first_id": data[0]["id"] if data else "",
        "last_id": data[-1]["id"] if data else "",
        "has_more": page.has_more,
    }
