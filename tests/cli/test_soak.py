"""A bounded soak: thousands of requests over many sessions, the journal on; memory stays flat."""

from __future__ import annotations

import signal
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from tests.helpers import start_sidecar

WARM_UP, SOAK = 1500, 4500
SESSIONS = 40
BATCH = "/v1/vector_stores/vs_abc123/file_batches/vsfb_abc123"


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def load(url: str, count: int) -> None:
    def worker(offset: int) -> None:
        with httpx.Client(base_url=url, headers={"Authorization": "Bearer k"}) as client:
            for index in range(offset, count, 8):
                session = {"X-Fake-Session": f"job-{index % SESSIONS}"}
                if index % 4 == 0:
                    client.post(BATCH + "/cancel", headers=session)
                elif index % 4 == 1:
                    client.get(BATCH + "/files", headers=session)
                elif index % 4 == 2:
                    client.get(BATCH, headers=session)
                else:
                    client.get("/v1/nowhere", headers=session)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(worker, range(8)))


def test_memory_stays_flat_under_a_soak(tmp_path: Path) -> None:
    sidecar = start_sidecar(
        tmp_path,
        "--port",
        "0",
        "--log-level",
        "warning",
        "--journal-size",
        "200",
        "--max-sessions",
        "8",
    )
    try:
        load(sidecar.url, WARM_UP)
        before = rss_kib(sidecar.process.pid)
        load(sidecar.url, SOAK)
        after = rss_kib(sidecar.process.pid)
        sessions = httpx.get(f"{sidecar.url}/__fake__/sessions").json()
        journal = httpx.get(
            f"{sidecar.url}/__fake__/requests", headers={"X-Fake-Session": "job-1"}
        ).json()
    finally:
        sidecar.process.send_signal(signal.SIGTERM)
        sidecar.process.wait(timeout=10)
    print(f"soak: RSS {before} KiB after {WARM_UP} requests, {after} KiB after {SOAK} more")
    assert len(sessions["sessions"]) == 8
    assert len(journal["requests"]) <= 200
    assert after <= before * 1.10, f"RSS grew from {before} KiB to {after} KiB"
