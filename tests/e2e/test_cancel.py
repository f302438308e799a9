"""Cancel semantics through both SDKs: partial, finished, repeated."""

from __future__ import annotations

import httpx
import pytest

from fake_server.testing.handle import TEST_API_KEY, FakeServer
from tests.helpers import StartServer

FINISHED_ON_LOAD = """
clock: {mode: virtual, start: 1704067200}
vector_stores:
  - id: vs_finished
    file_batches:
      - id: vsfb_completed
        files: [{status: completed}, {status: completed}, {status: failed}]
      - id: vsfb_failed
        files: [{status: failed}, {status: failed}]
      - id: vsfb_cancelled
        files: [{status: cancelled}, {status: completed}]
"""


def counts_of(batch: object) -> dict[str, int]:
    counts = batch.file_counts  # type: ignore[attr-defined]
    result = {
        name: getattr(counts, name)
        for name in ("in_progress", "completed", "failed", "cancelled", "total")
    }
    assert (
        sum(result[name] for name in ("in_progress", "completed", "failed", "cancelled"))
        == (result["total"])
    )
    return result


def test_partial_cancel_moves_only_in_progress_files(mixed_server: FakeServer) -> None:
    client = mixed_server.openai_client()

    batch = client.vector_stores.file_batches.cancel("vsfb_mixed", vector_store_id="vs_mixed")

    assert batch.status == "cancelled"
    assert counts_of(batch) == {
        "in_progress": 0,
        "completed": 1,
        "failed": 1,
        "cancelled": 2,
        "total": 4,
    }
    statuses = {
        file.id: file.status
        for file in client.vector_stores.file_batches.list_files(
            "vsfb_mixed", vector_store_id="vs_mixed"
        )
    }
    assert statuses == {
        "file-done1": "completed",
        "file-bad1": "failed",
        "file-slow1": "cancelled",
        "file-slow2": "cancelled",
    }


def test_partial_cancel_through_mka1(mixed_server: FakeServer) -> None:
    sdk = mixed_server.mka1_client()

    batch = sdk.llm.vector_stores.cancel_file_batch(
        vector_store_id="vs_mixed", batch_id="vsfb_mixed"
    )

    assert batch.status == "cancelled"
    assert counts_of(batch)["cancelled"] == 2
    listing = sdk.llm.vector_stores.list_files_in_batch(
        vector_store_id="vs_mixed", batch_id="vsfb_mixed", filter_="cancelled"
    )
    assert sorted(file.id for file in listing.data) == ["file-slow1", "file-slow2"]


@pytest.mark.parametrize(
    ("batch_id", "status", "counts"),
    [
        (
            "vsfb_completed",
            "completed",
            {"in_progress": 0, "completed": 2, "failed": 1, "cancelled": 0, "total": 3},
        ),
        (
            "vsfb_failed",
            "failed",
            {"in_progress": 0, "completed": 0, "failed": 2, "cancelled": 0, "total": 2},
        ),
        (
            "vsfb_cancelled",
            "cancelled",
            {"in_progress": 0, "completed": 1, "failed": 0, "cancelled": 1, "total": 2},
        ),
    ],
)
def test_cancel_of_a_finished_batch_returns_it_unchanged(
    start_server: StartServer, batch_id: str, status: str, counts: dict[str, int]
) -> None:
    server = start_server(FINISHED_ON_LOAD)
    client = server.openai_client()
    before = client.vector_stores.file_batches.retrieve(batch_id, vector_store_id="vs_finished")

    after = client.vector_stores.file_batches.cancel(batch_id, vector_store_id="vs_finished")

    assert before == after
    assert after.status == status
    assert counts_of(after) == counts


def test_cancelling_twice_is_harmless(server: FakeServer) -> None:
    sdk = server.mka1_client()
    first = sdk.llm.vector_stores.cancel_file_batch(
        vector_store_id="vs_abc123", batch_id="vsfb_abc123"
    )
    second = sdk.llm.vector_stores.cancel_file_batch(
        vector_store_id="vs_abc123", batch_id="vsfb_abc123"
    )
    assert first == second
    assert second.status == "cancelled"


def test_cancel_is_visible_through_every_dialect(server: FakeServer) -> None:
    server.openai_client().vector_stores.file_batches.cancel(
        "vsfb_abc123", vector_store_id="vs_abc123"
    )
    for prefix in ("/v1", "/api/v1/llm", "/spec/v1"):
        response = httpx.get(
            f"{server.url}{prefix}/vector_stores/vs_abc123/file_batches/vsfb_abc123",
            headers={"Authorization": f"Bearer {TEST_API_KEY}"},
        )
        assert response.json()["status"] == "cancelled", prefix


def test_files_that_finished_before_the_cancel_keep_their_outcome(
    start_server: StartServer,
) -> None:
    # Real clock: one file finishes at once, one fails at once, one takes an hour.
    server = start_server(
        """
        vector_stores:
          - id: vs_race
            file_batches:
              - id: vsfb_race
                files:
                  - {id: file-quick, processing_seconds: 0}
                  - {id: file-broken, processing_seconds: 0, outcome: failed}
                  - {id: file-slow, processing_seconds: 3600}
        """
    )
    batch = server.openai_client().vector_stores.file_batches.cancel(
        "vsfb_race", vector_store_id="vs_race"
    )
    assert counts_of(batch) == {
        "in_progress": 0,
        "completed": 1,
        "failed": 1,
        "cancelled": 1,
        "total": 3,
    }
    assert batch.status == "cancelled"


def test_spec_dialect_serves_the_literal_object_name(server: FakeServer) -> None:
    response = httpx.post(
        f"{server.url}/spec/v1/vector_stores/vs_abc123/file_batches/vsfb_abc123/cancel",
        headers={"Authorization": f"Bearer {TEST_API_KEY}"},
    )
    assert response.status_code == 200
    assert response.json()["object"] == "vector_store.files_batch"
