"""Profile one operation end to end (pyinstrument, from the bench extra).

    .venv/bin/python bench/profile_request.py                   # cancel, through uvicorn, under wrk
    .venv/bin/python bench/profile_request.py --asgi            # cancel, the ASGI app alone
    .venv/bin/python bench/profile_request.py --op retrieve --seconds 5
    .venv/bin/python bench/profile_request.py --asgi --op create --count 5000

``--op create`` adds a batch to one vector store per request, so a long run
also profiles the collector's young collections over the growing state.

``--asgi`` drives fake_server's app directly with ready-made ASGI messages:
only fake_server's own work shows. Without it, ``fake-server serve``'s
server (uvicorn on the default stack, request log on, written to a
temporary file) runs in this process under the profiler while ``wrk``
loads it from another core, so the server's share shows too. Only
127.0.0.1; every loop is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

import uvicorn
from pyinstrument import Profiler

from fake_server import create_app
from fake_server.http import access_log
from fake_server.serve.collector import Collector
from fake_server.serve.one_write import protocol_for
from fake_server.serve.sockets import base_url, bind_socket

BATCH = "/v1/vector_stores/vs_abc123/file_batches/vsfb_abc123"
# name: (method, path, request body)
OPERATIONS = {
    "cancel": ("POST", BATCH + "/cancel", b""),
    "retrieve": ("GET", BATCH, b""),
    "list": ("GET", BATCH + "/files", b""),
    "create": (
        "POST",
        "/v1/vector_stores/vs_abc123/file_batches",
        b'{"file_ids": ["file-abc123"]}',
    ),
}
HEADERS = [
    (b"host", b"127.0.0.1"),
    (b"authorization", b"Bearer bench"),
    (b"content-type", b"application/json"),
]


def profile_asgi(method: str, path: str, body: bytes, count: int) -> Profiler:
    app = create_app()
    scope: dict[str, Any] = {
        "type": "http",
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        # A body's length only when there is one, as clients send it.
        "headers": [*HEADERS, *([(b"content-length", str(len(body)).encode())] if body else [])],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 8080),
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        return None

    async def drive() -> None:
        for _ in range(count):
            await app(dict(scope), receive, send)

    profiler = Profiler(interval=0.0001)
    with profiler:
        asyncio.run(drive())
    return profiler


def profile_server(method: str, path: str, body: bytes, seconds: int) -> Profiler:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    with tempfile.NamedTemporaryFile("w", suffix=".log") as log_file:
        # The request log on, written as `fake-server serve` writes it, into a file.
        access_log.logger.setLevel(logging.INFO)
        access_log.writer = access_log.LineWriter(log_file, "text")
        sock = bind_socket("127.0.0.1", 0)
        config = uvicorn.Config(
            create_app(),
            http=protocol_for("auto"),  # as `fake-server serve`: one write an answer
            lifespan="off",
            log_level="warning",
            access_log=False,
            server_header=False,
        )
        server = uvicorn.Server(config)
        url = base_url(sock) + path
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(f'wrk.method = "{method}"\nwrk.headers["Authorization"] = "Bearer b"\n')
            if body:
                script.write('wrk.headers["Content-Type"] = "application/json"\n')
                script.write(f"wrk.body = {json.dumps(body.decode())}\n")

        def load() -> None:
            time.sleep(0.5)
            command = ["wrk", "-t1", "-c16", f"-d{seconds}s", "-s", script.name, url]
            if shutil.which("taskset"):
                command = ["taskset", "-c", "1", *command]
            out = subprocess.run(
                command, capture_output=True, text=True, timeout=seconds + 30, check=False
            )
            print(out.stdout, file=sys.stderr)
            server.should_exit = True

        loader = threading.Thread(target=load, daemon=True)
        profiler = Profiler(interval=0.0001, async_mode="disabled")
        # The cyclic collector as `fake-server serve` runs it (no idle check:
        # the load never pauses).
        collector = Collector()
        collector.start()
        loader.start()
        with profiler:
            server.run(sockets=[sock])
        collector.stop()
        loader.join(seconds + 40)
        os.unlink(script.name)
        sock.close()
    return profiler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--op", choices=sorted(OPERATIONS), default="cancel")
    parser.add_argument("--asgi", action="store_true", help="the ASGI app alone, no server")
    parser.add_argument("--count", type=int, default=20_000, help="requests (--asgi)")
    parser.add_argument("--seconds", type=int, default=5, help="load duration (server)")
    parser.add_argument("--html", metavar="FILE", help="also write pyinstrument's HTML here")
    args = parser.parse_args()
    method, path, body = OPERATIONS[args.op]
    if args.asgi:
        profiler = profile_asgi(method, path, body, args.count)
    else:
        profiler = profile_server(method, path, body, args.seconds)
    print(profiler.output_text(unicode=True, color=False, show_all=False))
    if args.html:
        Path(args.html).write_text(profiler.output_html())


if __name__ == "__main__":
    main()
