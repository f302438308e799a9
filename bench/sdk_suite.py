"""The figure a test author feels: 200 tests, one sync ``openai`` SDK call each.

The same 200 tests (a retrieve, a cancel or a list of files, in turn) are
written three ways into a temporary folder and run by pytest, each in its
own process:

- ``fake_server``: the plugin's real server on a loopback port;
- ``fake_server_inprocess``: the plugin's in-process transport;
- ``respx``: a stub with fixed answers, the lightest a user would write.
  respx routes ``httpx`` requests, and the ``openai`` SDK 3.x builds on
  ``httpx2``, so the stub's transport hands each request to a respx router
  and its answer back (``RespxTransport`` below, a dozen lines).

Each test builds its client, as a test author's fixture would. A
``conftest.py`` hook times the first test (from the end of collection:
it pays for the session's one-off set-up) and the 199 after it, apart.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

TESTS = 200

CONFTEST = """
import json, os, time

_marks = {}


def pytest_collection_finish(session):
    _marks["start"] = time.perf_counter()


def pytest_runtest_logfinish(nodeid, location):
    _marks.setdefault("first_done", time.perf_counter())


def pytest_sessionfinish(session, exitstatus):
    end = time.perf_counter()
    with open(os.environ["BENCH_TIMING"], "w") as handle:
        json.dump({"first": _marks["first_done"] - _marks["start"],
                   "rest": end - _marks["first_done"],
                   "tests": session.testscollected, "failed": session.testsfailed}, handle)
"""

CALLS = """
import openai
import pytest

N = {tests}


def call(client, n):
    batches = client.vector_stores.file_batches
    if n % 3 == 0:
        batch = batches.retrieve("vsfb_abc123", vector_store_id="vs_abc123")
        assert batch.file_counts.total == 3
    elif n % 3 == 1:
        batch = batches.cancel("vsfb_abc123", vector_store_id="vs_abc123")
        assert batch.status == "cancelled"
    else:
        page = batches.list_files("vsfb_abc123", vector_store_id="vs_abc123")
        assert len(page.data) == 3
"""

FAKE_SERVER = (
    CALLS
    + """

@pytest.fixture
def client(fake_server):
    with fake_server.openai_client() as client:
        yield client


@pytest.mark.parametrize("n", range(N))
def test_call(client, n):
    call(client, n)
"""
)

FAKE_SERVER_INPROCESS = (
    CALLS
    + """

@pytest.fixture
def client(fake_server_inprocess):
    with fake_server_inprocess.openai_client() as client:
        yield client


@pytest.mark.parametrize("n", range(N))
def test_call(client, n):
    call(client, n)
"""
)

RESPX = (
    CALLS
    + '''
import httpx
import httpx2
import respx

BASE = "http://stub.invalid/v1"
BATCH = {{
    "id": "vsfb_abc123", "object": "vector_store.file_batch", "created_at": 1704067200,
    "vector_store_id": "vs_abc123", "status": "cancelled",
    "file_counts": {{"in_progress": 0, "completed": 0, "failed": 0, "cancelled": 3, "total": 3}},
}}


def _file(file_id):
    return {{
        "id": file_id, "object": "vector_store.file", "usage_bytes": 0,
        "created_at": 1704067200, "vector_store_id": "vs_abc123", "status": "cancelled",
        "last_error": None,
    }}


FILES = {{
    "object": "list", "data": [_file("file-abc123"), _file("file-abc456"), _file("file-abc789")],
    "first_id": "file-abc123", "last_id": "file-abc789", "has_more": False,
}}
ROUTER = respx.Router(base_url=BASE, assert_all_called=False)
ROUTER.get("/vector_stores/vs_abc123/file_batches/vsfb_abc123").respond(200, json=BATCH)
ROUTER.post("/vector_stores/vs_abc123/file_batches/vsfb_abc123/cancel").respond(200, json=BATCH)
ROUTER.get("/vector_stores/vs_abc123/file_batches/vsfb_abc123/files").respond(200, json=FILES)


class RespxTransport:
    """Hands the SDK's httpx2 requests to the respx router, and its answers back."""

    def __init__(self, router):
        self.router = router

    def handle_request(self, request):
        stub = httpx.Request(
            request.method, str(request.url), headers=request.headers.raw, content=request.read()
        )
        answer = self.router.handler(stub)
        return httpx2.Response(
            answer.status_code, headers=answer.headers.raw, content=answer.content,
            request=request,
        )

    def close(self):
        pass


@pytest.fixture
def client():
    http_client = openai.DefaultHttpxClient(transport=RespxTransport(ROUTER))
    with openai.OpenAI(
        api_key="k", base_url=BASE, http_client=http_client, max_retries=0,
        _strict_response_validation=True,
    ) as client:
        yield client


@pytest.mark.parametrize("n", range(N))
def test_call(client, n):
    call(client, n)
'''
)

VARIANTS = {
    "fake_server": FAKE_SERVER,
    "fake_server_inprocess": FAKE_SERVER_INPROCESS,
    "respx": RESPX,
}


def write_suites(folder: Path, tests: int = TESTS) -> dict[str, Path]:
    """One folder per variant, each with its conftest.py and its test file."""
    paths = {}
    for name, template in VARIANTS.items():
        suite = folder / name
        suite.mkdir()
        (suite / "conftest.py").write_text(CONFTEST)
        (suite / f"test_{name}.py").write_text(template.format(tests=tests))
        paths[name] = suite
    return paths


def run_suite(name: str, suite: Path) -> tuple[float, float, float]:
    """Seconds: the first test, each later test (mean), the whole pytest process.

    The first test pays for what a session does once (fake_server's plugin
    loads the contract and builds the app); the later ones show the cost
    per test.
    """
    timing = suite / "timing.json"
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist"]
    if name == "respx":
        command += ["-p", "no:fake_server"]  # a project without fake_server
    command += ["--rootdir", str(suite), str(suite)]
    started = time.perf_counter()
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=suite,
        env={**os.environ, "BENCH_TIMING": str(timing)},
    )
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"{name} suite failed:\n{result.stdout[-3000:]}{result.stderr[-2000:]}")
    measured = json.loads(timing.read_text())
    assert measured["tests"] == TESTS and measured["failed"] == 0, measured
    return measured["first"], measured["rest"] / (TESTS - 1), wall
