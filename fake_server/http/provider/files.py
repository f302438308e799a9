"""Uploaded files (``POST /files``): what a batch is made of."""

from __future__ import annotations

from typing import Any

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
    return render.uploaded_file(
        call.state.account.get_file(call.path_param("file_id"), actor=call.actor), call.dialect
    )


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
    deleted = call.state.account.delete_file(call.path_param("file_id"), actor=call.actor)
    return render.deleted_file(deleted)


async def download_file(call: Call) -> render.BinaryBody:
    account, file_id = call.state.account, call.path_param("file_id")
    upload = account.get_file(file_id, actor=call.actor)
    return render.BinaryBody(
        account.file_content(file_id, actor=call.actor),
        render.download_type(upload.filename, call.dialect),
    )
