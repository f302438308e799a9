"""File batch operations."""

from __future__ import annotations

from typing import Protocol

from fake_server.domain.account import FileSettings
from fake_server.domain.errors import InvalidRequestError
from fake_server.domain.views import BatchView, FileList, FileStatus, Snapshot
from fake_server.http.bodies import json_object
from fake_server.http.context import Call, Reply
from fake_server.http.errors import files_listed_in
from fake_server.http.params import page_and_status
from fake_server.http.provider import render, view_cache


def batch_reply(call: Call, view: BatchView, body: render.EncodedBody) -> Reply:
    return Reply(body, poll_headers(call, view.status))


def poll_headers(call: Call, status: FileStatus) -> dict[str, str]:
    """``openai-poll-after-ms`` on an answer still in progress, which the SDKs' poll
    helpers honour."""
    if status is not FileStatus.IN_PROGRESS:
        return {}
    call.in_progress = True
    poll_after = call.state.poll_after_ms
    return {} if poll_after is None else {"openai-poll-after-ms": str(poll_after)}


async def create_vector_store_file_batch(call: Call) -> Reply:
    body = await json_object(call)
    file_ids, files = body.get("file_ids"), body.get("files")
    if file_ids is not None and files is not None:
        raise InvalidRequestError(
            "'file_ids' and 'files' are mutually exclusive: send one of them.", "files"
        )
    per_file = None
    if file_ids is not None:
        param, ids = "file_ids", file_ids
    elif files is not None:
        param, ids = "files", [item["file_id"] for item in files]
        per_file = {
            item["file_id"]: FileSettings(item.get("attributes"), item.get("chunking_strategy"))
            for item in files
        }
    else:
        raise InvalidRequestError("Missing required parameter: 'file_ids' or 'files'.")
    with files_listed_in(param):
        view = call.state.account.create_batch(
            call.path_param("vector_store_id"),
            ids,
            actor=call.actor,
            attributes=body.get("attributes"),
            chunking_strategy=body.get("chunking_strategy"),
            per_file=per_file,
            duplicates=(
                None
                if not call.dialect.one_content_per_store
                else "skip"
                if body.get("skip_duplicates")
                else "refuse"
            ),
        )
    return batch_reply(call, view, render.file_batch_body(view, call.dialect))


class BatchOperation(Protocol):
    """``Account.get_batch`` or ``Account.cancel_batch``: a batch's snapshot, after acting."""

    def __call__(
        self,
        vector_store_id: str,
        batch_id: str,
        *,
        actor: str | None = None,
        earlier: Snapshot[BatchView] | None = None,
    ) -> Snapshot[BatchView]: ...


def cached_batch_reply(call: Call, operate: BatchOperation) -> Reply:
    """The batch ``operate`` answers, its body encoded once per snapshot and dialect."""
    vector_store_id, batch_id = call.path_param("vector_store_id"), call.path_param("batch_id")

    def read(earlier: Snapshot[BatchView] | None) -> Snapshot[BatchView]:
        return operate(vector_store_id, batch_id, actor=call.actor, earlier=earlier)

    view, body = call.state.views.batch(f"{vector_store_id}/{batch_id}", read, call.dialect)
    return batch_reply(call, view, body)


async def get_vector_store_file_batch(call: Call) -> Reply:
    return cached_batch_reply(call, call.state.account.get_batch)


async def cancel_vector_store_file_batch(call: Call) -> Reply:
    # Cancel takes no body; whatever a client sends (the SDKs send none, with
    # or without a Content-Type) is ignored.
    return cached_batch_reply(call, call.state.account.cancel_batch)


async def list_files_in_vector_store_batch(call: Call) -> render.FinishedPage:
    query, status = page_and_status(call.request.scope["query_string"])
    account = call.state.account
    vector_store_id, batch_id = call.path_param("vector_store_id"), call.path_param("batch_id")

    def read(earlier: Snapshot[FileList] | None) -> Snapshot[FileList]:
        return account.batch_files(vector_store_id, batch_id, actor=call.actor, earlier=earlier)

    key = render.file_list_key(f"{vector_store_id}/{batch_id}", call.dialect)
    files = call.state.views.files(key, read, call.dialect)
    return view_cache.finished_page(files, query, status)
