"""Helpers shared by the suite's test modules (fixtures live in conftest.py).

Test modules import from here, from ``tests.cases`` (the case tables) and
from fake_server; never from another test module.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from fake_server.testing.handle import TEST_API_KEY, FakeServer
from tests.cases.errors import Expected

REPO_ROOT = Path(__file__).resolve().parent.parent

# ``start_server(scenario=None, *, strict=True, server_contract=None, own=False, **app_options)``
StartServer = Callable[..., FakeServer]

# --- the error envelope ------------------------------------------------------


def assert_envelope(status: int, body: Any, expected: Expected) -> None:
    assert status == expected.status, body
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["type"] == expected.type
    assert error["param"] == expected.param
    assert error["code"] == expected.code
    assert expected.message_contains in error["message"]
    assert len(error["message"]) < 400, "client input is echoed cut short"


# --- the installed command ---------------------------------------------------

READY_TIMEOUT_SECONDS = 20
STOP_TIMEOUT_SECONDS = 10


def fake_server_command() -> list[str]:
    script = shutil.which("fake-server", path=str(Path(sys.executable).parent))
    assert script is not None, "the console script is installed with the package"
    return [script]


def run_check(*paths: str | Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The installed ``fake-server check`` on ``paths``, as a user runs it."""
    return subprocess.run(
        [*fake_server_command(), "check", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


class Sidecar:
    def __init__(self, process: subprocess.Popen[str], url: str) -> None:
        self.process = process
        self.url = url

    def lines(self) -> list[str]:
        """Stop the server and return what it wrote to stdout after the readiness line,
        up to the summary line it stops with (``stopped`` keeps that one)."""
        return [line for line in self.stopped() if SUMMARY not in line]

    def stopped(self) -> list[str]:
        """Stop the server and return every line it wrote after the readiness line."""
        self.process.send_signal(signal.SIGTERM)
        out, _ = self.process.communicate(timeout=STOP_TIMEOUT_SECONDS)
        return out.splitlines()


# How the line ``fake-server serve`` stops with begins (text, or a JSON message).
SUMMARY = "fake_server stopped: "


def start_sidecar(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> Sidecar:
    process = subprocess.Popen(
        [*fake_server_command(), "serve", *args],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    # The log's format holds from its first line: JSON logs say "ready" in JSON.
    message = json.loads(line)["message"] if line.startswith("{") else line
    assert message.startswith("fake_server ready on http://127.0.0.1:"), line + (
        process.stderr.read() if process.stderr else ""
    )
    return Sidecar(process, message.split()[3])


# --- raw HTTP/1.1 on a socket --------------------------------------------------

SOCKET_TIMEOUT_SECONDS = 10.0
RAW_BATCH = "/v1/vector_stores/vs_abc123/file_batches/vsfb_abc123"
# struct tcp_info (linux/tcp.h): tcpi_segs_in follows 136 bytes of older fields.
TCP_INFO: int = getattr(socket, "TCP_INFO", 0)
TCP_INFO_BYTES = 256
TCPI_SEGS_IN_OFFSET = 140
ONLY_WITH_TCP_INFO = pytest.mark.skipif(
    not sys.platform.startswith("linux") or not TCP_INFO,
    reason="counts segments with Linux's TCP_INFO",
)


def raw_request(method: str, path: str, body: bytes = b"", *extra: str) -> bytes:
    lines = [
        f"{method} {path} HTTP/1.1",
        "Host: 127.0.0.1",
        f"Authorization: Bearer {TEST_API_KEY}",
        f"Content-Length: {len(body)}",
        *extra,
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def read_answers(sock: socket.socket, count: int) -> list[bytes]:
    """``count`` whole answers (head and Content-Length body) read off ``sock``."""
    data, answers = b"", list[bytes]()
    for _ in range(10_000):
        if len(answers) == count:
            break
        head_end = data.find(b"\r\n\r\n")
        if head_end >= 0:
            head = data[:head_end].decode("latin-1").lower()
            length = int(head.partition("content-length: ")[2].split("\r\n")[0] or 0)
            end = head_end + 4 + length
            if len(data) >= end:
                answers.append(data[:end])
                data = data[end:]
                continue
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection early"
        data += chunk
    assert len(answers) == count
    return answers


def segments_received(sock: socket.socket) -> int:
    """TCP segments ``sock`` has received so far (Linux's ``tcpi_segs_in``)."""
    info = sock.getsockopt(socket.IPPROTO_TCP, TCP_INFO, TCP_INFO_BYTES)
    count: int = struct.unpack_from("I", info, TCPI_SEGS_IN_OFFSET)[0]
    return count


def segments_per_answer(url: str, answers: int = 50) -> float:
    """Segments per answer to ``answers`` retrieves, one at a time on one connection."""
    host, port = url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=SOCKET_TIMEOUT_SECONDS) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.sendall(raw_request("GET", RAW_BATCH))
        read_answers(sock, 1)  # the connection's own segments are behind us
        before = segments_received(sock)
        for _ in range(answers):
            sock.sendall(raw_request("GET", RAW_BATCH))
            (answer,) = read_answers(sock, 1)
            assert answer.startswith(b"HTTP/1.1 200 OK"), answer
        return (segments_received(sock) - before) / answers


def start_recorder(tmp_path: Path, *args: str) -> Sidecar:
    """``fake-server record`` on any free port; its URL read off the ready line."""
    process = subprocess.Popen(
        [*fake_server_command(), "record", "--port", "0", *args],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line.startswith("fake_server recording on http://127.0.0.1:"), line + (
        process.stderr.read() if process.stderr else ""
    )
    return Sidecar(process, line.split()[3])


# fake-server serve as a process with a ready file (tests/cli).
def serve(tmp_path: Path, *args: str, command: list[str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*(command or fake_server_command()), "serve", "--port", "0", *args],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def wait_for(path: Path, process: subprocess.Popen[str]) -> dict[str, object]:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while not path.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "no ready file"
        time.sleep(0.01)
    ready: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return ready


def stop(process: subprocess.Popen[str]) -> tuple[str, str]:
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=STOP_TIMEOUT_SECONDS)
    assert process.returncode == 0, err
    return out, err


# A test file for pytester, written from indented source (tests/plugin).
def write(pytester: pytest.Pytester, name: str, text: str) -> Path:
    path = pytester.path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


# --- the container image (tests/image) -----------------------------------------

IMAGE_PORT = "8080/tcp"
PODMAN_TIMEOUT_SECONDS = 120
CONTAINERS_CONF = REPO_ROOT / "tools" / "podman" / "containers.conf"


def podman_env() -> dict[str, str]:
    """podman's environment: the repository's containers.conf unless one is set."""
    return {"CONTAINERS_CONF": str(CONTAINERS_CONF), **os.environ}


def podman(*args: str, timeout: float = PODMAN_TIMEOUT_SECONDS) -> str:
    """Run podman; its output, stripped (an AssertionError with its stderr on failure)."""
    done = subprocess.run(
        ["podman", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=podman_env(),
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(f"podman {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout.strip()


class Running(NamedTuple):
    id: str
    url: str


@contextlib.contextmanager
def running(image: str, *options: str, args: tuple[str, ...] = ()) -> Iterator[Running]:
    """A container of ``image``, its port 8080 published on 127.0.0.1; removed after."""
    container = podman("run", "-d", "-p", "127.0.0.1::8080", *options, image, *args)
    try:
        port = podman("port", container, IMAGE_PORT).rsplit(":", 1)[1]
        yield Running(container, f"http://127.0.0.1:{port}")
    finally:
        with contextlib.suppress(AssertionError, subprocess.TimeoutExpired):
            podman("rm", "-f", "-t", "0", container)


def container_state(container: str) -> dict[str, Any]:
    """``podman inspect``'s State of a container."""
    found: list[dict[str, Any]] = json.loads(podman("inspect", container))
    state: dict[str, Any] = found[0]["State"]
    return state


def documented_file(page: str, name: str) -> str:
    """The example a docs page names ``<!-- file: NAME -->``, as the page shows it."""
    text = (REPO_ROOT / "docs" / page).read_text(encoding="utf-8")
    found = re.search(rf"<!-- file: {re.escape(name)} -->\n```\w*\n(.*?)```", text, re.S)
    assert found is not None, f"{page} shows no {name}"
    return found[1]
