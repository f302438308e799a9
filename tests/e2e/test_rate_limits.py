"""Rate limits on the scenario's clock and settable size limits, end to end."""

from __future__ import annotations

import httpx
import openai
import pytest
from meetkai_mka1.errors import SDKDefaultError
from meetkai_mka1.utils import BackoffStrategy, RetryConfig

from tests.helpers import StartServer

UPLOADS = "files: [{id: file-1}, {id: file-2}, {id: file-3}, {id: file-4}, {id: file-5}]\n"
VIRTUAL = (
    "clock: {mode: virtual, start: 1704067200}\n"
    "limits: {attached_files_per_minute: 3}\n"
    "vector_stores: [{id: vs_1}]\n" + UPLOADS
)
REAL = "limits: {attached_files_per_minute: 3}\nvector_stores: [{id: vs_1}]\n" + UPLOADS


def batch_path(server_url: str) -> str:
    return f"{server_url}/v1/vector_stores/vs_1/file_batches"


def attached(http: httpx.Client) -> int:
    total: int = http.get("/v1/vector_stores/vs_1").json()["file_counts"]["total"]
    return total


def test_a_burst_over_the_limit_gets_429_and_nothing_attached_on_a_real_clock(
    start_server: StartServer,
) -> None:
    server = start_server(REAL)
    with server.http_client() as http:
        first = http.post(
            "/v1/vector_stores/vs_1/file_batches", json={"file_ids": ["file-1", "file-2"]}
        )
        assert first.status_code == 200
        refused = http.post(
            "/v1/vector_stores/vs_1/file_batches", json={"file_ids": ["file-3", "file-4"]}
        )
        assert refused.status_code == 429
        error = refused.json()["error"]
        assert error["code"] == "rate_limit_exceeded" and error["type"] == "requests"
        assert error["message"].startswith(
            "Rate limit reached for vector store file attachments on files per min: "
            "Limit 3, Used 2, Requested 2. Please try again in "
        )
        wait_ms = int(refused.headers["retry-after-ms"])
        assert 55_000 < wait_ms <= 60_000
        assert refused.headers["retry-after"] == "60"
        assert attached(http) == 2
        # Single files through a new vector store's file_ids count too.
        store = http.post("/v1/vector_stores", json={"file_ids": ["file-5"]})
        assert store.status_code == 200
        again = http.post("/v1/vector_stores", json={"file_ids": ["file-3"]})
        assert again.status_code == 429


def test_on_a_virtual_clock_the_openai_sdks_retry_passes_at_once(
    start_server: StartServer,
) -> None:
    server = start_server(VIRTUAL)
    client = server.openai_client(max_retries=2)
    batches = client.vector_stores.file_batches
    batches.create("vs_1", file_ids=["file-1", "file-2"])
    before = httpx.get(f"{server.url}/__fake__/clock").json()["now"]

    batch = batches.create("vs_1", file_ids=["file-3", "file-4"])

    assert batch.file_counts.total == 2
    journal = httpx.get(f"{server.url}/__fake__/requests").json()["requests"]
    assert [entry["status"] for entry in journal] == [200, 429, 200]
    # Answering the 429 moved the clock to the moment the retry would pass.
    assert journal[2]["time"] == before + 60
    assert httpx.get(f"{server.url}/__fake__/clock").json()["now"] == before + 60


def test_on_a_virtual_clock_the_429_says_wait_as_long_as_between_polls(
    start_server: StartServer,
) -> None:
    server = start_server(VIRTUAL)
    with server.http_client() as http:
        http.post("/v1/vector_stores/vs_1/file_batches", json={"file_ids": ["file-1", "file-2"]})
        refused = http.post(
            "/v1/vector_stores/vs_1/file_batches", json={"file_ids": ["file-3", "file-4"]}
        )
        assert refused.status_code == 429
        assert refused.headers["retry-after-ms"] == "10"
        assert refused.headers["retry-after"] == "1"
        assert "Please try again in 60s." in refused.json()["error"]["message"]
        assert attached(http) == 2


def test_the_mka1_sdks_retry_passes_too(start_server: StartServer) -> None:
    server = start_server(VIRTUAL)
    retries = RetryConfig("backoff", BackoffStrategy(10, 100, 1.5, 5000), False)
    vector_stores = server.mka1_client(retry_config=retries).llm.vector_stores
    vector_stores.create_file_batch(vector_store_id="vs_1", file_ids=["file-1", "file-2"])

    batch = vector_stores.create_file_batch(vector_store_id="vs_1", file_ids=["file-3", "file-4"])

    assert batch.file_counts.total == 2
    journal = httpx.get(f"{server.url}/__fake__/requests").json()["requests"]
    assert [entry["status"] for entry in journal] == [200, 429, 200]
    with pytest.raises(SDKDefaultError) as refused:
        server.mka1_client().llm.vector_stores.create_file_batch(
            vector_store_id="vs_1", file_ids=["file-5", "file-1"]
        )
    assert refused.value.status_code == 429


def test_more_files_than_the_limit_at_once_are_never_retried(start_server: StartServer) -> None:
    server = start_server(VIRTUAL)
    client = server.openai_client(max_retries=2)
    with pytest.raises(openai.RateLimitError) as refused:
        client.vector_stores.file_batches.create(
            "vs_1", file_ids=["file-1", "file-2", "file-3", "file-4"]
        )
    assert refused.value.response.headers["x-should-retry"] == "false"
    assert "retry-after" not in refused.value.response.headers
    assert "Request too large" in refused.value.message
    journal = httpx.get(f"{server.url}/__fake__/requests").json()["requests"]
    assert [entry["status"] for entry in journal] == [429]


def test_files_per_batch_and_bytes_per_upload_are_settable(start_server: StartServer) -> None:
    server = start_server(
        "limits: {files_per_batch: 2, bytes_per_upload: 100}\nvector_stores: [{id: vs_1}]\n"
        + UPLOADS
    )
    client = server.openai_client()
    with pytest.raises(openai.BadRequestError) as too_many:
        client.vector_stores.file_batches.create("vs_1", file_ids=["file-1", "file-2", "file-3"])
    assert "a batch holds 1 to 2 files, got 3" in too_many.value.message
    assert client.files.create(file=("small.txt", b"x" * 100), purpose="assistants").bytes == 100
    with pytest.raises(openai.APIStatusError) as too_big:
        client.files.create(file=("big.txt", b"x" * 200), purpose="assistants")
    assert too_big.value.status_code == 413
    assert "limit of 100 bytes" in too_big.value.message


def test_each_session_has_a_limit_of_its_own(start_server: StartServer) -> None:
    server = start_server(REAL, own=True)
    body = {"file_ids": ["file-1", "file-2", "file-3"]}
    with server.http_client() as http:
        path = "/v1/vector_stores/vs_1/file_batches"
        assert http.post(path, json=body).status_code == 200
        assert http.post(path, json=body).status_code == 429
        other = {"X-Fake-Session": "job-2"}
        assert http.post(path, json=body, headers=other).status_code == 200
