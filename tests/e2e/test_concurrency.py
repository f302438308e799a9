"""Hundreds of concurrent cancels and reads on one 2,000-file batch."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from fake_server import Contract, ServerThread
from tests.conftest import StartServer

FILES = 2000
CONCURRENCY = 200
SCENARIO = (
    "clock: {mode: virtual, start: 0}\n"
    "files:\n"
    + "".join(f"  - {{id: file-{i:04d}, processing_seconds: {i % 7}}}\n" for i in range(FILES))
    + "vector_stores: [{id: vs_big}]\n"
)


@pytest.fixture
def big_batch(start_server: StartServer) -> tuple[ServerThread, str]:
    server = start_server(SCENARIO)
    created = httpx.post(
        f"{server.url}/v1/vector_stores/vs_big/file_batches",
        json={"file_ids": [f"file-{i:04d}" for i in range(FILES)]},
        headers={"Authorization": "Bearer k"},
    )
    assert created.status_code == 200, created.text
    # Let three of the seven timing groups finish: 0, 1 and 2 seconds.
    httpx.post(f"{server.url}/__fake__/clock/advance", json={"seconds": 2})
    return server, created.json()["id"]


def test_concurrent_cancels_and_reads_stay_consistent(
    big_batch: tuple[ServerThread, str], contract: Contract
) -> None:
    server, batch_id = big_batch
    path = f"/v1/vector_stores/vs_big/file_batches/{batch_id}"
    limits = httpx.Limits(max_connections=CONCURRENCY)
    barrier = threading.Barrier(CONCURRENCY)

    def one(index: int) -> tuple[int, Any]:
        with httpx.Client(
            base_url=server.url, headers={"Authorization": "Bearer k"}, limits=limits, timeout=30
        ) as client:
            barrier.wait(timeout=30)
            if index % 3 == 0:
                response = client.post(path + "/cancel")
            elif index % 3 == 1:
                response = client.get(path)
            else:
                response = client.get(path + "/files", params={"limit": 100, "filter": "cancelled"})
            return response.status_code, response.json()

    with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
        results = list(pool.map(one, range(CONCURRENCY)))

    assert [status for status, _ in results] == [200] * CONCURRENCY
    for index, (_, body) in enumerate(results):
        operation = (
            "cancelVectorStoreFileBatch",
            "getVectorStoreFileBatch",
            "listFilesInVectorStoreBatch",
        )[index % 3]
        assert contract.check("openai", operation, 200, body) is None
        if "file_counts" in body:
            counts = body["file_counts"]
            assert counts["total"] == FILES
            assert (
                sum(counts[k] for k in ("in_progress", "completed", "failed", "cancelled")) == FILES
            )
    finished_early = sum(1 for i in range(FILES) if i % 7 <= 2)
    final = httpx.get(server.url + path, headers={"Authorization": "Bearer k"}).json()
    assert final["status"] == "cancelled"
    assert final["file_counts"] == {
        "in_progress": 0,
        "completed": finished_early,
        "failed": 0,
        "cancelled": FILES - finished_early,
        "total": FILES,
    }
    # Every cancel answered with the same, final counts: the first one did all the work.
    cancels = [body for index, (_, body) in enumerate(results) if index % 3 == 0]
    assert all(body["file_counts"] == final["file_counts"] for body in cancels)
