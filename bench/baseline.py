"""The baseline: a bare Starlette app answering fixed bytes on fake_server's paths.

It does what a hand-written stub would: no state, no validation, no journal.
Run as ``python bench/baseline.py --port 0``; it prints the same readiness
line as ``fake-server serve``.
"""

from __future__ import annotations

import argparse
import asyncio
import socket

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

BATCH = (
    b'{"id": "vsfb_abc123", "object": "vector_store.file_batch", "created_at": 1704067200, '
    b'"vector_store_id": "vs_abc123", "status": "cancelled", "file_counts": {"in_progress": 0, '
    b'"completed": 0, "failed": 0, "cancelled": 3, "total": 3}}'
)
HEALTH = b'{"status": "ok"}'


async def batch(request: Request) -> Response:
    return Response(BATCH, media_type="application/json")


async def files(request: Request) -> Response:
    return Response(FILES, media_type="application/json")


async def health(request: Request) -> Response:
    return Response(HEALTH, media_type="application/json")


def _file(index: int) -> bytes:
    return (
        b'{"id": "file-%05d", "object": "vector_store.file", "usage_bytes": 0, '
        b'"created_at": 1704067200, "vector_store_id": "vs_abc123", "status": "in_progress", '
        b'"last_error": null, "chunking_strategy": {"type": "static", "static": '
        b'{"max_chunk_size_tokens": 800, "chunk_overlap_tokens": 400}}}' % index
    )


FILES = (
    b'{"object": "list", "data": ['
    + b", ".join(_file(i) for i in range(100))
    + b'], "first_id": "file-00000", "last_id": "file-00099", "has_more": true}'
)

PREFIX = "/v1/vector_stores/{vector_store_id}/file_batches"
app = Starlette(
    routes=[
        Route("/__fake__/health", health),
        Route(PREFIX, batch, methods=["POST"]),
        Route(PREFIX + "/{batch_id}", batch),
        Route(PREFIX + "/{batch_id}/cancel", batch, methods=["POST"]),
        Route(PREFIX + "/{batch_id}/files", files),
    ]
)


def serving_stack(config: uvicorn.Config) -> str:
    """As fake_server's readiness line says it (not imported: it would slow this start)."""
    loop = type(asyncio.get_running_loop()).__module__.partition(".")[0]
    http = "httptools" if "HttpTools" in config.http_protocol_class.__name__ else "h11"
    return f"{'uvloop' if loop == 'uvloop' else 'asyncio'} + {http}"


class _Announcing(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, line: str) -> None:
        super().__init__(config)
        self._line = line

    async def startup(self, sockets: list[object] | None = None) -> None:  # type: ignore[override]
        await super().startup(sockets)  # type: ignore[arg-type]
        print(f"{self._line} (stack: {serving_stack(self.config)})", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    # auto: uvloop + httptools, the stack fake_server ships with; asyncio and
    # h11 show what plain uvicorn gives.
    parser.add_argument("--loop", choices=["auto", "uvloop", "asyncio"], default="auto")
    parser.add_argument("--http", choices=["auto", "httptools", "h11"], default="auto")
    # fake_server's protocol, answers in one write: what that alone is worth.
    parser.add_argument("--one-write", action="store_true")
    args = parser.parse_args()
    http = args.http
    if args.one_write:
        from fake_server.serve.one_write import protocol_for  # noqa: PLC0415 -- only when asked

        http = protocol_for(args.http)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    host, port = sock.getsockname()
    config = uvicorn.Config(
        app,
        loop=args.loop,
        http=http,
        lifespan="off",
        log_level="warning",
        access_log=False,
    )
    _Announcing(config, f"baseline ready on http://{host}:{port}").run(sockets=[sock])


if __name__ == "__main__":
    main()
