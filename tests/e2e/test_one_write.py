"""Each answer leaves in one write, over a real socket, and HTTP/1.1 still holds.

The server is ``ServerThread`` (what the ``fake_server`` fixture runs), on
uvicorn with fake_server's head-joining transport; ``fake-server serve``
uses the same protocol (tests/cli/test_stack.py serves it).
"""

from __future__ import annotations

import socket
import struct
import sys

import openai
import pytest

from fake_server import ServerThread
from fake_server.serve.one_write import JOIN_LIMIT_BYTES
from tests.conftest import API_KEY, StartServer

BATCH = "/v1/vector_stores/vs_abc123/file_batches/vsfb_abc123"
TIMEOUT_SECONDS = 10.0
CREATE = b'{"file_ids": ["file-abc123"]}'
# struct tcp_info (linux/tcp.h): tcpi_segs_in follows 136 bytes of older fields.
TCP_INFO: int = getattr(socket, "TCP_INFO", 0)
TCP_INFO_BYTES = 256
TCPI_SEGS_IN_OFFSET = 140
ONLY_WITH_TCP_INFO = pytest.mark.skipif(
    not sys.platform.startswith("linux") or not TCP_INFO,
    reason="counts segments with Linux's TCP_INFO",
)


def connect(server: ServerThread) -> socket.socket:
    host, port = server.url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=TIMEOUT_SECONDS)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def request(method: str, path: str, body: bytes = b"", *extra: str) -> bytes:
    lines = [
        f"{method} {path} HTTP/1.1",
        "Host: 127.0.0.1",
        f"Authorization: Bearer {API_KEY}",
        f"Content-Length: {len(body)}",
        *extra,
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def read_answers(sock: socket.socket, count: int) -> list[bytes]:
    """``count`` whole answers (head and Content-Length body) read off ``sock``."""
    data, answers = b"", list[bytes]()
    for _ in range(10_000):
        if len(answers) == count:
            break
        head_end = data.find(b"\r\n\r\n")
        if head_end >= 0:
            head = data[:head_end].decode("latin-1").lower()
            length = int(head.partition("content-length: ")[2].split("\r\n")[0] or 0)
            end = head_end + 4 + length
            if len(data) >= end:
                answers.append(data[:end])
                data = data[end:]
                continue
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection early"
        data += chunk
    assert len(answers) == count
    return answers


def segments_received(sock: socket.socket) -> int:
    """TCP segments ``sock`` has received so far (Linux's ``tcpi_segs_in``)."""
    info = sock.getsockopt(socket.IPPROTO_TCP, TCP_INFO, TCP_INFO_BYTES)
    count: int = struct.unpack_from("I", info, TCPI_SEGS_IN_OFFSET)[0]
    return count


def segments_per_answer(url: str, answers: int = 50) -> float:
    """Segments per answer to ``answers`` retrieves, one at a time on one connection."""
    host, port = url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=TIMEOUT_SECONDS) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.sendall(request("GET", BATCH))
        read_answers(sock, 1)  # the connection's own segments are behind us
        before = segments_received(sock)
        for _ in range(answers):
            sock.sendall(request("GET", BATCH))
            (answer,) = read_answers(sock, 1)
            assert answer.startswith(b"HTTP/1.1 200 OK"), answer
        return (segments_received(sock) - before) / answers


@ONLY_WITH_TCP_INFO
def test_each_answer_is_one_segment(server: ServerThread) -> None:
    # uvicorn alone writes the head, then the body: two segments an answer
    # (TCP_NODELAY), and a client that reads the head wakes again for the body.
    assert segments_per_answer(server.url) == 1


def test_pipelined_requests_are_answered_in_order(server: ServerThread) -> None:
    with connect(server) as sock:
        sock.sendall(
            request("GET", BATCH)
            + request("POST", BATCH + "/cancel")
            + request("GET", BATCH + "/nope")
        )
        first, second, third = read_answers(sock, 3)
    assert first.startswith(b"HTTP/1.1 200 OK") and b'"status": "in_progress"' in first
    assert second.startswith(b"HTTP/1.1 200 OK") and b'"status": "cancelled"' in second
    assert third.startswith(b"HTTP/1.1 404 ")


def test_expect_100_continue_then_the_answer(server: ServerThread) -> None:
    with connect(server) as sock:
        head = request(
            "POST",
            "/v1/vector_stores/vs_abc123/file_batches",
            b"",
            "Content-Type: application/json",
            "Expect: 100-continue",
        ).replace(b"Content-Length: 0", f"Content-Length: {len(CREATE)}".encode())
        sock.sendall(head)
        # The server asks for the body before it reads it: nothing else yet.
        assert sock.recv(65536) == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(CREATE)
        (answer,) = read_answers(sock, 1)
    assert answer.startswith(b"HTTP/1.1 200 OK"), answer
    assert b'"object": "vector_store.file_batch"' in answer


def test_connection_close_gets_the_whole_answer_then_the_end(server: ServerThread) -> None:
    with connect(server) as sock:
        sock.sendall(request("GET", BATCH, b"", "Connection: close"))
        data = b""
        for _ in range(1000):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    assert data.startswith(b"HTTP/1.1 200 OK")
    assert data.endswith(b'"total": 3}}')


def test_a_download_larger_than_the_join_limit_arrives_intact(
    start_server: StartServer,
) -> None:
    server = start_server(own=True)
    content = bytes(range(256)) * (JOIN_LIMIT_BYTES // 256 + 7)
    client = openai.OpenAI(base_url=server.url + "/v1", api_key=API_KEY, max_retries=0)
    upload = client.files.create(file=("big.bin", content), purpose="assistants")
    assert client.files.content(upload.id).read() == content
