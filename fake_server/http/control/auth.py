"""How a browser carries the admin token: once in the page's URL, then in a cookie.

``serve`` prints the inspector's URL with ``?token=...``; the page answers it
with a cookie holding the token (HttpOnly: no script reads it; SameSite=Strict:
no other site's page makes the browser send it; scoped to the control plane)
and a redirect to the URL without it, so the token never shows in the
address bar, the history or a later request line.
"""

from __future__ import annotations

from urllib.parse import quote, unquote

from starlette.requests import Request

from fake_server.http.admin_paths import ADMIN_PREFIX
from fake_server.http.headers import header

ADMIN_COOKIE = "fake_server_admin"
TOKEN_PARAM = "token"
# Sent by the page's own calls; see pipeline._admin_allowed for why.
INSPECTOR_HEADER = b"x-fake-inspector"


def query_token(request: Request) -> str | None:
    return request.query_params.get(TOKEN_PARAM)


def cookie_token(request: Request) -> str | None:
    raw = header(request, b"cookie")
    if raw is None:
        return None
    for part in raw.split(";"):
        name, _, value = part.strip().partition("=")
        if name == ADMIN_COOKIE and value:
            return unquote(value)
    return None


def set_cookie(token: str) -> str:
    """The Set-Cookie value that keeps ``token`` for the control plane's paths."""
    return f"{ADMIN_COOKIE}={quote(token, safe='')}; Path={ADMIN_PREFIX}; HttpOnly; SameSite=Strict"


def url_with_token(url: str, token: str | None) -> str:
    """``url`` carrying the admin token once, as ``serve`` prints it."""
    return url if token is None else f"{url}?{TOKEN_PARAM}={quote(token, safe='')}"
