"""Uploaded files (``POST /files``): what a batch is made of."""

from __future__ import annotations

from typing import Any

from fake_server.http import render
from fake_server.http.bodies import multipart_upload
from fake_server.http.context import Call
from fake_server.http.routes import Operation


async def create_file(call: Call) -> dict[str, Any]:
    upload = await multipart_upload(call, "createFile")
    created = call.state.account.upload_file(
        upload.filename, upload.size, upload.purpose, actor=call.actor
    )
    return render.uploaded_file(created)


async def retrieve_file(call: Call) -> dict[str, Any]:
    return render.uploaded_file(
        call.state.account.get_file(call.path_param("file_id"), actor=call.actor)
    )


OPERATIONS = [
    Operation("createFile", "POST", "/files", create_file),
    Operation("retrieveFile", "GET", "/files/{file_id}", retrieve_file),
]
