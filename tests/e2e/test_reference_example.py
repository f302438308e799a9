"""The README's reference example, through both SDKs and plain HTTP."""

from __future__ import annotations

import json

import httpx

from fake_server.testing.handle import TEST_API_KEY, FakeServer

REFERENCE = (
    '{"id": "vsfb_abc123", "object": "vector_store.file_batch", "created_at": 1704067200, '
    '"vector_store_id": "vs_abc123", "status": "cancelled", "file_counts": {"in_progress": 0, '
    '"completed": 0, "failed": 0, "cancelled": 3, "total": 3}}'
)
BEFORE_CANCEL = {
    "id": "vsfb_abc123",
    "object": "vector_store.file_batch",
    "created_at": 1704067200,
    "vector_store_id": "vs_abc123",
    "status": "in_progress",
    "file_counts": {"in_progress": 3, "completed": 0, "failed": 0, "cancelled": 0, "total": 3},
}


def test_mka1_sdk_cancel_returns_the_reference_batch(server: FakeServer) -> None:
    sdk = server.mka1_client()
    before = sdk.llm.vector_stores.get_file_batch(
        vector_store_id="vs_abc123", batch_id="vsfb_abc123"
    )
    assert before.model_dump(mode="json") == BEFORE_CANCEL

    batch = sdk.llm.vector_stores.cancel_file_batch(
        vector_store_id="vs_abc123", batch_id="vsfb_abc123"
    )

    assert batch.model_dump(mode="json") == json.loads(REFERENCE)


def test_openai_sdk_cancel_returns_the_reference_batch(server: FakeServer) -> None:
    client = server.openai_client()
    before = client.vector_stores.file_batches.retrieve("vsfb_abc123", vector_store_id="vs_abc123")
    assert before.model_dump(mode="json") == BEFORE_CANCEL

    batch = client.vector_stores.file_batches.cancel("vsfb_abc123", vector_store_id="vs_abc123")

    assert batch.model_dump(mode="json") == json.loads(REFERENCE)


def test_plain_http_cancel_returns_the_reference_bytes(server: FakeServer) -> None:
    response = httpx.post(
        f"{server.url}/v1/vector_stores/vs_abc123/file_batches/vsfb_abc123/cancel",
        headers={"Authorization": f"Bearer {TEST_API_KEY}"},
    )

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.text == REFERENCE


def test_mka1_path_returns_the_same_bytes(server: FakeServer) -> None:
    response = httpx.post(
        f"{server.url}/api/v1/llm/vector_stores/vs_abc123/file_batches/vsfb_abc123/cancel",
        headers={"Authorization": f"Bearer {TEST_API_KEY}", "X-On-Behalf-Of": "user-1"},
    )

    assert response.text == REFERENCE


def test_every_response_carries_request_id_and_processing_time(server: FakeServer) -> None:
    response = httpx.get(
        f"{server.url}/v1/vector_stores/vs_abc123/file_batches/vsfb_abc123",
        headers={"Authorization": f"Bearer {TEST_API_KEY}"},
    )

    assert response.headers["x-request-id"].startswith("req_")
    assert len(response.headers["x-request-id"]) == len("req_") + 32
    assert int(response.headers["openai-processing-ms"]) >= 0


def test_cancel_accepts_every_way_clients_send_an_empty_body(server: FakeServer) -> None:
    url = f"{server.url}/v1/vector_stores/vs_abc123/file_batches/vsfb_abc123/cancel"
    auth = {"Authorization": f"Bearer {TEST_API_KEY}"}
    variants = [
        {**auth, "Content-Type": "application/json", "Content-Length": "0"},  # openai SDK
        {**auth, "Content-Length": "0"},  # MKA1 SDK
        {**auth, "Content-Type": "application/json"},
    ]
    for headers in variants:
        response = httpx.post(url, headers=headers)
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "cancelled"
    assert httpx.post(url, headers=auth, content=b"{}").status_code == 200
