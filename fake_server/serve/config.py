"""How uvicorn runs a fake_server app, for the thread runner and the process alike."""

from __future__ import annotations

import uvicorn
from starlette.types import ASGIApp
from uvicorn.config import LOGGING_CONFIG

from fake_server.serve.one_write import protocol_for

# How long requests still in flight when stopping starts get to finish before
# they are cancelled. The two runners stop for different people:
# - a process is stopped by a supervisor or a harness (SIGTERM, Ctrl-C) that
#   expects it gone within a second, as the README promises;
# - a thread is stopped by a test or a fixture, whose own requests may still
#   be running: they get longer, within the bound on joining the thread
#   (ServerThread's SHUTDOWN_TIMEOUT_SECONDS).
# A request held by a latency fault is answered at once in both, not cut off.
PROCESS_GRACE_SECONDS = 0.8
THREAD_GRACE_SECONDS = 4.0


def uvicorn_config(
    app: ASGIApp,
    *,
    grace_seconds: float,
    loop: str = "auto",
    http: str = "auto",
    uvicorn_log_level: str | None = None,
) -> uvicorn.Config:
    """uvicorn's configuration for ``app``, served on a socket the caller binds.

    ``loop`` and ``http`` are uvicorn's names (``auto``: uvloop and httptools
    where installed, else asyncio and h11). ``uvicorn_log_level`` lets uvicorn
    configure its own loggers at that level; without it, logging is left as
    the caller configured it.
    """
    return uvicorn.Config(
        app,
        loop=loop,
        # uvicorn's protocol for that parser, sending each response in one write.
        http=protocol_for(http),
        lifespan="off",
        log_config=LOGGING_CONFIG if uvicorn_log_level else None,
        log_level=uvicorn_log_level,
        access_log=False,  # fake_server logs each request itself, with its operation
        # "server: uvicorn" tells a client nothing about the API it is
        # faking; one header less is work saved on every response.
        server_header=False,
        # Nothing here reads the client's address, so X-Forwarded-For is not
        # worth a middleware pass on every request.
        proxy_headers=False,
        # uvicorn declares an int; it waits with asyncio, which takes any number.
        timeout_graceful_shutdown=grace_seconds,  # type: ignore[arg-type]
    )
