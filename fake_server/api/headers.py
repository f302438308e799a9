"""Request headers by name, read once per request.

Starlette's ``request.headers`` scans the raw header list on every lookup;
the hot path asks for several headers, so they are indexed once.
"""

from __future__ import annotations

from starlette.requests import Request

INDEX_KEY = "fake_server.headers"


def header(request: Request, name: bytes) -> str | None:
    """The first value of header ``name`` (lowercase bytes, as ASGI gives them)."""
    index: dict[bytes, bytes] | None = request.scope.get(INDEX_KEY)
    if index is None:
        index = {}
        for key, value in request.scope["headers"]:
            index.setdefault(key, value)
        request.scope[INDEX_KEY] = index
    value = index.get(name)
    return None if value is None else value.decode("latin-1")
