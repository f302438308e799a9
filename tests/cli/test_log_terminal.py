"""The log on a terminal (time, status coloured by class; no colour when not a
terminal or with NO_COLOR) and the summary line ``fake-server serve`` stops with."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import httpx
import pytest

from fake_server.http import log_style
from fake_server.http.access_log import LineWriter
from fake_server.http.record import record
from tests.helpers import SUMMARY, Sidecar, start_sidecar

AUTH = {"Authorization": "Bearer k"}
BATCH = "/v1/vector_stores/vs_abc123/file_batches/vsfb_abc123"
STAMP = re.compile(r"^\d\d:\d\d:\d\d\.\d{3} ")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def recorded(status: int | None, fault: int | None = None) -> object:
    return record(
        "GET", BATCH, b"", "getVectorStoreFileBatch", status, "req_1", None, {}, {}, 0.0, 0.0,
        0.001, None, False, False, fault,
    )  # fmt: skip


def written(stream: io.StringIO, *statuses: int | None) -> list[str]:
    writer = LineWriter(stream, "text")
    for status in statuses:
        writer.write(recorded(status))  # type: ignore[arg-type]
    writer.flush()
    return stream.getvalue().splitlines()


def test_on_a_terminal_each_line_has_its_time_and_its_status_coloured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    lines = written(Terminal(), 200, 404, 503, None, 303)
    assert all(STAMP.match(line) for line in lines), lines
    colours = ["\x1b[32m200", "\x1b[33m404", "\x1b[31m503", "\x1b[35mdropped", "\x1b[36m303"]
    for line, colour in zip(lines, colours, strict=True):
        assert f" {colour}{log_style.RESET} " in line


def test_no_colour_with_no_color_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    (line,) = written(Terminal(), 500)
    assert STAMP.match(line)
    assert "\x1b" not in line
    assert f"{BATCH} 500 getVectorStoreFileBatch" in line


def test_no_time_and_no_colour_when_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    (line,) = written(io.StringIO(), 500)
    assert line.startswith(f"GET {BATCH} 500 ")
    assert "\x1b" not in line


def test_a_json_log_is_never_styled() -> None:
    stream = Terminal()
    writer = LineWriter(stream, "json")
    writer.write(recorded(500, fault=1))  # type: ignore[arg-type]
    writer.flush()
    logged = json.loads(stream.getvalue())
    assert (logged["status"], logged["fault"]) == (500, 1)


def test_the_summary_counts_what_was_answered() -> None:
    tally = log_style.Tally()
    for status, fault in ((200, None), (404, None), (500, 0), (None, 1)):
        tally.count(recorded(status, fault))  # type: ignore[arg-type]
    assert tally.summary(1) == (
        "fake_server stopped: 4 requests, 3 errors, 2 faults injected, 1 client finding"
    )


def test_serve_stops_with_its_summary_line(tmp_path: Path, sidecars: list[Sidecar]) -> None:
    sidecar = start_sidecar(tmp_path, "--port", "0", "--log-format", "text")
    sidecars.append(sidecar)
    httpx.post(
        f"{sidecar.url}/__fake__/faults",
        json={"operation": "getVectorStoreFileBatch", "status": 503, "times": 1},
    ).raise_for_status()
    assert httpx.get(sidecar.url + BATCH, headers=AUTH).status_code == 503
    assert httpx.get(sidecar.url + BATCH, headers=AUTH).status_code == 200
    assert httpx.get(sidecar.url + "/v1/nowhere", headers=AUTH).status_code == 404
    lines = sidecar.stopped()
    # Not a terminal: no time, no colour. The control plane's requests count too.
    assert lines[0].startswith("POST /__fake__/faults 200 ")
    assert lines[1].startswith(f"GET {BATCH} 503 ") and lines[1].endswith(" fault=0")
    assert lines[-1].startswith(SUMMARY + "4 requests, 2 errors, 1 fault injected, ")
    assert re.fullmatch(r".* \d+ client findings?", lines[-1])


def test_a_json_log_stops_with_its_summary_in_json(tmp_path: Path, sidecars: list[Sidecar]) -> None:
    sidecar = start_sidecar(tmp_path, "--port", "0", "--log-format", "json")
    sidecars.append(sidecar)
    httpx.get(sidecar.url + BATCH, headers=AUTH)
    summary = json.loads(sidecar.stopped()[-1])
    assert summary["message"].startswith(SUMMARY + "1 request, 0 errors")
    assert (summary["requests"], summary["errors"], summary["faults_injected"]) == (1, 0, 0)
    assert summary["client_findings"] == 0
