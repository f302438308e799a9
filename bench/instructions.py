"""Instructions per in-process cancel, counted by callgrind: a cost that does not drift.

Timings on a shared machine move with whatever else runs; the number of
instructions one request executes does not. Each app answers ``small`` and
then ``large`` cancels through its ASGI callable in a child process run
under ``valgrind --tool=callgrind``; the difference of the two totals over
the difference of the counts is one cancel's instructions, start-up and
imports cancelled out. ``bench/run.py --only instructions`` reports it for
fake_server (request log on, as ``fake-server serve`` runs) and the bare
Starlette baseline.

    python bench/instructions.py child fake 500    # what callgrind runs
"""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

# Both apps are imported in every child: start-up cancels out of the count.
from baseline import app as baseline_app  # noqa: E402

from fake_server import create_app, default_scenario  # noqa: E402
from fake_server.http import access_log  # noqa: E402

CANCEL = "/v1/vector_stores/vs_abc123/file_batches/vsfb_abc123/cancel"
SCOPE: dict[str, Any] = {
    "type": "http",
    "asgi": {"version": "3.0"},
    "http_version": "1.1",
    "method": "POST",
    "scheme": "http",
    "path": CANCEL,
    "raw_path": CANCEL.encode(),
    "query_string": b"",
    "root_path": "",
    "headers": [
        (b"host", b"127.0.0.1:8080"),
        (b"authorization", b"Bearer bench"),
        (b"content-type", b"application/json"),
        (b"user-agent", b"bench"),
    ],
    "client": ("127.0.0.1", 50000),
    "server": ("127.0.0.1", 8080),
}
TIMEOUT_SECONDS = 600


def _app(which: str) -> Any:
    if which == "baseline":
        return baseline_app
    # Request lines on, as `fake-server serve` writes them (callgrind's
    # caller sends them to /dev/null).
    access_log.configure("text", "info")
    return create_app(default_scenario())


def child(which: str, count: int) -> None:
    """Answer ``count`` cancels; the parent counts what that took."""
    app = _app(which)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        return None

    async def answer_all() -> None:
        for _ in range(count):
            await app(dict(SCOPE, state={}), receive, send)

    asyncio.run(answer_all())


def instructions(which: str, count: int) -> int:
    """Every instruction a child answering ``count`` cancels executed."""
    command = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        __file__,
        "child",
        which,
        str(count),
    ]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=True,
        cwd=BENCH_DIR.parent,
    )
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        raise RuntimeError(f"callgrind reported no count for {which}: {done.stderr[-500:]}")
    return int(found.group(1))


def per_cancel(which: str, small: int = 500, large: int = 2500) -> float:
    return (instructions(which, large) - instructions(which, small)) / (large - small)


def available() -> bool:
    return shutil.which("valgrind") is not None


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "child":
        child(sys.argv[2], int(sys.argv[3]))
    else:
        print(f"{per_cancel('fake'):.0f} instructions per cancel (fake_server)")
