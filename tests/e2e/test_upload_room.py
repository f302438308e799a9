"""An upload that can never fit what the session has left is refused on its
declared length, before its body is read: 413 naming the room left."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import httpx

from fake_server import defaults
from fake_server.testing.handle import FakeServer
from tests.helpers import StartServer

# Uploads as large as a session could ever keep are allowed per file.
GENEROUS = "limits: {bytes_per_upload: 536870912}\nvector_stores: [{id: vs_1}]\n"
BOUNDARY = "fakeboundary"
HEAD = (
    f"--{BOUNDARY}\r\n"
    'Content-Disposition: form-data; name="purpose"\r\n\r\nassistants\r\n'
    f"--{BOUNDARY}\r\n"
    'Content-Disposition: form-data; name="file"; filename="big.bin"\r\n'
    "Content-Type: application/octet-stream\r\n\r\n"
).encode()
TIMEOUT_SECONDS = 20


def declared_upload(server: FakeServer, declared: int) -> tuple[int, dict[str, Any]]:
    """Sends the head of a request declaring ``declared`` bytes and a few bytes
    of its body, never the rest: only a server that answers before reading
    the body answers at all."""
    host, port = server.url.removeprefix("http://").split(":")
    head = (
        "POST /v1/files HTTP/1.1\r\n"
        f"Host: {host}:{port}\r\n"
        "Authorization: Bearer sk-test\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"Content-Length: {declared}\r\n\r\n"
    ).encode()
    with socket.create_connection((host, int(port)), timeout=TIMEOUT_SECONDS) as sock:
        sock.sendall(head + HEAD + b"x" * 1024)
        answer = b""
        while b"\r\n\r\n" not in answer or not _complete(answer):
            piece = sock.recv(65536)
            assert piece, answer
            answer += piece
    status_line, _, rest = answer.partition(b"\r\n")
    body = rest.partition(b"\r\n\r\n")[2]
    return int(status_line.split()[1]), httpx.Response(200, content=body).json()


def _complete(answer: bytes) -> bool:
    head, _, body = answer.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value)
    return False


def uploaded_ids(http: httpx.Client) -> list[str]:
    return sorted(file["id"] for file in http.get("/v1/files").json()["data"])


def test_an_upload_larger_than_the_session_could_keep_is_refused_unread(
    start_server: StartServer,
) -> None:
    server = start_server(GENEROUS, own=True)
    with server.http_client() as http:
        before = uploaded_ids(http)
        status, body = declared_upload(server, 100 * 1024 * 1024)
        assert status == 413
        error = body["error"]
        assert set(error) == {"message", "type", "param", "code"}
        assert error["code"] == "content_limit_exceeded"
        assert f"room for {defaults.MAX_CONTENT_BYTES} more" in error["message"]
        assert uploaded_ids(http) == before, "nothing uploaded"
        # The server still serves others, uploads included.
        small = http.post("/v1/files", files={"file": ("a.txt", b"a")}, data={"purpose": "batch"})
        assert small.status_code == 200, small.text
        assert httpx.get(f"{server.url}/__fake__/health").json() == {"status": "ok"}


def test_the_room_named_is_what_is_left(start_server: StartServer) -> None:
    server = start_server(GENEROUS, own=True)
    kept = 5 * 1024 * 1024
    with server.http_client() as http:
        first = http.post(
            "/v1/files", files={"file": ("a.bin", b"k" * kept)}, data={"purpose": "assistants"}
        )
        assert first.status_code == 200, first.text
        before = uploaded_ids(http)
        room = defaults.MAX_CONTENT_BYTES - kept
        status, body = declared_upload(server, room + 1024 * 1024)
        assert status == 413
        assert f"room for {room} more" in body["error"]["message"]
        assert uploaded_ids(http) == before
        # What still fits is taken.
        fits = http.post(
            "/v1/files", files={"file": ("b.bin", b"k" * kept)}, data={"purpose": "assistants"}
        )
        assert fits.status_code == 200, fits.text


def _chunks(total: int, size: int = 1024 * 1024) -> Iterator[bytes]:
    yield HEAD
    sent = 0
    while sent < total:  # bounded by total
        yield b"x" * size
        sent += size
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


def test_a_chunked_upload_past_the_room_is_refused_naming_it(start_server: StartServer) -> None:
    server = start_server(GENEROUS, own=True)
    response = httpx.post(
        server.url + "/v1/files",
        content=_chunks(defaults.MAX_CONTENT_BYTES + 2 * 1024 * 1024),
        headers={
            "Authorization": "Bearer sk-test",
            "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
        },
        timeout=TIMEOUT_SECONDS * 3,
    )
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "content_limit_exceeded"
    assert f"room for {defaults.MAX_CONTENT_BYTES} more" in error["message"]
    with server.http_client() as http:
        assert uploaded_ids(http) == []


def test_within_the_room_the_per_upload_limit_still_speaks(start_server: StartServer) -> None:
    server = start_server("limits: {bytes_per_upload: 100}\n", own=True)
    status, body = declared_upload(server, 10 * 1024 * 1024)
    assert status == 413
    assert body["error"]["code"] == "request_too_large"
    assert "limit of 100 bytes" in body["error"]["message"]
