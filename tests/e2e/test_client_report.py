"""The client report: what the fake saw the client do wrong, through real SDKs and raw HTTP."""

from __future__ import annotations

import asyncio
import gc
import logging
import time
import tracemalloc
from collections.abc import MutableMapping
from typing import Any

import httpx
import pytest
from meetkai_mka1.utils import BackoffStrategy, RetryConfig

from fake_server import create_app, default_scenario
from fake_server.http import record
from fake_server.http.sessions.report import MAX_OBSERVATIONS
from fake_server.testing.handle import TEST_API_KEY, FakeServer
from fake_server.testing.inprocess import InProcessTransport
from tests.helpers import StartServer

POLLED = """
clock: {mode: virtual, start: 1704067200, advance_on_poll: 1}
defaults: {processing_seconds: 3}
cancel: {mode: gradual, delay_seconds: 2}
vector_stores:
  - id: vs_1
    file_batches:
      - id: vsfb_1
        files: [{id: file-a}, {id: file-b, processing_seconds: never}]
files: [{id: file-x}, {id: file-y}]
"""
BATCH = "/v1/vector_stores/vs_1/file_batches/vsfb_1"


def report(server: FakeServer, **headers: str) -> list[dict[str, Any]]:
    answer = httpx.get(f"{server.url}/__fake__/report", headers=headers)
    answer.raise_for_status()
    found: list[dict[str, Any]] = answer.json()["findings"]
    return found


def raw(server: FakeServer) -> httpx.Client:
    return server.http_client()


def test_a_polling_loop_without_sleeps_is_reported_as_tight_polling(
    start_server: StartServer,
) -> None:
    server = start_server(POLLED.replace("advance_on_poll: 1", "poll_after_ms: 1000"))
    with raw(server) as http:
        answers = [http.get(BATCH) for _ in range(5)]
    # Told to come back in a second, the loop is back in about a millisecond.
    assert all(answer.headers["openai-poll-after-ms"] == "1000" for answer in answers)

    [finding] = report(server)

    assert finding["code"] == "tight_polling"
    assert finding["operation"] == "getVectorStoreFileBatch"
    assert finding["resource"] == "vs_1/vsfb_1"
    assert "4 times in a row sooner than openai-poll-after-ms said (1000 ms" in finding["message"]
    assert finding["requests"] == [answer.headers["x-request-id"] for answer in answers]


def test_two_reads_too_soon_are_not_yet_tight_polling(start_server: StartServer) -> None:
    server = start_server(POLLED.replace("advance_on_poll: 1", "poll_after_ms: 1000"))
    with raw(server) as http:
        for _ in range(3):
            http.get(BATCH)
    assert report(server) == []


def test_the_openai_sdks_poll_helpers_produce_no_finding(start_server: StartServer) -> None:
    server = start_server(POLLED)
    client = server.openai_client()
    batches = client.vector_stores.file_batches

    file = client.vector_stores.files.poll("file-a", vector_store_id="vs_1")
    assert file.status == "completed"
    created = batches.create_and_poll("vs_1", file_ids=["file-x", "file-y"])
    assert created.status == "completed"
    uploaded = batches.upload_and_poll("vs_1", files=[("a.txt", b"alpha"), ("b.txt", b"beta")])
    assert uploaded.status == "completed"
    batches.cancel("vsfb_1", vector_store_id="vs_1")
    assert batches.poll("vsfb_1", vector_store_id="vs_1").status == "cancelled"

    journal = httpx.get(f"{server.url}/__fake__/requests").json()["requests"]
    polls = [e["operation"] for e in journal if e["operation"].startswith("getVectorStoreFile")]
    assert polls.count("getVectorStoreFile") == 4, "three reads in progress, then completed"
    assert polls.count("getVectorStoreFileBatch") >= 6, "each batch was polled while in progress"
    assert report(server) == []


def test_a_client_that_takes_a_gradual_cancel_as_final_is_reported(
    start_server: StartServer,
) -> None:
    server = start_server(POLLED)
    client = server.openai_client()
    answer = client.vector_stores.file_batches.with_raw_response.cancel(
        "vsfb_1", vector_store_id="vs_1"
    )
    assert answer.parse().status == "in_progress"
    assert report(server) == [], "the cancel has not reached the files yet"

    httpx.post(f"{server.url}/__fake__/clock/advance", json={"seconds": 2}).raise_for_status()

    [finding] = report(server)
    assert finding["code"] == "cancel_not_confirmed"
    assert finding["operation"] == "cancelVectorStoreFileBatch"
    assert finding["requests"] == [answer.headers["x-request-id"]]


def test_a_burst_over_the_limit_and_the_sdks_retry_produce_no_finding(
    start_server: StartServer,
) -> None:
    server = start_server(
        "clock: {mode: virtual, start: 1704067200}\n"
        "limits: {attached_files_per_minute: 2}\n" + POLLED.split("\n", 2)[2]
    )
    client = server.openai_client(max_retries=2)
    client.vector_stores.file_batches.create("vs_1", file_ids=["file-x", "file-y"])
    client.vector_stores.file_batches.create("vs_1", file_ids=["file-x", "file-y"])
    journal = httpx.get(f"{server.url}/__fake__/requests").json()["requests"]
    assert [entry["status"] for entry in journal] == [200, 429, 200]
    assert report(server) == []

    retries = RetryConfig("backoff", BackoffStrategy(10, 100, 1.5, 5000), False)
    vector_stores = server.mka1_client(retry_config=retries).llm.vector_stores
    vector_stores.create_file_batch(vector_store_id="vs_1", file_ids=["file-x", "file-y"])
    journal = httpx.get(f"{server.url}/__fake__/requests").json()["requests"]
    assert [entry["status"] for entry in journal] == [200, 429, 200, 429, 200]
    assert report(server) == [], "the MKA1 SDK waits what retry-after-ms says too"


def test_a_retry_sooner_than_retry_after_is_reported(start_server: StartServer) -> None:
    server = start_server("limits: {attached_files_per_minute: 2}\n" + POLLED.split("\n", 2)[2])
    body = {"file_ids": ["file-x", "file-y"]}
    with raw(server) as http:
        http.post("/v1/vector_stores/vs_1/file_batches", json=body)
        refused = http.post("/v1/vector_stores/vs_1/file_batches", json=body)
        again = http.post("/v1/vector_stores/vs_1/file_batches", json=body)
    assert refused.status_code == again.status_code == 429

    codes = [finding["code"] for finding in report(server)]
    assert codes == ["ignored_retry_after"]
    [finding] = report(server)
    assert finding["requests"] == [refused.headers["x-request-id"], again.headers["x-request-id"]]


def test_the_openai_sdk_retrying_a_failed_create_without_a_key_is_reported(
    start_server: StartServer,
) -> None:
    server = start_server(POLLED)
    httpx.post(
        f"{server.url}/__fake__/faults",
        json={"operation": "createVectorStoreFileBatch", "status": 500, "times": 1},
    ).raise_for_status()
    client = server.openai_client(max_retries=1)
    client.vector_stores.file_batches.create("vs_1", file_ids=["file-x"])

    [finding] = report(server)
    assert finding["code"] == "retry_without_idempotency_key"
    assert finding["operation"] == "createVectorStoreFileBatch"
    assert len(finding["requests"]) == 2
    assert "after status 500" in finding["message"]


def test_a_retry_with_an_idempotency_key_is_not_reported(start_server: StartServer) -> None:
    server = start_server(POLLED)
    httpx.post(
        f"{server.url}/__fake__/faults",
        json={"operation": "createVectorStoreFileBatch", "status": 503, "times": 1},
    ).raise_for_status()
    client = server.openai_client(max_retries=1)
    client.vector_stores.file_batches.create(
        "vs_1", file_ids=["file-x"], extra_headers={"Idempotency-Key": "create-x-1"}
    )
    assert report(server) == []


def test_a_dropped_create_retried_without_a_key_is_reported(start_server: StartServer) -> None:
    server = start_server(POLLED)
    httpx.post(
        f"{server.url}/__fake__/faults",
        json={"operation": "createVectorStore", "drop_connection": True, "times": 1},
    ).raise_for_status()
    with raw(server) as http:
        # A reset reads as ReadError; if the peer's close wins the race, as a protocol error.
        with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
            http.post("/v1/vector_stores", json={"name": "again"})
        assert http.post("/v1/vector_stores", json={"name": "again"}).status_code == 200
    [finding] = report(server)
    assert finding["code"] == "retry_without_idempotency_key"
    assert "dropped connection" in finding["message"]


def test_a_reset_clears_the_report_and_sessions_keep_their_own(start_server: StartServer) -> None:
    # Named sessions outlive a reset: a server of its own.
    server = start_server(POLLED.replace("advance_on_poll: 1", "poll_after_ms: 1000"), own=True)
    with raw(server) as http:
        for _ in range(5):
            http.get(BATCH, headers={"X-Fake-Session": "other"})
    assert report(server) == []
    assert [f["code"] for f in report(server, **{"X-Fake-Session": "other"})] == ["tight_polling"]
    httpx.post(f"{server.url}/__fake__/reset", headers={"X-Fake-Session": "other"})
    assert report(server, **{"X-Fake-Session": "other"}) == []


@pytest.mark.parametrize("status", [429, 503])
def test_a_scripted_retry_after_honoured_by_the_sdk_is_not_reported(
    start_server: StartServer, status: int
) -> None:
    server = start_server(POLLED)
    httpx.post(
        f"{server.url}/__fake__/faults",
        json={
            "operation": "getVectorStoreFileBatch",
            "status": status,
            "times": 1,
            "retry_after_ms": 20,
        },
    ).raise_for_status()
    client = server.openai_client(max_retries=1)
    assert client.vector_stores.file_batches.retrieve("vsfb_1", vector_store_id="vs_1")
    journal = httpx.get(f"{server.url}/__fake__/requests").json()["requests"]
    assert [entry["status"] for entry in journal] == [status, 200]
    assert report(server) == []


@pytest.mark.parametrize(
    ("latency_ms", "words"),
    [
        (400, "giving up on the first try before its answer (a timeout)"),
        (1500, "the first try was still being answered"),
    ],
)
def test_the_openai_sdk_retrying_a_timed_out_create_is_reported(
    start_server: StartServer, latency_ms: int, words: str
) -> None:
    """The SDK gives up on a slow create and retries it: was the first one made?"""
    server = start_server(POLLED)
    httpx.post(
        f"{server.url}/__fake__/faults",
        json={"operation": "createVectorStoreFileBatch", "latency_ms": latency_ms, "times": 1},
    ).raise_for_status()
    client = server.openai_client(max_retries=1).with_options(timeout=0.2)
    client.vector_stores.file_batches.create("vs_1", file_ids=["file-x"])
    for _ in range(100):  # until the first try, held by the latency, is answered too
        journal = httpx.get(f"{server.url}/__fake__/requests").json()["requests"]
        if len(journal) == 2:
            break
        time.sleep(0.05)
    assert sorted(entry["headers"]["x-stainless-retry-count"] for entry in journal) == ["0", "1"]

    [finding] = report(server)
    assert finding["code"] == "retry_without_idempotency_key"
    assert words in finding["message"]


# A 32 KB id in the path: each request is recorded once, cut to the record's bounds.
LONG_ID = "vs_" + "x" * (32 * 1024 - 3)
AUTH = {"Authorization": f"Bearer {TEST_API_KEY}"}


def cut_id() -> str:
    return LONG_ID[: record.MAX_ID_CHARACTERS] + "... (32768 characters)"


def in_process() -> httpx.Client:
    app = create_app(default_scenario())
    return httpx.Client(transport=InProcessTransport(app), base_url="http://fake")  # type: ignore[arg-type]


def test_a_long_path_id_is_cut_short_alike_in_the_journal_the_report_and_the_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    path = f"/v1/vector_stores/{LONG_ID}/file_batches"
    fault = {"operation": "createVectorStoreFileBatch", "status": 500, "times": 1}
    with in_process() as http, caplog.at_level(logging.INFO, logger="fake_server.access"):
        http.post("/__fake__/faults", json=fault).raise_for_status()
        answers = [http.post(path, json={"file_ids": ["file-abc123"]}, headers=AUTH) for _ in "ab"]
        journal = http.get("/__fake__/requests").json()["requests"]
        [finding] = http.get("/__fake__/report").json()["findings"]

    cut_path = path[: record.MAX_PATH_CHARACTERS] + f"... ({len(path)} characters)"
    request_ids = [answer.headers["x-request-id"] for answer in answers]
    assert [answer.status_code for answer in answers] == [500, 404]
    assert [entry["path"] for entry in journal] == [cut_path, cut_path]
    logged = [
        fields
        for fields in (line.__dict__["fake_server"] for line in caplog.records)
        if fields["operation"] == "createVectorStoreFileBatch"
    ]
    assert [(fields["path"], fields["request_id"]) for fields in logged] == [
        (cut_path, request_id) for request_id in request_ids
    ]
    assert finding["code"] == "retry_without_idempotency_key"
    assert finding["requests"] == request_ids
    assert finding["resource"] == cut_id()


def test_what_a_session_keeps_of_requests_with_long_path_ids_stays_small() -> None:
    app = create_app(default_scenario())
    headers = [(b"authorization", f"Bearer {TEST_API_KEY}".encode())]
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    async def get(count: int) -> None:
        # Straight to the app: a client's own caches of long URLs would count too.
        for n in range(count):
            path = f"/v1/vector_stores/{LONG_ID[:-5]}{n:05d}"  # each id its own 32 KB
            scope = {"type": "http", "method": "GET", "path": path, "raw_path": path.encode()}
            await app({**scope, "query_string": b"", "headers": headers}, receive, send)

    asyncio.run(get(1))  # every cache warm
    gc.collect()
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        asyncio.run(get(MAX_OBSERVATIONS))
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()

    assert set(statuses) == {404}
    # Kept whole, the ids alone would hold 2000 x 32 KB = 64 MB (as they once did).
    assert grown < MAX_OBSERVATIONS * 2 * 1024, f"{grown / 1e6:.1f} MB for the requests"
    observations = app.sessions.default.client_log.observations()
    assert len(observations) == MAX_OBSERVATIONS
    assert observations[-1].resource == cut_id()
