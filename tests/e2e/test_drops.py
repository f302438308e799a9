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
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest
import uvicorn
from meetkai_mka1 import SDK
from meetkai_mka1.utils import BackoffStrategy, RetryConfig

from fake_server import Contract, create_app, parse_scenario
from fake_server.serve.sockets import base_url, bind_socket
from tests.conftest import API_KEY

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
    f"Authorization: Bearer {API_KEY}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
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


class Server:
    def __init__(self, url: str, address: tuple[str, int]) -> None:
        self.url = url
        self.address = address

    def drop_next(self, operation: str, drop: bool | str) -> None:
        httpx.post(
            f"{self.url}/__fake__/faults",
            json={"operation": operation, "drop_connection": drop, "times": 1},
        ).raise_for_status()

    def journal(self) -> list[tuple[str, int | None, str | None]]:
        entries = httpx.get(f"{self.url}/__fake__/requests").json()["requests"]
        return [
            (e["operation"], e["status"], e["headers"].get("x-stainless-retry-count"))
            for e in entries
        ]


@pytest.fixture(params=PROTOCOLS)
def server(request: pytest.FixtureRequest, contract: Contract) -> Iterator[Server]:
    """uvicorn with the given HTTP protocol and no log config, so caplog sees its errors."""
    sock = bind_socket("127.0.0.1", 0)
    app = create_app(parse_scenario(SCENARIO), contract=contract)
    config = uvicorn.Config(
        app, lifespan="off", log_config=None, access_log=False, http=request.param
    )
    uvicorn_server = uvicorn.Server(config)
    thread = threading.Thread(target=uvicorn_server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not uvicorn_server.started and time.monotonic() < deadline:
        time.sleep(0.005)
    assert uvicorn_server.started
    yield Server(base_url(sock), sock.getsockname()[:2])
    uvicorn_server.should_exit = True
    thread.join(5)
    sock.close()


@pytest.fixture(autouse=True)
def server_errors(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    caplog.set_level(logging.WARNING, logger="uvicorn.error")
    yield
    logged = [r for r in caplog.records if r.name.startswith("uvicorn")]
    assert not logged, [r.getMessage() for r in logged]


def read_raw_answer(server: Server) -> bytes:
    with socket.create_connection(server.address, timeout=5) as sock:
        sock.sendall(RAW_CANCEL)
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except ConnectionResetError:
            pass
    return received


def openai_client(server: Server) -> openai.OpenAI:
    return openai.OpenAI(
        api_key=API_KEY,
        base_url=f"{server.url}/v1",
        max_retries=2,
        _strict_response_validation=True,
    )


def cancel_with_openai(server: Server) -> Any:
    return openai_client(server).vector_stores.file_batches.cancel(
        "vsfb_abc123", vector_store_id="vs_abc123"
    )


def cancel_with_mka1(server: Server, retry_config: RetryConfig | None) -> Any:
    sdk = SDK(bearer_auth=API_KEY, server_url=server.url, retry_config=retry_config)
    return sdk.llm.vector_stores.cancel_file_batch(
        vector_store_id="vs_abc123", batch_id="vsfb_abc123"
    )


def test_a_drop_sends_no_byte_not_even_a_status_line(server: Server) -> None:
    server.drop_next("cancelVectorStoreFileBatch", True)
    assert read_raw_answer(server) == b""
    # Nothing changed, and the server goes on serving.
    assert read_raw_answer(server).startswith(b"HTTP/1.1 200 OK\r\n")
    assert server.journal() == [
        ("cancelVectorStoreFileBatch", None, None),
        ("cancelVectorStoreFileBatch", 200, None),
    ]


def test_httpx_sees_a_connection_error(server: Server) -> None:
    server.drop_next("cancelVectorStoreFileBatch", True)
    with pytest.raises(httpx.ReadError):
        httpx.post(server.url + CANCEL_PATH, headers={"Authorization": f"Bearer {API_KEY}"})


def test_the_openai_sdk_retries_a_drop(server: Server) -> None:
    server.drop_next("cancelVectorStoreFileBatch", True)
    assert cancel_with_openai(server).status == "cancelled"
    assert server.journal() == [
        ("cancelVectorStoreFileBatch", None, "0"),
        ("cancelVectorStoreFileBatch", 200, "1"),
    ]


def test_the_mka1_sdk_retries_a_drop(server: Server) -> None:
    server.drop_next("cancelVectorStoreFileBatch", True)
    assert cancel_with_mka1(server, FAST_MKA1_RETRIES).status == "cancelled"
    assert [status for _, status, _ in server.journal()] == [None, 200]


def test_mid_body_sends_the_status_and_headers_then_cuts_the_body(server: Server) -> None:
    server.drop_next("cancelVectorStoreFileBatch", "mid_body")
    head, _, body = read_raw_answer(server).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"content-length: 2" in head.lower()
    assert body == b"{"
    assert server.journal()[0] == ("cancelVectorStoreFileBatch", None, None)


def test_mid_body_is_retried_by_the_openai_sdk_but_not_the_mka1_one(server: Server) -> None:
    server.drop_next("cancelVectorStoreFileBatch", "mid_body")
    assert cancel_with_openai(server).status == "cancelled"
    server.drop_next("getVectorStoreFileBatch", "mid_body")
    sdk = SDK(bearer_auth=API_KEY, server_url=server.url, retry_config=FAST_MKA1_RETRIES)
    with pytest.raises(httpx.RemoteProtocolError):
        sdk.llm.vector_stores.get_file_batch(vector_store_id="vs_abc123", batch_id="vsfb_abc123")
    assert [status for _, status, _ in server.journal()] == [None, 200, None]
