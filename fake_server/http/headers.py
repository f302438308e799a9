"""Request headers by name, read once per request.

Starlette's ``request.headers`` scans the raw header list on every lookup;
the hot path asks for several headers, so they are indexed once.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import Scope

INDEX_KEY = "fake_server.headers"


def header(request: Request, name: bytes) -> str | None:
    """The first value of header ``name`` (lowercase bytes, as ASGI gives them)."""
    value = raw_headers(request).get(name)
    return None if value is None else value.decode("latin-1")


def raw_headers(request: Request) -> dict[bytes, bytes]:
    """Every request header, by lowercase name, first value; built once per request."""
    index: dict[bytes, bytes] | None = request.scope.get(INDEX_KEY)
    if index is None:
        index = index_headers(request.scope)
    return index


def index_headers(scope: Scope) -> dict[bytes, bytes]:
    """Index the scope's headers (first value of each name wins) and keep the index in it."""
    listed = scope["headers"]
    if not isinstance(listed, list | tuple):
        listed = list(listed)
    # Built in C: read back to front, the first value of a name is set last.
    index: dict[bytes, bytes] = dict(reversed(listed))
    scope[INDEX_KEY] = index
    return index
