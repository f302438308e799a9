"""Running fake_server as a CI sidecar: env settings, wait, request logs, clean stop."""

from __future__ import annotations

import json
import signal
import threading
import time
from pathlib import Path

import httpx
import pytest

from fake_server.cli import main
from tests.helpers import REPO_ROOT, STOP_TIMEOUT_SECONDS, Sidecar, start_sidecar


def test_settings_come_from_environment_variables(tmp_path: Path, sidecars: list[Sidecar]) -> None:
    sidecar = start_sidecar(
        tmp_path,
        env={
            "FAKE_SERVER_PORT": "0",
            "FAKE_SERVER_SCENARIO": str(REPO_ROOT / "scenarios" / "mixed.yaml"),
            "FAKE_SERVER_LOG_FORMAT": "json",
        },
    )
    sidecars.append(sidecar)
    response = httpx.get(
        f"{sidecar.url}/v1/vector_stores/vs_mixed/file_batches/vsfb_mixed",
        headers={"Authorization": "Bearer k", "X-Fake-Session": "ci-job-1"},
    )
    assert response.status_code == 200
    (line,) = sidecar.lines()
    logged = json.loads(line)
    assert logged["method"] == "GET"
    assert logged["status"] == 200
    assert logged["operation"] == "getVectorStoreFileBatch"
    assert logged["session"] == "ci-job-1"
    assert logged["request_id"] == response.headers["x-request-id"]


def test_a_flag_wins_over_its_variable(tmp_path: Path, sidecars: list[Sidecar]) -> None:
    sidecar = start_sidecar(
        tmp_path, "--port", "0", env={"FAKE_SERVER_PORT": "1", "FAKE_SERVER_LOG_FORMAT": "text"}
    )
    sidecars.append(sidecar)
    httpx.post(
        f"{sidecar.url}/v1/vector_stores/vs_abc123/file_batches/vsfb_abc123/cancel",
        headers={"Authorization": "Bearer k"},
    )
    httpx.get(f"{sidecar.url}/v1/nowhere", headers={"Authorization": "Bearer k"})
    lines = sidecar.lines()
    assert lines[0].startswith(
        "POST /v1/vector_stores/vs_abc123/file_batches/vsfb_abc123/cancel 200 "
        "cancelVectorStoreFileBatch "
    )
    assert lines[1].startswith("GET /v1/nowhere 404 - ")
    assert len(lines) == 2


def test_wait_returns_once_the_server_is_healthy(
    tmp_path: Path, sidecars: list[Sidecar], capsys: pytest.CaptureFixture[str]
) -> None:
    sidecar = start_sidecar(tmp_path, "--port", "0")
    sidecars.append(sidecar)
    assert main(["wait", sidecar.url, "--timeout", "5"]) == 0
    assert f"fake_server at {sidecar.url} is ready" in capsys.readouterr().out


def test_wait_gives_up_with_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    started = time.monotonic()
    assert main(["wait", "http://127.0.0.1:9", "--timeout", "0.3"]) == 1
    assert time.monotonic() - started < 5
    err = capsys.readouterr().err
    assert "http://127.0.0.1:9 was not healthy after 0.3 s" in err
    assert main(["wait", "ftp://127.0.0.1:9"]) == 1


def test_sigterm_finishes_in_flight_requests_and_exits_0_within_a_second(
    tmp_path: Path, sidecars: list[Sidecar]
) -> None:
    scenario = tmp_path / "slow.yaml"
    scenario.write_text(
        "vector_stores: [{id: vs_abc123, file_batches: [{id: vsfb_abc123, files: [{}]}]}]\n"
        "faults: [{operation: getVectorStoreFileBatch, latency_ms: 600}]\n"
    )
    sidecar = start_sidecar(tmp_path, "--port", "0", "--scenario", str(scenario))
    sidecars.append(sidecar)
    results: list[int] = []

    def slow_request() -> None:
        response = httpx.get(
            f"{sidecar.url}/v1/vector_stores/vs_abc123/file_batches/vsfb_abc123",
            headers={"Authorization": "Bearer k"},
        )
        results.append(response.status_code)

    worker = threading.Thread(target=slow_request)
    worker.start()
    # Half way through the request's 600 ms: it is in flight, with a wide margin
    # either side, and the 0.8 s grace period covers the rest of it.
    time.sleep(0.3)
    signalled = time.monotonic()
    sidecar.process.send_signal(signal.SIGTERM)
    assert sidecar.process.wait(timeout=STOP_TIMEOUT_SECONDS) == 0
    stopped_after = time.monotonic() - signalled
    worker.join(timeout=STOP_TIMEOUT_SECONDS)
    assert results == [200]
    assert stopped_after < 1.5  # generous for a loaded CI machine; measured about 0.3 s


def test_sigint_also_exits_0(tmp_path: Path, sidecars: list[Sidecar]) -> None:
    sidecar = start_sidecar(tmp_path, "--port", "0")
    sidecars.append(sidecar)
    sidecar.process.send_signal(signal.SIGINT)
    assert sidecar.process.wait(timeout=STOP_TIMEOUT_SECONDS) == 0
