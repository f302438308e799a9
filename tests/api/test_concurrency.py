"""Many threads creating, cancelling and reading batches on one app at once.

A real server runs every handler on one event loop, so a test through it
cannot catch a race in the account. Here each thread calls the app in
process on an event loop of its own (its own InProcessTransport), all of
them on one shared state, with a short thread switch interval so that
threads interleave inside operations. Every answer must add up while it
runs; afterwards every file's status must be exactly what the operations
imply: cancel moved exactly the files in progress, and nothing was lost.
"""

from __future__ import annotations

import random
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from fake_server.testing.handle import FakeServer

THREADS = 8
BATCHES_PER_THREAD = 8
FILES_PER_BATCH = 40  # a quarter complete at once, a quarter fail at once, half take an hour
STORES = ["vs_c0", "vs_c1", "vs_c2"]
FILES = THREADS * BATCHES_PER_THREAD * FILES_PER_BATCH
WAIT_SECONDS = 60.0


def kind(file_id: str) -> str:
    """What a file does once in a vector store: 'completed', 'failed' (at once) or 'slow'."""
    return ("completed", "failed", "slow", "slow")[int(file_id.removeprefix("file-c")) % 4]


def scenario_file(index: int) -> str:
    file_id = f"file-c{index:04d}"
    seconds = 3600 if kind(file_id) == "slow" else 0
    outcome = ", outcome: failed" if kind(file_id) == "failed" else ""
    return f"  - {{id: {file_id}, processing_seconds: {seconds}{outcome}}}\n"


SCENARIO = (
    "clock: {mode: virtual, start: 1000}\n"  # never advanced: the slow files stay in progress
    "files:\n"
    + "".join(scenario_file(index) for index in range(FILES))
    + f"vector_stores: [{', '.join(f'{{id: {store}}}' for store in STORES)}]\n"
)
pytestmark = pytest.mark.fake_server_scenario(SCENARIO)

SLOW = FILES_PER_BATCH // 2
FAST = FILES_PER_BATCH // 4  # each of completed and failed


@dataclass
class Created:
    batch_id: str
    store: str
    file_ids: list[str]


@dataclass
class Observed:
    """What the threads saw, appended to from every thread (list.append is atomic)."""

    created: list[Created] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def check(self, ok: bool, what: str, response: httpx.Response) -> None:
        if not ok:
            self.problems.append(f"{what}: {response.status_code} {response.text[:300]}")


@pytest.fixture
def interleaved() -> Iterator[None]:
    """Switch threads every 10 us instead of 5 ms, so they interleave inside operations."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


def batch_counts_add_up(body: Any, cancelled: bool | None = None) -> bool:
    counts = body["file_counts"]
    parts = counts["in_progress"] + counts["completed"] + counts["failed"] + counts["cancelled"]
    if parts != counts["total"] or counts["total"] != FILES_PER_BATCH:
        return False
    if counts["completed"] != FAST or counts["failed"] != FAST:
        return False
    # Cancel is atomic: all slow files are still in progress, or all are cancelled.
    if (counts["in_progress"], counts["cancelled"]) not in ((SLOW, 0), (0, SLOW)):
        return False
    status = "cancelled" if counts["cancelled"] else "in_progress"
    return body["status"] == status and (
        cancelled is None or cancelled == (status != "in_progress")
    )


def store_counts_add_up(body: Any) -> bool:
    counts = body["file_counts"]
    total: int = counts["total"]
    parts: int = sum(counts[name] for name in ("in_progress", "completed", "failed", "cancelled"))
    # A create is atomic: a store holds whole batches only.
    return (
        parts == total
        and total % FILES_PER_BATCH == 0
        and counts["completed"] == counts["failed"] == total // 4
        and counts["in_progress"] + counts["cancelled"] == total // 2
    )


def file_status_is_possible(item: Any) -> bool:
    expected = kind(item["id"])
    if expected == "slow":
        return bool(item["status"] in ("in_progress", "cancelled"))
    return bool(item["status"] == expected)


def work(server: FakeServer, thread: int, start: threading.Barrier, seen: Observed) -> None:
    rng = random.Random(thread)
    with server.http_client() as client:  # its own transport, so its own event loop
        start.wait(WAIT_SECONDS)
        for index in range(BATCHES_PER_THREAD):
            first = (thread * BATCHES_PER_THREAD + index) * FILES_PER_BATCH
            file_ids = [f"file-c{i:04d}" for i in range(first, first + FILES_PER_BATCH)]
            store = STORES[(thread + index) % len(STORES)]
            created = client.post(
                f"/v1/vector_stores/{store}/file_batches", json={"file_ids": file_ids}
            )
            seen.check(created.status_code == 200, "create", created)
            if created.status_code != 200:
                continue
            seen.created.append(Created(created.json()["id"], store, file_ids))
            for _ in range(10):
                target = rng.choice(seen.created[-4:])  # a recent batch, any thread's
                path = f"/v1/vector_stores/{target.store}/file_batches/{target.batch_id}"
                action = rng.choice(["cancel", "retrieve", "files", "store", "store files"])
                if action == "cancel":
                    response = client.post(path + "/cancel")
                    seen.check(
                        response.status_code == 200 and batch_counts_add_up(response.json(), True),
                        "cancel",
                        response,
                    )
                    seen.cancelled.append(target.batch_id)
                elif action == "retrieve":
                    response = client.get(path)
                    ok = response.status_code == 200 and batch_counts_add_up(response.json())
                    seen.check(ok, "retrieve", response)
                elif action == "files":
                    response = client.get(path + "/files", params={"limit": 100})
                    ok = response.status_code == 200 and all(
                        file_status_is_possible(item) for item in response.json()["data"]
                    )
                    seen.check(ok, "list batch files", response)
                elif action == "store":
                    response = client.get(f"/v1/vector_stores/{target.store}")
                    ok = response.status_code == 200 and store_counts_add_up(response.json())
                    seen.check(ok, "retrieve store", response)
                else:
                    response = client.get(
                        f"/v1/vector_stores/{target.store}/files", params={"limit": 100}
                    )
                    ok = response.status_code == 200 and all(
                        file_status_is_possible(item) for item in response.json()["data"]
                    )
                    seen.check(ok, "list store files", response)


def all_store_files(client: httpx.Client, store: str) -> list[Any]:
    items: list[Any] = []
    query: dict[str, Any] = {"limit": 100, "order": "asc"}
    for _ in range(FILES // 100 + 2):  # bounded: one page more than there can be
        page = client.get(f"/v1/vector_stores/{store}/files", params=query).json()
        items.extend(page["data"])
        if not page["has_more"]:
            return items
        query["after"] = page["last_id"]
    raise AssertionError(f"{store}: more pages than files")


# A stress test, not a client: its threads read batches back to back on
# purpose, which the client checks would rightly call tight polling.
@pytest.mark.fake_server_client_checks("off")
def test_concurrent_creates_cancels_and_reads_add_up(
    fake_server_inprocess: FakeServer, interleaved: None
) -> None:
    seen = Observed()
    start = threading.Barrier(THREADS)
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        futures = [
            pool.submit(work, fake_server_inprocess, thread, start, seen)
            for thread in range(THREADS)
        ]
        for future in futures:
            future.result(WAIT_SECONDS)
    sys.setswitchinterval(0.005)  # the checks below need no interleaving

    assert seen.problems == []
    # Nothing lost: every create answered with a batch of its own.
    assert len(seen.created) == THREADS * BATCHES_PER_THREAD
    assert len({created.batch_id for created in seen.created}) == len(seen.created)
    assert seen.cancelled, "the random walk cancels some batches"
    cancelled = set(seen.cancelled)
    assert len(cancelled) < len(seen.created), "and leaves some alone"

    with fake_server_inprocess.http_client() as client:
        for created in seen.created:
            path = f"/v1/vector_stores/{created.store}/file_batches/{created.batch_id}"
            was_cancelled = created.batch_id in cancelled
            assert batch_counts_add_up(client.get(path).json(), was_cancelled), created
            listing = client.get(path + "/files", params={"limit": 100, "order": "asc"}).json()
            statuses = {item["id"]: item["status"] for item in listing["data"]}
            expected = {
                file_id: (
                    kind(file_id)
                    if kind(file_id) != "slow"
                    else "cancelled"
                    if was_cancelled
                    else "in_progress"
                )
                for file_id in created.file_ids
            }
            assert statuses == expected, created.batch_id

        for store in STORES:
            batches = [created for created in seen.created if created.store == store]
            in_store_cancelled = sum(1 for created in batches if created.batch_id in cancelled)
            body = client.get(f"/v1/vector_stores/{store}").json()
            assert body["file_counts"] == {
                "in_progress": SLOW * (len(batches) - in_store_cancelled),
                "completed": FAST * len(batches),
                "failed": FAST * len(batches),
                "cancelled": SLOW * in_store_cancelled,
                "total": FILES_PER_BATCH * len(batches),
            }, store
            files = all_store_files(client, store)
            assert sorted(item["id"] for item in files) == sorted(
                file_id for created in batches for file_id in created.file_ids
            ), store
