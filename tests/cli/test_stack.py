"""The serving stack: uvloop + httptools by default where installed, asyncio + h11 otherwise.

Both stacks are served and checked end to end: the fast one is what an
installed fake_server uses, the slow one is what it falls back to where
uvloop or httptools do not install (Windows, PyPy).
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
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
from fake_server.server import base_url, bind_socket
from tests.cli.test_cli import READY_TIMEOUT_SECONDS, fake_server_command
from tests.e2e.test_one_write import ONLY_WITH_TCP_INFO, segments_per_answer

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
