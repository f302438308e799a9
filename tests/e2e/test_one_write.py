"""Each answer leaves in one write, over a real socket, and HTTP/1.1 still holds.

The server is ``ServerThread`` (what the ``fake_server`` fixture runs), on
uvicorn with fake_server's head-joining transport; ``fake-server serve``
uses the same protocol (tests/cli/test_stack.py serves it).
"""

from __future__ import annotations

import socket

import openai
import pytest

from fake_server.serve.one_write import JOIN_LIMIT_BYTES
from fake_server.testing.handle import TEST_API_KEY, FakeServer
from tests.helpers import (
    ONLY_WITH_TCP_INFO,
    SOCKET_TIMEOUT_SECONDS,
    StartServer,
    raw_request,
    read_answers,
    segments_per_answer,
)

BATCH = "/v1/vector_stores/vs_abc123/file_batches/vsfb_abc123"
CREATE = b'{"file_ids": ["file-abc123"]}'


def connect(server: FakeServer) -> socket.socket:
    host, port = server.url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=SOCKET_TIMEOUT_SECONDS)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


@ONLY_WITH_TCP_INFO
# It reads an in-progress batch 50 times at once on purpose, sooner than the
# openai-poll-after-ms the real clock now gives: no client mistake to report.
@pytest.mark.fake_server_client_checks("off")
def test_each_answer_is_one_segment(server: FakeServer) -> None:
    # uvicorn alone writes the head, then the body: two segments an answer
    # (TCP_NODELAY), and a client that reads the head wakes again for the body.
    assert segments_per_answer(server.url) == 1


def test_pipelined_requests_are_answered_in_order(server: FakeServer) -> None:
    with connect(server) as sock:
        sock.sendall(
            raw_request("GET", BATCH)
            + raw_request("POST", BATCH + "/cancel")
            + raw_request("GET", BATCH + "/nope")
        )
        first, second, third = read_answers(sock, 3)
    assert first.startswith(b"HTTP/1.1 200 OK") and b'"status": "in_progress"' in first
    assert second.startswith(b"HTTP/1.1 200 OK") and b'"status": "cancelled"' in second
    assert third.startswith(b"HTTP/1.1 404 ")


def test_expect_100_continue_then_the_answer(server: FakeServer) -> None:
    with connect(server) as sock:
        head = raw_request(
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


def test_connection_close_gets_the_whole_answer_then_the_end(server: FakeServer) -> None:
    with connect(server) as sock:
        sock.sendall(raw_request("GET", BATCH, b"", "Connection: close"))
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
    client = openai.OpenAI(base_url=server.url + "/v1", api_key=TEST_API_KEY, max_retries=0)
    # batch: a purpose the real API downloads (assistants it refuses).
    upload = client.files.create(file=("big.bin", content), purpose="batch")
    assert client.files.content(upload.id).read() == content
