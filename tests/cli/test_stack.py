"""The serving stack: uvloop + httptools by default where installed, asyncio + h11 otherwise.

Both stacks are served and checked end to end: the fast one is what an
installed fake_server uses, the slow one is what it falls back to where
uvloop or httptools do not install (Windows, PyPy).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import openai
import pytest
import uvicorn

from fake_server import create_app
from fake_server.serve.sockets import base_url, bind_socket
from tests.helpers import (
    ONLY_WITH_TCP_INFO,
    READY_TIMEOUT_SECONDS,
    fake_server_command,
    segments_per_answer,
)

CANCEL = "/v1/vector_stores/vs_abc123/file_batches/vsfb_abc123/cancel"
FAST_STACK_INSTALLED = all(
    importlib.util.find_spec(name) is not None for name in ("uvloop", "httptools")
)
# Runs the CLI as if uvloop and httptools had failed to install: importing
# either raises ImportError, as it would on a platform without them.
WITHOUT_FAST_STACK = (
    "import sys\n"
    "sys.modules['uvloop'] = None\n"
    "sys.modules['httptools'] = None\n"
    "from fake_server.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


@contextmanager
def serve(command: list[str]) -> Iterator[tuple[str, str]]:
    """Run ``command`` (a ``serve``, JSON log); yield (base URL, the stack it names)."""
    process = subprocess.Popen(
        [*command, "--log-format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        ready = json.loads(line)
        assert ready["message"].startswith("fake_server ready on http://127.0.0.1:"), line
        yield ready["url"], ready["stack"]
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=READY_TIMEOUT_SECONDS)


def _cancels(url: str) -> None:
    response = httpx.post(url + CANCEL, headers={"Authorization": "Bearer k"})
    assert response.status_code == 200
    assert response.json()["file_counts"]["cancelled"] == 3
    assert response.headers["x-request-id"].startswith("req_")


def test_serve_uses_the_fast_stack_by_default_when_it_is_installed() -> None:
    with serve([*fake_server_command(), "serve", "--port", "0"]) as (url, stack):
        expected = "uvloop + httptools" if FAST_STACK_INSTALLED else "asyncio + h11"
        assert stack == expected
        _cancels(url)


def test_serve_on_asyncio_and_h11_when_asked() -> None:
    command = [*fake_server_command(), "serve", "--port", "0", "--loop", "asyncio"]
    with serve([*command, "--http", "h11"]) as (url, stack):
        assert stack == "asyncio + h11"
        _cancels(url)


def test_serve_falls_back_to_asyncio_and_h11_where_the_fast_stack_is_missing() -> None:
    command = [sys.executable, "-c", WITHOUT_FAST_STACK, "serve", "--port", "0"]
    with serve(command) as (url, stack):
        assert stack == "asyncio + h11"
        _cancels(url)


def test_asking_for_a_missing_fast_stack_is_a_clear_error() -> None:
    command = [sys.executable, "-c", WITHOUT_FAST_STACK, "serve", "--port", "0"]
    result = subprocess.run(
        [*command, "--loop", "uvloop"],
        capture_output=True,
        text=True,
        timeout=READY_TIMEOUT_SECONDS,
        check=False,
    )
    assert result.returncode == 1
    assert "--loop uvloop: uvloop is not installed here" in result.stderr


def test_a_real_server_on_asyncio_and_h11_serves_the_sdk() -> None:
    sock = bind_socket("127.0.0.1", 0)
    config = uvicorn.Config(
        create_app(),
        loop="asyncio",
        http="h11",
        lifespan="off",
        log_level="warning",
        access_log=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        ready = threading.Event()
        for _ in range(int(READY_TIMEOUT_SECONDS / 0.01)):  # bounded wait for `started`
            if server.started or not thread.is_alive():
                break
            ready.wait(0.01)
        assert server.started
        assert config.http_protocol_class.__name__ == "H11Protocol"
        with openai.OpenAI(
            api_key="k", base_url=base_url(sock) + "/v1", _strict_response_validation=True
        ) as client:
            batches = client.vector_stores.file_batches
            before = batches.retrieve("vsfb_abc123", vector_store_id="vs_abc123")
            assert before.status == "in_progress"
            after = batches.cancel("vsfb_abc123", vector_store_id="vs_abc123")
            assert after.status == "cancelled"
            assert after.file_counts.cancelled == 3
            page = batches.list_files("vsfb_abc123", vector_store_id="vs_abc123")
            assert {file.status for file in page.data} == {"cancelled"}
    finally:
        server.should_exit = True
        thread.join(READY_TIMEOUT_SECONDS)
        sock.close()


@ONLY_WITH_TCP_INFO
@pytest.mark.parametrize("http", ["auto", "h11"])
def test_serve_sends_each_answer_in_one_segment(http: str) -> None:
    with serve([*fake_server_command(), "serve", "--port", "0", "--http", http]) as (url, _):
        assert segments_per_answer(url) == 1


# Requests an HTTP parser refuses before any route sees them. Each is answered
# 400 in the provider's envelope, whichever parser refused it, or (h11 reads
# some of them) by a route, in the envelope too.
UNPARSABLE = {
    "unknown method": b"BREW /v1/vector_stores HTTP/1.1\r\nHost: a\r\n\r\n",
    "lower-case method": b"get /v1/vector_stores HTTP/1.1\r\nHost: a\r\n\r\n",
    "byte 0xff in the path": b"GET /v1/vector_stores/\xff HTTP/1.1\r\nHost: a\r\n\r\n",
    "a 100 KB path": b"GET /v1/" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: a\r\n\r\n",
    "no HTTP version": b"GET /v1/vector_stores\r\nHost: a\r\n\r\n",
    "a header without a colon": b"GET /v1/vector_stores HTTP/1.1\r\nHost a\r\n\r\n",
    "Content-Length twice": (
        b"POST /v1/vector_stores HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n"
        b"Content-Length: 3\r\n\r\n{}"
    ),
    "negative Content-Length": (
        b"POST /v1/vector_stores HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n"
    ),
    "broken chunked framing": (
        b"POST /v1/vector_stores HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"zz\r\n{}\r\n0\r\n\r\n"
    ),
}


def raw_exchange(url: str, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """One request over a raw socket, and the one answer to it (read whole by its
    Content-Length: a parser that can read the request keeps the connection)."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(request)
        received = b""
        while b"\r\n\r\n" not in received and (chunk := connection.recv(65536)):
            received += chunk
        head, _, body = received.partition(b"\r\n\r\n")
        status_line, *lines = head.decode("latin-1").split("\r\n")
        headers = {
            name.lower(): value for name, _, value in (line.partition(": ") for line in lines)
        }
        length = int(headers.get("content-length", "0"))
        while len(body) < length and (chunk := connection.recv(65536)):
            body += chunk
    return int(status_line.split()[1]), headers, body


@pytest.fixture(params=["httptools", "h11"])
def each_parser(request: pytest.FixtureRequest) -> Iterator[str]:
    """The URL of ``fake-server serve`` on each HTTP parser (httptools where installed)."""
    if request.param == "httptools" and not FAST_STACK_INSTALLED:
        pytest.skip("httptools is not installed here")
    command = [*fake_server_command(), "serve", "--port", "0", "--http", request.param]
    with serve(command) as (url, _stack):
        yield url


def test_an_unparsable_request_is_answered_in_the_providers_envelope(each_parser: str) -> None:
    url = each_parser
    for name, request in UNPARSABLE.items():
        status, headers, body = raw_exchange(url, request)
        assert 400 <= status < 500, (name, status, body)
        assert headers["content-type"].startswith("application/json"), (name, headers)
        assert headers["x-request-id"].startswith("req_"), (name, headers)
        assert "openai-processing-ms" in headers, (name, headers)
        error = json.loads(body)["error"]
        assert set(error) == {"message", "type", "param", "code"}, (name, error)
        assert error["type"] == "invalid_request_error", (name, error)
    _cancels(url)  # and the server goes on serving


def test_a_request_before_an_unparsable_one_is_answered_first(each_parser: str) -> None:
    # Pipelined on one connection: a cancel, then bytes no parser reads.
    url = each_parser
    host, port = url.removeprefix("http://").split(":")
    good = f"POST {CANCEL} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer k\r\n\r\n"
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(good.encode() + UNPARSABLE["byte 0xff in the path"])
        received = b""
        while chunk := connection.recv(65536):  # ends when the server closes
            received += chunk
    statuses = re.findall(rb"HTTP/1\.1 (\d{3}) ", received)
    assert statuses == [b"200", b"400"], received[:600]
    assert b'"status": "cancelled"' in received and b"invalid_http_request" in received


def test_a_request_whose_own_body_is_broken_is_answered_at_once(each_parser: str) -> None:
    url = each_parser
    broken = (
        b"POST /v1/vector_stores HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer k\r\n"
        b"Transfer-Encoding: chunked\r\n\r\nZZ\r\n"
    )
    status, headers, body = raw_exchange(url, broken)  # times out (10 s) if it hangs
    assert status == 400 and json.loads(body)["error"]["type"] == "invalid_request_error"
    assert headers["connection"] == "close"
