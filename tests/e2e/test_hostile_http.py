"""Hostile HTTP input the pipeline owns: end-user headers, the journal's bounds, chunked uploads.

Each case gets a clean 4xx in the provider's envelope (or is served
correctly), changes nothing, and the server keeps answering.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from fake_server.http import record
from fake_server.testing.handle import TEST_API_KEY, FakeServer
from tests.helpers import StartServer

BATCH = "/v1/vector_stores/vs_abc123/file_batches/vsfb_abc123"
AUTH = {"Authorization": f"Bearer {TEST_API_KEY}"}
MULTIPART = {**AUTH, "Content-Type": "multipart/form-data; boundary=fakeboundary"}
TIMEOUT = httpx.Timeout(10.0)

OWNED = """
vector_stores:
  - id: vs_jose
    owner: "josé"
    file_batches:
      - id: vsfb_jose
        files: [{id: file-1}, {id: file-2}]
"""


def envelope(response: httpx.Response) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"message", "type", "param", "code"}
    error: dict[str, Any] = body["error"]
    return error


def batch_status(server: FakeServer) -> str:
    status: str = httpx.get(server.url + BATCH, headers=AUTH).json()["status"]
    return status


@pytest.mark.parametrize(
    "value",
    [b"", b" ", b"\t", b"   \t  ", b"\xff\xfe", b"\xc3", b"x" * 257, b"alice, bob", b"a/b"],
    ids=["empty", "space", "tab", "blanks", "not-utf8", "cut-utf8", "too-long", "joined", "slash"],
)
@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", BATCH + "/cancel"), ("GET", BATCH), ("GET", "/api/v1/llm/vector_stores")],
)
def test_a_blank_or_undecodable_end_user_is_refused(
    server: FakeServer, value: bytes, method: str, path: str
) -> None:
    # Over a raw socket: HTTP clients refuse to send blank or odd header values.
    status, body = raw_request(server, method, path, [b"X-On-Behalf-Of: " + value])

    assert status == 400
    assert json.loads(body)["error"]["param"] == "X-On-Behalf-Of"
    assert batch_status(server) == "in_progress"


def raw_request(
    server: FakeServer, method: str, path: str, extra_headers: list[bytes]
) -> tuple[int, bytes]:
    host, port = server.url.removeprefix("http://").split(":")
    request = b"\r\n".join(
        [
            f"{method} {path} HTTP/1.1".encode(),
            f"Host: {host}".encode(),
            f"Authorization: Bearer {TEST_API_KEY}".encode(),
            b"Content-Length: 0",
            b"Connection: close",
            *extra_headers,
            b"",
            b"",
        ]
    )
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(request)
        received = b""
        while chunk := connection.recv(65536):  # ends when the server closes
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def test_an_end_user_named_in_utf8_reaches_their_own_store(start_server: StartServer) -> None:
    server = start_server(OWNED)
    path = server.url + "/v1/vector_stores/vs_jose/file_batches/vsfb_jose"
    as_jose = as_end_user("josé".encode())

    assert httpx.get(path, headers=as_jose).status_code == 200
    assert httpx.get(path, headers=as_end_user(b"jose")).status_code == 404
    assert httpx.post(path + "/cancel", headers=as_jose).json()["status"] == "cancelled"
    entries = httpx.get(f"{server.url}/__fake__/requests").json()["requests"]
    assert [entry["headers"]["x-on-behalf-of"] for entry in entries] == ["josé", "jose", "josé"]


@pytest.mark.parametrize(
    "twice", [[b"alice", b"alice"], ["josé".encode(), b"alice"], [b"alice", b""]], ids=str
)
def test_an_end_user_sent_twice_is_refused(start_server: StartServer, twice: list[bytes]) -> None:
    server = start_server(OWNED)
    path = "/v1/vector_stores/vs_jose/file_batches/vsfb_jose/cancel"
    status, body = raw_request(server, "POST", path, [b"X-On-Behalf-Of: " + n for n in twice])

    assert status == 400
    error = json.loads(body)["error"]
    assert error["param"] == "X-On-Behalf-Of" and "more than once" in error["message"]
    assert batch_status_of(server, path.removesuffix("/cancel")) == "in_progress"


def batch_status_of(server: FakeServer, path: str) -> str:
    status: str = httpx.get(server.url + path, headers=AUTH).json()["status"]
    return status


def as_end_user(name: bytes) -> list[tuple[bytes, bytes]]:
    # Sent as UTF-8 bytes, as the SDKs send a name that is not ASCII.
    return [(b"Authorization", f"Bearer {TEST_API_KEY}".encode()), (b"X-On-Behalf-Of", name)]


def test_the_journal_keeps_only_documented_headers_each_cut_short(server: FakeServer) -> None:
    headers: dict[str, str] = {
        **AUTH,
        "User-Agent": "u" * 20_000,
        "X-Stainless-Retry-Count": "0",
        "X-Undocumented": "z" * 20_000,
        "Cookie": "secret=1",
    }
    long_path = BATCH + "/" + "p" * 5_000

    assert httpx.get(server.url + BATCH, headers=headers).status_code == 200
    assert httpx.get(server.url + long_path, params={"q": "q" * 5_000}, headers=AUTH).is_error

    first, second = httpx.get(f"{server.url}/__fake__/requests").json()["requests"]
    assert set(first["headers"]) == {"user-agent", "x-stainless-retry-count"}
    # Each cut short, saying how long it was (fake_server.http.record).
    assert first["headers"]["user-agent"] == "u" * record.MAX_HEADER_BYTES + "... (20000 bytes)"
    cut_path = long_path[: record.MAX_PATH_CHARACTERS] + f"... ({len(long_path)} characters)"
    assert second["path"] == cut_path
    assert second["query"] == ("q=" + "q" * 5_000)[: record.MAX_QUERY_BYTES] + "... (5002 bytes)"


def _chunks(total: int, size: int = 1024 * 1024) -> Iterator[bytes]:
    boundary = b"--fakeboundary\r\n"
    yield boundary + b'Content-Disposition: form-data; name="purpose"\r\n\r\nassistants\r\n'
    yield boundary + (
        b'Content-Disposition: form-data; name="file"; filename="big.bin"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n"
    )
    sent = 0
    while sent < total:  # bounded by total
        yield b"x" * size
        sent += size
    yield b"\r\n--fakeboundary--\r\n"


@pytest.mark.parametrize("mebibytes", [33, 34])
def test_a_chunked_upload_over_the_limit_is_refused(server: FakeServer, mebibytes: int) -> None:
    response = httpx.post(
        server.url + "/v1/files",
        content=_chunks(mebibytes * 1024 * 1024),
        headers=MULTIPART,
        timeout=TIMEOUT,
    )

    assert response.status_code == 413
    assert envelope(response)["code"] == "request_too_large"
    entries = httpx.get(f"{server.url}/__fake__/requests").json()["requests"]
    assert [(entry["operation"], entry["status"]) for entry in entries] == [("createFile", 413)]
    assert batch_status(server) == "in_progress"


def test_a_chunked_upload_within_the_limit_is_served(server: FakeServer) -> None:
    response = httpx.post(
        server.url + "/v1/files",
        content=_chunks(2 * 1024 * 1024),
        headers=MULTIPART,
        timeout=TIMEOUT,
    )

    assert response.status_code == 200
    assert response.json()["bytes"] == 2 * 1024 * 1024


def test_a_json_body_sent_in_pieces_is_read_whole(server: FakeServer) -> None:
    # Chunked, with pauses, so the server gets the body as several messages;
    # the pieces split a file id in two.
    pieces = [b'{"file_ids": ["file-ab', b'c123", "file-', b'abc456"]}']
    host, port = server.url.removeprefix("http://").split(":")
    head = (
        "POST /v1/vector_stores/vs_abc123/file_batches HTTP/1.1\r\n"
        f"Host: {host}\r\nAuthorization: Bearer {TEST_API_KEY}\r\n"
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
        "Connection: close\r\n\r\n"
    )
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(head.encode())
        for piece in pieces:
            connection.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
            time.sleep(0.05)
        connection.sendall(b"0\r\n\r\n")
        answer = b""
        while chunk := connection.recv(65536):  # ends when the server closes
            answer += chunk
    head_part, _, body = answer.partition(b"\r\n\r\n")
    assert head_part.startswith(b"HTTP/1.1 200"), answer[:300]
    assert json.loads(body)["file_counts"] == {
        "in_progress": 2,
        "completed": 0,
        "failed": 0,
        "cancelled": 0,
        "total": 2,
    }


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/vector_stores/vs_abc123%2Ffile_batches%2Fvsfb_abc123"),
        ("POST", "/v1/vector_stores/vs_abc123/file_batches/vsfb_abc123%2fcancel"),
        ("POST", "/api/v1/llm/vector_stores/vs_abc123%2Ffile_batches/vsfb_abc123/cancel"),
    ],
)
def test_an_encoded_slash_is_part_of_a_segment_not_a_separator(
    server: FakeServer, method: str, path: str
) -> None:
    status, body = raw_request(server, method, path, [])

    assert status == 404
    message = json.loads(body)["error"]["message"]
    # The path as sent, %2F and all (cut past 64 characters, as every echo is).
    assert message.startswith(f"Invalid URL ({method} {path[:64]}")
    assert batch_status(server) == "in_progress"
