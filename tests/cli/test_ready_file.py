"""What a harness in any language reads: the ready file, and a log in one format from line one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.helpers import SUMMARY, fake_server_command, serve, stop, wait_for

STOP_TIMEOUT_SECONDS = 10
READY_TIMEOUT_SECONDS = 20


def test_the_ready_file_names_the_chosen_port_and_goes_away_on_exit(tmp_path: Path) -> None:
    ready_file = tmp_path / "run" / "ready.json"
    ready_file.parent.mkdir()
    process = serve(tmp_path, "--ready-file", str(ready_file))
    try:
        ready = wait_for(ready_file, process)
        assert set(ready) == {"url", "host", "port", "pid"}
        assert ready["host"] == "127.0.0.1"
        assert isinstance(ready["port"], int) and ready["port"] > 0
        assert ready["url"] == f"http://127.0.0.1:{ready['port']}"
        assert ready["pid"] == process.pid
        # Written when it already accepts connections.
        assert httpx.get(f"{ready['url']}/__fake__/health").json() == {"status": "ok"}
        # Renamed into place: nothing but the file itself is left beside it.
        assert [p.name for p in ready_file.parent.iterdir()] == ["ready.json"]
    finally:
        stop(process)
    assert not ready_file.exists()


def test_the_ready_file_can_come_from_the_environment(tmp_path: Path) -> None:
    ready_file = tmp_path / "ready.json"
    process = subprocess.Popen(
        [*fake_server_command(), "serve"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "FAKE_SERVER_PORT": "0", "FAKE_SERVER_READY_FILE": str(ready_file)},
    )
    try:
        assert wait_for(ready_file, process)["pid"] == process.pid
    finally:
        stop(process)


def test_python_dash_m_runs_the_command_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "fake_server", "check", "no-such-file.yaml"],
        check=False,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "no-such-file.yaml" in result.stderr
    ready_file = tmp_path / "ready.json"
    process = serve(
        tmp_path, "--ready-file", str(ready_file), command=[sys.executable, "-m", "fake_server"]
    )
    try:
        wait_for(ready_file, process)
    finally:
        stop(process)


def test_the_text_log_is_in_its_format_from_the_first_line(tmp_path: Path) -> None:
    ready_file = tmp_path / "ready.json"
    process = serve(tmp_path, "--ready-file", str(ready_file))
    try:
        url = wait_for(ready_file, process)["url"]
        httpx.get(f"{url}/v1/nowhere", headers={"Authorization": "Bearer k"})
    finally:
        out, err = stop(process)
    # The log ends with the summary line (issue 31).
    *lines, summary = out.splitlines()
    assert summary.startswith(SUMMARY)
    first, request = lines
    assert first.startswith(f"fake_server ready on {url} (scenario: ")
    assert request.startswith("GET /v1/nowhere 404 - ")
    assert err == ""  # nothing of uvicorn's own start and stop notices


@pytest.mark.parametrize("level", ["info", "warning"])
def test_every_line_of_the_json_log_is_json(tmp_path: Path, level: str) -> None:
    ready_file = tmp_path / "ready.json"
    process = serve(
        tmp_path, "--ready-file", str(ready_file), "--log-format", "json", "--log-level", level
    )
    try:
        ready = wait_for(ready_file, process)
        httpx.get(f"{ready['url']}/v1/nowhere", headers={"Authorization": "Bearer k"})
    finally:
        out, err = stop(process)
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines.pop()["message"].startswith(SUMMARY)  # the last line (issue 31)
    assert err == ""
    first = lines[0]
    assert first["message"].startswith(f"fake_server ready on {ready['url']}")
    assert {key: first[key] for key in ready} == ready
    assert set(first) == {
        *("time", "message", "url", "host", "port", "pid"),
        *("scenario", "inspector", "stack"),
    }
    requests = [line for line in lines[1:] if "method" in line]
    assert len(requests) == (1 if level == "info" else 0)
    assert len(lines) == 1 + len(requests)
