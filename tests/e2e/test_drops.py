"""Scripted connection drops under uvicorn's h11 and httptools protocols, as clients see them.

``drop_connection: true`` resets the connection before any byte of an answer:
a raw socket reads nothing at all, and the openai and MKA1 SDKs retry it as
the connection error it is. ``mid_body`` sends the status and headers, then
cuts the body. Neither makes uvicorn answer a 500 or log an error.
"""

from __future__ import annotations

import importlib.util
import logging
import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from meetkai_mka1.utils import BackoffStrategy, RetryConfig

from fake_server import Contract, ServerThread, create_app, parse_scenario
from fake_server.testing.handle import TEST_API_KEY, FakeServer

SCENARIO = """
vector_stores:
  - id: vs_abc123
    file_batches:
      - id: vsfb_abc123
        files: [{processing_seconds: 3600}, {processing_seconds: 3600}]
"""
CANCEL_PATH = "/v1/vector_stores/vs_abc123/file_batches/vsfb_abc123/cancel"
RAW_CANCEL = (
    f"POST {CANCEL_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    f"Authorization: Bearer {TEST_API_KEY}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
).encode()
PROTOCOLS = [
    pytest.param("h11"),
    pytest.param(
        "httptools",
        marks=pytest.mark.skipif(
            importlib.util.find_spec("httptools") is None, reason="httptools is not installed"
        ),
    ),
]
# The MKA1 SDK's own default, sped up: retries connection errors too.
FAST_MKA1_RETRIES = RetryConfig("backoff", BackoffStrategy(10, 50, 1.5, 2000), True)


def drop_next(server: FakeServer, operation: str, drop: bool | str) -> None:
    server.add_fault(operation, drop_connection=drop, times=1)


def journal(server: FakeServer) -> list[tuple[str, int | None, str | None]]:
    return [
        (e["operation"], e["status"], e["headers"].get("x-stainless-retry-count"))
        for e in server.requests()
    ]


class Logged(logging.Handler):
    """What uvicorn logged at warning level or above."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(params=PROTOCOLS)
def server(request: pytest.FixtureRequest, contract: Contract) -> Iterator[FakeServer]:
    """A server of its own on the given HTTP parser; uvicorn logs no error while it runs."""
    app = create_app(parse_scenario(SCENARIO), contract=contract)
    thread = ServerThread(app, http=request.param)
    # Listening once uvicorn has configured its loggers (which drops their
    # handlers), and on its own logger: its records do not reach the root.
    uvicorn_logger, logged = logging.getLogger("uvicorn"), Logged()
    uvicorn_logger.addHandler(logged)
    try:
        with thread:
            yield FakeServer(app, thread.url)
    finally:
        uvicorn_logger.removeHandler(logged)
    assert not logged.records, [record.getMessage() for record in logged.records]


def address(server: FakeServer) -> tuple[str, int]:
    host, port = server.url.removeprefix("http://").rsplit(":", 1)
    return host, int(port)


def read_raw_answer(server: FakeServer) -> bytes:
    with socket.create_connection(address(server), timeout=5) as sock:
        sock.sendall(RAW_CANCEL)
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except ConnectionResetError:
            pass
    return received


def cancel_with_openai(server: FakeServer) -> Any:
    return server.openai_client(max_retries=2).vector_stores.file_batches.cancel(
        "vsfb_abc123", vector_store_id="vs_abc123"
    )


def cancel_with_mka1(server: FakeServer, retry_config: RetryConfig | None) -> Any:
    sdk = server.mka1_client(retry_config=retry_config)
    return sdk.llm.vector_stores.cancel_file_batch(
        vector_store_id="vs_abc123", batch_id="vsfb_abc123"
    )


def test_a_drop_sends_no_byte_not_even_a_status_line(server: FakeServer) -> None:
    drop_next(server, "cancelVectorStoreFileBatch", True)
    assert read_raw_answer(server) == b""
    # Nothing changed, and the server goes on serving.
    assert read_raw_answer(server).startswith(b"HTTP/1.1 200 OK\r\n")
    assert journal(server) == [
        ("cancelVectorStoreFileBatch", None, None),
        ("cancelVectorStoreFileBatch", 200, None),
    ]


def test_httpx_sees_a_connection_error(server: FakeServer) -> None:
    drop_next(server, "cancelVectorStoreFileBatch", True)
    with pytest.raises(httpx.ReadError):
        httpx.post(server.url + CANCEL_PATH, headers={"Authorization": f"Bearer {TEST_API_KEY}"})


def test_the_openai_sdk_retries_a_drop(server: FakeServer) -> None:
    drop_next(server, "cancelVectorStoreFileBatch", True)
    assert cancel_with_openai(server).status == "cancelled"
    assert journal(server) == [
        ("cancelVectorStoreFileBatch", None, "0"),
        ("cancelVectorStoreFileBatch", 200, "1"),
    ]


def test_the_mka1_sdk_retries_a_drop(server: FakeServer) -> None:
    drop_next(server, "cancelVectorStoreFileBatch", True)
    assert cancel_with_mka1(server, FAST_MKA1_RETRIES).status == "cancelled"
    assert [status for _, status, _ in journal(server)] == [None, 200]


def test_mid_body_sends_the_status_and_headers_then_cuts_the_body(server: FakeServer) -> None:
    drop_next(server, "cancelVectorStoreFileBatch", "mid_body")
    head, _, body = read_raw_answer(server).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"content-length: 2" in head.lower()
    assert body == b"{"
    assert journal(server)[0] == ("cancelVectorStoreFileBatch", None, None)


def test_mid_body_is_retried_by_the_openai_sdk_but_not_the_mka1_one(server: FakeServer) -> None:
    drop_next(server, "cancelVectorStoreFileBatch", "mid_body")
    assert cancel_with_openai(server).status == "cancelled"
    drop_next(server, "getVectorStoreFileBatch", "mid_body")
    sdk = server.mka1_client(retry_config=FAST_MKA1_RETRIES)
    with pytest.raises(httpx.RemoteProtocolError):
        sdk.llm.vector_stores.get_file_batch(vector_store_id="vs_abc123", batch_id="vsfb_abc123")
    assert [status for _, status, _ in journal(server)] == [None, 200, None]
