"""The recording proxy: a plain ASGI app that forwards every provider request to the
upstream and hands what it saw to the ``Recorder``.

Bodies stream both ways: a request body goes to the upstream chunk by chunk as
the client sends it, a response body to the client as the upstream sends it;
the taps (``capture``) keep only digests and bounded JSON on the way. The
client's headers go to the upstream as sent (its key included: the proxy holds
no credential of its own); only the recorder decides what is kept.

``/__fake__/health`` answers ``{"status": "ok"}`` (so ``fake-server wait``
works); the rest of ``/__fake__`` is refused, never forwarded.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlsplit

import httpx

from fake_server import defaults
from fake_server.http import tool_errors
from fake_server.recording.capture import DownloadTap, JsonTap, UploadTap, request_tap, response_tap
from fake_server.recording.recorder import Recorder, Seen

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

HEALTH_PATH = "/__fake__/health"
CONTROL_PREFIX = "/__fake__"
# Headers about one connection, never passed on (RFC 9110 7.6.1), and Host,
# which httpx sets for the upstream.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
    }
)


# How long the upstream may take to connect, and then for each read or write.
TIMEOUT = httpx.Timeout(
    defaults.RECORD_UPSTREAM_SECONDS, connect=defaults.RECORD_CONNECT_SECONDS
).as_dict()


class Upstream(NamedTuple):
    """Where requests go: an origin and a base path kept in front of every path."""

    origin: str
    base_path: str

    @property
    def url(self) -> str:
        return self.origin + self.base_path

    def url_for(self, raw_path: bytes, query: bytes) -> str:
        path = raw_path.decode("latin-1")
        return (
            self.origin + self.base_path + path + ("?" + query.decode("latin-1") if query else "")
        )


def parse_upstream(url: str) -> Upstream:
    """The upstream of ``--upstream``; ValueError says what is wrong with it."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{url!r} is not an http:// or https:// URL")
    if parts.username is not None or parts.password is not None:
        raise ValueError("the upstream URL holds credentials: give the key to your client instead")
    if parts.query or parts.fragment:
        raise ValueError("the upstream URL holds a query or fragment: give only scheme, host, path")
    try:
        port = parts.port
    except ValueError as error:
        raise ValueError(f"{url!r}: {error}") from None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    origin = f"{parts.scheme}://{host}" + (f":{port}" if port is not None else "")
    return Upstream(origin, parts.path.rstrip("/"))


class _ClientGoneError(Exception):
    """The client went away before its request body ended."""


class RecordingProxy:
    def __init__(
        self, upstream: Upstream, recorder: Recorder, *, keep_content: bool = False
    ) -> None:
        self.upstream = upstream
        self.recorder = recorder
        self.keep_content = keep_content
        self.on_exchange: Callable[[str], None] = lambda line: None
        self._transport: httpx.AsyncHTTPTransport | None = None

    def _http(self) -> httpx.AsyncHTTPTransport:
        """httpx's transport, not a client: a client would keep the upstream's
        cookies and send them with every client's requests, follow redirects
        and read proxy settings from the environment; a proxy must do none of it
        (and skipping the client's layers saves a third of the CPU per request)."""
        if self._transport is None:
            self._transport = httpx.AsyncHTTPTransport(
                limits=httpx.Limits(max_connections=defaults.RECORD_MAX_CONNECTIONS),
                trust_env=False,
            )
        return self._transport

    async def aclose(self) -> None:
        if self._transport is not None:
            await self._transport.aclose()
            self._transport = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            path: str = scope["path"]
            if path == HEALTH_PATH:
                await _json(send, 200, {"status": "ok"})
            elif path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/"):
                refusal = tool_errors.not_forwarded()
                await _json(send, refusal.status, refusal.envelope())
            else:
                await self._forward(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:  # bounded: the server sends startup, then shutdown
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _forward(self, scope: Scope, receive: Receive, send: Send) -> None:
        recorder = self.recorder
        seq, arrival = recorder.next_seq(), recorder.now()
        headers = [(k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in scope["headers"]]
        content_type = next((v for k, v in headers if k == "content-type"), "")
        tap = request_tap(content_type, self.keep_content)
        has_body = any(k in ("content-length", "transfer-encoding") for k, _ in headers)
        request = httpx.Request(
            scope["method"],
            self.upstream.url_for(
                scope.get("raw_path") or scope["path"].encode(), scope["query_string"]
            ),
            headers=[(k, v) for k, v in headers if k not in HOP_BY_HOP],
            content=_body(receive, tap) if has_body else None,
            extensions={"timeout": TIMEOUT},
        )
        try:
            response = await self._http().handle_async_request(request)
        except (httpx.HTTPError, _ClientGoneError) as error:
            recorder.upstream_failures += 1
            refusal = tool_errors.upstream_unreachable(type(error).__name__)
            await _json(send, refusal.status, refusal.envelope())
            return
        head = recorder.now()
        try:
            response_body = await _relay(response, send, self.keep_content)
        except httpx.HTTPError as error:
            # The upstream broke off mid-body: the client's answer ends short
            # too (uvicorn closes a connection whose answer was not completed),
            # and nothing is recorded.
            recorder.upstream_failures += 1
            self.on_exchange(
                f"{scope['method']} {recorder.redactor.path(scope['path'])}: the upstream broke "
                f"off its answer ({type(error).__name__}); not recorded"
            )
            return
        finally:
            await response.aclose()
        seen = Seen(
            seq=seq,
            arrival=arrival,
            head=head,
            method=scope["method"],
            path=scope["path"],
            query=parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True),
            request_headers=headers,
            body=tap.result() if isinstance(tap, JsonTap) else None,
            upload=tap.result() if isinstance(tap, UploadTap) else None,
            status=response.status_code,
            response_headers=[(k.lower(), v) for k, v in response.headers.multi_items()],
            response_body=response_body if not isinstance(response_body, DownloadTap) else None,
            download=response_body.result() if isinstance(response_body, DownloadTap) else None,
        )
        kept = recorder.add(seen)
        self.on_exchange(
            f"{kept.request.method} {kept.request.path} {kept.response.status} "
            f"{kept.duration * 1000:.0f}ms"
        )


async def _body(receive: Receive, tap: JsonTap | UploadTap | None) -> AsyncIterator[bytes]:
    """The request body as the client sends it, through the tap."""
    while True:  # bounded by the client's body: more_body ends it
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _ClientGoneError
        chunk: bytes = message.get("body", b"")
        if chunk:
            if tap is not None:
                tap.feed(chunk)
            yield chunk
        if not message.get("more_body", False):
            return


async def _relay(response: httpx.Response, send: Send, keep: bool) -> Any:
    """Send the upstream's answer on as it arrives; what the tap made of its body
    (the parsed JSON, or the DownloadTap)."""
    encoded = "content-encoding" in response.headers
    # httpx decodes a compressed body; the client then gets it plain, so the
    # headers that described the encoded bytes go.
    dropped = HOP_BY_HOP | ({"content-encoding", "content-length"} if encoded else set())
    await send(
        {
            "type": "http.response.start",
            "status": response.status_code,
            "headers": [
                (k.encode("latin-1"), v.encode("latin-1"))
                for k, v in response.headers.multi_items()
                if k.lower() not in dropped
            ],
        }
    )
    tap = response_tap(response.headers.get("content-type", ""), keep)
    chunks = response.aiter_bytes() if encoded else response.aiter_raw()
    async for chunk in chunks:
        tap.feed(chunk)
        await send({"type": "http.response.body", "body": chunk, "more_body": True})
    await send({"type": "http.response.body", "body": b"", "more_body": False})
    return tap.result() if isinstance(tap, JsonTap) else tap


async def _json(send: Send, status: int, body: dict[str, Any]) -> None:
    data = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(data)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": data})
