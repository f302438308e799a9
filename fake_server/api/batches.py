"""File batch operations."""

from __future__ import annotations

from typing import Any

from fake_server import render
from fake_server.api.params import file_list_query
from fake_server.api.routing import Call, Operation

BATCH_PATH = "/vector_stores/{vector_store_id}/file_batches/{batch_id}"


def get_batch(call: Call) -> dict[str, Any]:
    view = call.state.store.get_batch(
        call.path_param("vector_store_id"), call.path_param("batch_id")
    )
    return render.file_batch(view, call.dialect)


def cancel_batch(call: Call) -> dict[str, Any]:
    # Cancel takes no body; whatever a client sends (the SDKs send none, with
    # or without a Content-Type) is ignored.
    view = call.state.store.cancel_batch(
        call.path_param("vector_store_id"), call.path_param("batch_id")
    )
    return render.file_batch(view, call.dialect)


def list_batch_files(call: Call) -> dict[str, Any]:
    query = file_list_query(call.request.query_params)
    page = call.state.store.list_batch_files(
        call.path_param("vector_store_id"), call.path_param("batch_id"), query
    )
    return render.file_page(page)


OPERATIONS = [
    Operation("getVectorStoreFileBatch", "GET", BATCH_PATH, get_batch),
    Operation("cancelVectorStoreFileBatch", "POST", BATCH_PATH + "/cancel", cancel_batch),
    Operation("listFilesInVectorStoreBatch", "GET", BATCH_PATH + "/files", list_batch_files),
]
