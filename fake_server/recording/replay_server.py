"""The replay over HTTP: an ASGI app that reads each request as replay compares it,
answers from the recording or with the 404, and serves its own health and
report under ``/__fake__``; and the loop ``fake-server replay`` runs it in."""

from __future__ import annotations

import hashlib
import json
import signal
import sys
import threading
from typing import Any
from urllib.parse import parse_qsl

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from fake_server.http import bodies, tool_errors
from fake_server.http.admin_paths import ADMIN_PREFIX
from fake_server.recording.cassette import Exchange
from fake_server.recording.parity import upload_content
from fake_server.recording.replay import Replay, SeenRequest, SeenUpload

# A JSON body replay reads at most (the fake's own bound); a larger one is
# compared by its size only.
MAX_JSON_BYTES = bodies.MAX_JSON_BYTES
HASH_CHUNK_BYTES = 1024 * 1024
# Recorded headers never sent again: the body sent decides them.
NOT_SENT = frozenset({"content-length", "transfer-encoding", "content-encoding"})
JSON_TYPE = b"application/json"


class ReplayApp:
    """A plain ASGI app over a ``Replay``."""

    def __init__(self, replay: Replay) -> None:
        self.replay = replay

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        path: str = scope["path"]
        if path.startswith(ADMIN_PREFIX + "/") or path == ADMIN_PREFIX:
            await _control(self.replay, scope, send)
            return
        seen = await _seen(Request(scope, receive))
        answer = self.replay.take(seen)
        if isinstance(answer, Exchange):
            await _recorded(answer, send)
        else:
            await _json(send, 404, tool_errors.unrecorded_request(answer).envelope())


async def _control(replay: Replay, scope: Scope, send: Send) -> None:
    name = scope["path"][len(ADMIN_PREFIX) :]
    if scope["method"] == "GET" and name == "/health":
        await _json(send, 200, {"status": "ok"})
    elif scope["method"] == "GET" and name == "/report":
        await _json(send, 200, replay.report())
    elif scope["method"] == "POST" and name == "/reset":
        replay.rewind()
        await _json(send, 200, replay.report())
    else:
        refusal = tool_errors.replay_unknown_route(scope["method"], name)
        await _json(send, 404, refusal.envelope())


async def _seen(request: Request) -> SeenRequest:
    query = parse_qsl(request.url.query, keep_blank_values=True)
    base = SeenRequest(request.method, request.url.path, query)
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        try:
            form = await request.form(max_files=1, max_fields=100)
        except (HTTPException, MultiPartException, ValueError):
            # Not an upload replay can read: it matches no recorded request.
            return base._replace(raw_size=1)
        for value in form.values():
            if isinstance(value, UploadFile):
                return base._replace(upload=await _digest(value))
        return base
    size = 0
    chunks: list[bytes] = []
    async for chunk in request.stream():
        size += len(chunk)
        if size <= MAX_JSON_BYTES:
            chunks.append(chunk)
    if not size:
        return base
    try:
        return (
            base._replace(body=json.loads(b"".join(chunks)))
            if size <= MAX_JSON_BYTES
            else base._replace(raw_size=size)
        )
    except ValueError:
        return base._replace(raw_size=size)


async def _digest(upload: UploadFile) -> SeenUpload:
    digest, size = hashlib.sha256(), 0
    while chunk := await upload.read(HASH_CHUNK_BYTES):
        digest.update(chunk)
        size += len(chunk)
    await upload.close()
    return SeenUpload(size, digest.hexdigest())


async def _recorded(exchange: Exchange, send: Send) -> None:
    response = exchange.response
    download = response.download
    if download is not None:
        body = upload_content(download.size, download.sha256, download.content_b64)
    elif response.body is not None:
        body = json.dumps(response.body, ensure_ascii=False).encode("utf-8")
    else:
        body = b""
    headers = [
        (name.lower().encode("latin-1"), value.encode("latin-1"))
        for name, value in response.headers.items()
        if name.lower() not in NOT_SENT
    ]
    if response.body is not None and not any(name == b"content-type" for name, _ in headers):
        headers.append((b"content-type", JSON_TYPE))
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _json(send: Send, status: int, value: Any) -> None:
    body = json.dumps(value).encode("utf-8")
    headers = [(b"content-type", JSON_TYPE), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def serve_replay(replay: Replay, host: str, port: int, cassette_name: str) -> bool:
    """Serve until SIGINT or SIGTERM; whether every request was a recorded one."""
    from fake_server.serve.thread import ServerThread  # noqa: PLC0415 -- only the command serves

    stop = threading.Event()
    previous = {
        sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        with ServerThread(ReplayApp(replay), host, port) as thread:
            print(
                f"fake_server replay ready on {thread.url} "
                f"(cassette: {cassette_name}, {len(replay.exchanges)} recorded requests)",
                flush=True,
            )
            while not stop.wait(0.5):
                pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print(
        f"fake_server replay stopped: {replay.served} of {len(replay.exchanges)} recorded "
        f"requests answered, {replay.missed} unrecorded",
        flush=True,
    )
    return not replay.missed


def log_to_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
