"""Uploaded files (``POST /files``): what a batch is made of."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fake_server.domain.errors import (
    InvalidRequestError,
    MissingFileError,
    NotFoundError,
    shortened,
)
from fake_server.http.bodies import multipart_upload
from fake_server.http.context import Call
from fake_server.http.params import files_page_query, single
from fake_server.http.provider import render


async def create_file(call: Call) -> dict[str, Any]:
    upload = await multipart_upload(call)
    created = call.state.account.upload_file(
        upload.filename,
        upload.size,
        upload.purpose,
        actor=call.actor,
        content=upload.content,
        expires_after_seconds=upload.expires_after_seconds,
    )
    return render.uploaded_file(created, call.dialect)


async def retrieve_file(call: Call) -> dict[str, Any]:
    with _missing_file_worded(call):
        upload = call.state.account.get_file(call.path_param("file_id"), actor=call.actor)
    return render.uploaded_file(upload, call.dialect)


async def list_files(call: Call) -> render.EncodedList:
    params = call.request.query_params
    digest = single(params, "sha256") if call.dialect.files_carry_sha256 else None
    result = call.state.account.list_files(
        files_page_query(params), single(params, "purpose"), actor=call.actor, digest=digest
    )
    return render.page(
        result, lambda upload: render.encode(render.uploaded_file(upload, call.dialect))
    )


async def delete_file(call: Call) -> dict[str, Any]:
    with _missing_file_worded(call):
        deleted = call.state.account.delete_file(call.path_param("file_id"), actor=call.actor)
    return render.deleted_file(deleted)


async def download_file(call: Call) -> render.BinaryBody:
    account, file_id = call.state.account, call.path_param("file_id")
    with _missing_file_worded(call):
        upload = account.get_file(file_id, actor=call.actor)
        allowed = call.dialect.downloadable_purposes
        if allowed is not None and upload.purpose not in allowed:
            raise InvalidRequestError(
                f"Not allowed to download files of purpose: {shortened(upload.purpose)}"
            )
        content = account.file_content(file_id, actor=call.actor)
    return render.BinaryBody(content, render.download_type(upload.filename, call.dialect))


@contextmanager
def _missing_file_worded(call: Call) -> Iterator[None]:
    """A missing file named as the dialect's provider names it (see
    ``Dialect.missing_file_as_recorded``)."""
    try:
        yield
    except MissingFileError as missing:
        if not call.dialect.missing_file_as_recorded:
            raise
        raise NotFoundError(f"No such File object: {shortened(missing.file_id)}", "id") from None
