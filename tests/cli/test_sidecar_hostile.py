"""The sidecar under hostile input: forged log lines, a stop while a latency fault holds a call."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path

import httpx

from tests.helpers import STOP_TIMEOUT_SECONDS, Sidecar, start_sidecar

BATCH = "/v1/vector_stores/vs_abc123/file_batches/vsfb_abc123"
AUTH = {"Authorization": "Bearer k"}


def test_a_path_cannot_forge_a_log_line(tmp_path: Path, sidecars: list[Sidecar]) -> None:
    sidecar = start_sidecar(tmp_path, "--port", "0", "--log-format", "text")
    sidecars.append(sidecar)
    forged = "/v1/x%0d%0aPOST%20/v1/forged%20200%20-%200ms%20req_x%0b%1b%c2%85%e2%80%a8"

    httpx.get(sidecar.url + forged, headers=AUTH)
    httpx.get(sidecar.url + BATCH, headers=AUTH)

    lines = sidecar.lines()
    assert len(lines) == 2, lines
    assert lines[0].startswith("GET /v1/x\\x0d\\x0aPOST /v1/forged 200 - 0ms req_x\\x0b\\x1b")
    assert "\\u2028" in lines[0]
    assert lines[1].startswith("GET " + BATCH + " 200 ")


def test_a_long_path_is_logged_cut_short(tmp_path: Path, sidecars: list[Sidecar]) -> None:
    sidecar = start_sidecar(tmp_path, "--port", "0", "--log-format", "json")
    sidecars.append(sidecar)

    httpx.get(sidecar.url + "/v1/" + "a" * 50_000, headers=AUTH)
    refused = httpx.get(sidecar.url + BATCH, headers={**AUTH, "X-Fake-Session": "s" * 50_000})

    assert refused.status_code == 400
    lines = sidecar.lines()
    assert len(lines) == 2 and all(len(line) < 2500 for line in lines), [len(x) for x in lines]
    assert '... (50004 characters)"' in lines[0]
    assert '... (50000 characters)"' in lines[1]


def test_a_stop_answers_a_call_held_by_a_long_latency_fault(
    tmp_path: Path, sidecars: list[Sidecar]
) -> None:
    sidecar = start_sidecar(tmp_path, "--port", "0")
    sidecars.append(sidecar)
    httpx.post(
        f"{sidecar.url}/__fake__/faults",
        json={"operation": "getVectorStoreFileBatch", "latency_ms": 30_000},
    ).raise_for_status()
    answers: list[httpx.Response] = []
    held = threading.Thread(
        target=lambda: answers.append(httpx.get(sidecar.url + BATCH, headers=AUTH, timeout=20))
    )
    held.start()
    # Give the request time to reach the fault: bounded, and harmless if longer.
    for _ in range(100):
        journal = httpx.get(f"{sidecar.url}/__fake__/requests").json()["requests"]
        if journal or not held.is_alive():
            break
        time.sleep(0.05)
    time.sleep(0.2)

    stopped_at = time.monotonic()
    sidecar.process.send_signal(signal.SIGTERM)
    out, err = sidecar.process.communicate(timeout=STOP_TIMEOUT_SECONDS)
    held.join(STOP_TIMEOUT_SECONDS)

    assert sidecar.process.returncode == 0
    assert time.monotonic() - stopped_at < STOP_TIMEOUT_SECONDS
    (answer,) = answers
    # The latency is cut short; the call gets the answer it was waiting for.
    assert answer.status_code == 200
    assert answer.json()["status"] == "in_progress"
    assert "Traceback" not in err and "CancelledError" not in err, err
    assert "Traceback" not in out, out
