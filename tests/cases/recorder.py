"""Cassettes for the parity and replay tests, recorded from an SDK's own traffic.

A client's HTTP layer calls ``Recorder``'s event hooks with every request and
answer; the recorder writes them in the cassette format, as ``fake-server
record`` does (credentials never kept, documented headers only, uploads as
name, size and SHA-256). ``upstream_prefix`` is the part of the upstream's
path the recording leaves out (a proxy's base path): recording a client of
``/spec/v1`` with prefix ``/spec`` gives ``/v1/...`` paths.
"""

from __future__ import annotations

import email.parser
import email.policy
import hashlib
import json
import time
from typing import Any

from fake_server.recording.cassette import (
    Cassette,
    Download,
    Exchange,
    RecordedRequest,
    RecordedResponse,
    Upload,
)
from fake_server.recording.redaction import REQUEST_HEADERS, RESPONSE_HEADERS

RECORDED_AT = "2026-12-07T20:00:00Z"


class Recorder:
    def __init__(self, upstream: str, upstream_prefix: str = "") -> None:
        self.upstream = upstream
        self.prefix = upstream_prefix
        self.started = time.monotonic()
        self.exchanges: list[Exchange] = []
        self._pending: dict[int, tuple[float, RecordedRequest]] = {}

    def hooks(self) -> dict[str, list[Any]]:
        return {"request": [self.on_request], "response": [self.on_response]}

    def on_request(self, request: Any) -> None:
        body = request.read()
        content_type = request.headers.get("content-type", "")
        recorded = RecordedRequest(
            method=request.method,
            path=request.url.path.removeprefix(self.prefix),
            query=[(name, value) for name, value in request.url.params.multi_items()],
            headers={
                name.lower(): value
                for name, value in request.headers.items()
                if name.lower() in REQUEST_HEADERS and name.lower() != "content-type"
            },
        )
        if content_type.startswith("multipart/form-data"):
            recorded.upload = _upload(content_type, body)
        elif body:
            recorded.headers["content-type"] = content_type
            recorded.body = json.loads(body)
        self._pending[id(request)] = (time.monotonic() - self.started, recorded)

    def on_response(self, response: Any) -> None:
        data = response.read()
        t, request = self._pending.pop(id(response.request))
        headers = {
            name.lower(): value
            for name, value in response.headers.items()
            if name.lower() in RESPONSE_HEADERS
        }
        recorded = RecordedResponse(status=response.status_code, headers=headers)
        if headers.get("content-type", "").startswith("application/json"):
            recorded.body = json.loads(data)
        elif data:
            recorded.download = Download(len(data), hashlib.sha256(data).hexdigest())
        duration = time.monotonic() - self.started - t
        self.exchanges.append(Exchange(len(self.exchanges), t, duration, request, recorded))

    def cassette(self) -> Cassette:
        return Cassette(
            upstream=self.upstream,
            recorded_at=RECORDED_AT,
            exchanges=list(self.exchanges),
        )


def _upload(content_type: str, body: bytes) -> Upload:
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    upload: Upload | None = None
    fields: dict[str, str] = {}
    for part in message.iter_parts():
        name = str(part.get_param("name", header="content-disposition"))
        content = bytes(part.get_payload(decode=True) or b"")
        filename = part.get_filename()
        if filename is None:
            fields[name] = content.decode("utf-8")
            continue
        digest = hashlib.sha256(content).hexdigest()
        upload = Upload(field=name, filename=filename, size=len(content), sha256=digest)
    assert upload is not None, "a multipart request without a file part"
    upload.fields = fields
    return upload


class Altered:
    """An upstream that answers differently on purpose: the app's JSON answers,
    changed by ``alter(path, body)`` before they are sent."""

    def __init__(self, app: Any, alter: Any) -> None:
        self.app, self.alter = app, alter

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        held: dict[str, Any] = {}
        parts: list[bytes] = []

        async def holding(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                held.update(message)
                return
            parts.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(parts)
            headers = [(k, v) for k, v in held["headers"] if k != b"content-length"]
            if dict(headers).get(b"content-type", b"").startswith(b"application/json"):
                body = json.dumps(self.alter(scope["path"], json.loads(body))).encode()
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**held, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, holding)
