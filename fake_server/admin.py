"""The control plane under ``/__fake__``: not part of any provider's API."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fake_server.api.responder import send, start_timing

ADMIN_PREFIX = "/__fake__"


async def health(request: Request) -> Response:
    start_timing(request)
    return send(request, "fakeHealth", 200, {"status": "ok"})


ROUTES = [Route(ADMIN_PREFIX + "/health", health, methods=["GET"])]
