"""Scripted faults, observed the way a client sees them: through the SDKs' retries."""

from __future__ import annotations

import time
from typing import Any

import httpx
import openai
import pytest
from meetkai_mka1.errors import SDKDefaultError
from meetkai_mka1.utils import BackoffStrategy, RetryConfig

from fake_server.testing.handle import TEST_API_KEY, FakeServer
from tests.helpers import StartServer

CANCEL_PATH = "/v1/vector_stores/vs_abc123/file_batches/vsfb_abc123/cancel"
DEFAULT_STORE = """
vector_stores:
  - id: vs_abc123
    file_batches:
      - id: vsfb_abc123
        files: [{processing_seconds: 3600}, {processing_seconds: 3600}]
"""


def with_faults(faults: str) -> str:
    return DEFAULT_STORE + "faults:\n" + faults


def journal_statuses(server: FakeServer, operation: str) -> list[int | None]:
    entries = httpx.get(f"{server.url}/__fake__/requests").json()["requests"]
    return [entry["status"] for entry in entries if entry["operation"] == operation]


def cancel_once(server: FakeServer) -> httpx.Response:
    return httpx.post(server.url + CANCEL_PATH, headers={"Authorization": f"Bearer {TEST_API_KEY}"})


def test_a_500_once_is_retried_by_the_openai_sdk(start_server: StartServer) -> None:
    server = start_server(
        with_faults("  - {operation: cancelVectorStoreFileBatch, status: 500, times: 1}\n")
    )
    batch = server.openai_client(max_retries=2).vector_stores.file_batches.cancel(
        "vsfb_abc123", vector_store_id="vs_abc123"
    )
    assert batch.status == "cancelled"
    assert journal_statuses(server, "cancelVectorStoreFileBatch") == [500, 200]
    retries = [
        entry["headers"].get("x-stainless-retry-count")
        for entry in httpx.get(f"{server.url}/__fake__/requests").json()["requests"]
    ]
    assert retries == ["0", "1"]


def test_a_scripted_error_uses_the_envelope(start_server: StartServer) -> None:
    server = start_server(
        with_faults("  - {operation: cancelVectorStoreFileBatch, status: 503, message: down}\n")
    )
    response = cancel_once(server)
    assert response.status_code == 503
    assert response.json() == {
        "error": {"message": "down", "type": "server_error", "param": None, "code": None}
    }


def test_after_lets_calls_through_first(start_server: StartServer) -> None:
    server = start_server(
        with_faults(
            "  - {operation: cancelVectorStoreFileBatch, status: 500, after: 2, times: 1}\n"
        )
    )
    assert [cancel_once(server).status_code for _ in range(4)] == [200, 200, 500, 200]


def test_probability_with_a_seed_repeats_exactly(start_server: StartServer) -> None:
    faults = "  - {operation: getVectorStoreFileBatch, status: 500, probability: 0.5, seed: 42}\n"
    runs = []
    for _ in range(2):
        server = start_server(with_faults(faults))
        url = f"{server.url}/v1/vector_stores/vs_abc123/file_batches/vsfb_abc123"
        # One client per run: a client each would cost an SSL context per request.
        with httpx.Client(headers={"Authorization": "Bearer k"}) as client:
            runs.append([client.get(url).status_code for _ in range(20)])
    assert runs[0] == runs[1]
    assert 0 < runs[0].count(500) < 20


def test_a_429_carries_retry_after_and_is_retried(start_server: StartServer) -> None:
    server = start_server(
        with_faults(
            "  - {operation: cancelVectorStoreFileBatch, status: 429, times: 2,"
            " retry_after_ms: 20}\n"
        )
    )
    first = cancel_once(server)
    assert first.status_code == 429
    assert first.headers["retry-after-ms"] == "20"
    assert first.headers["retry-after"] == "1"
    assert first.json()["error"]["code"] == "rate_limit_exceeded"

    batch = server.openai_client(max_retries=2).vector_stores.file_batches.cancel(
        "vsfb_abc123", vector_store_id="vs_abc123"
    )
    assert batch.status == "cancelled"
    assert journal_statuses(server, "cancelVectorStoreFileBatch") == [429, 429, 200]


def test_latency_trips_a_client_timeout_then_the_retry_succeeds(start_server: StartServer) -> None:
    server = start_server(
        with_faults("  - {operation: cancelVectorStoreFileBatch, latency_ms: 600, times: 1}\n")
    )
    client = openai.OpenAI(
        api_key=TEST_API_KEY,
        base_url=f"{server.url}/v1",
        max_retries=1,
        timeout=0.3,
        _strict_response_validation=True,
    )
    started = time.perf_counter()
    batch = client.vector_stores.file_batches.cancel("vsfb_abc123", vector_store_id="vs_abc123")
    assert batch.status == "cancelled"
    assert time.perf_counter() - started >= 0.3


def test_latency_without_a_status_still_answers(start_server: StartServer) -> None:
    server = start_server(
        with_faults("  - {operation: cancelVectorStoreFileBatch, latency_ms: 50, jitter_ms: 20}\n")
    )
    started = time.perf_counter()
    assert cancel_once(server).status_code == 200
    assert time.perf_counter() - started >= 0.05


def test_the_mka1_sdk_retries_a_scripted_503(start_server: StartServer) -> None:
    server = start_server(
        with_faults(
            "  - {operation: cancelVectorStoreFileBatch, status: 503, times: 1,"
            " retry_after_ms: 10}\n"
        )
    )
    fast_retries = RetryConfig("backoff", BackoffStrategy(10, 50, 1.5, 2000), False)
    sdk = server.mka1_client(retry_config=fast_retries)
    batch = sdk.llm.vector_stores.cancel_file_batch(
        vector_store_id="vs_abc123", batch_id="vsfb_abc123"
    )
    assert batch.status == "cancelled"
    no_retries = server.mka1_client()
    httpx.post(
        f"{server.url}/__fake__/faults",
        json={"operation": "getVectorStoreFileBatch", "status": 500, "times": 1},
    )
    with pytest.raises(SDKDefaultError) as raised:
        no_retries.llm.vector_stores.get_file_batch(
            vector_store_id="vs_abc123", batch_id="vsfb_abc123"
        )
    assert raised.value.status_code == 500


def test_faults_can_be_added_listed_and_cleared_at_runtime(server: FakeServer) -> None:
    url = f"{server.url}/__fake__/faults"
    added = httpx.post(url, json={"operation": "cancelVectorStoreFileBatch", "status": 502})
    assert added.status_code == 200
    assert added.json()["faults"] == [
        {
            "operation": "cancelVectorStoreFileBatch",
            "status": 502,
            "after": 0,
            "probability": 1.0,
            "seed": 0,
            "latency_ms": 0.0,
            "jitter_ms": 0.0,
            "drop_connection": False,
        }
    ]
    assert cancel_once(server).status_code == 502
    assert httpx.delete(url).json() == {"faults": []}
    assert cancel_once(server).status_code == 200


@pytest.mark.parametrize(
    ("fault", "words"),
    [
        ({"operation": "cancelBatch", "status": 500}, "unknown operation 'cancelBatch'"),
        ({"operation": "cancelVectorStoreFileBatch"}, "needs at least one of status"),
        ({"operation": "cancelVectorStoreFileBatch", "status": 200}, "must be >= 400"),
        ({"operation": "cancelVectorStoreFileBatch", "status": 500, "tiems": 1}, "unknown key"),
        ({"operation": "cancelVectorStoreFileBatch", "status": 500, "probability": 2}, "<= 1"),
    ],
)
def test_a_bad_runtime_fault_is_refused(
    server: FakeServer, fault: dict[str, Any], words: str
) -> None:
    response = httpx.post(f"{server.url}/__fake__/faults", json=fault)
    assert response.status_code == 400
    assert words in response.json()["error"]["message"]
    assert httpx.get(f"{server.url}/__fake__/faults").json() == {"faults": []}
