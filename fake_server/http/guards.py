"""Who may reach fake_server at all, decided before anything else reads a request.

Two browser threats, one answer each:

- **DNS rebinding.** A page of ``attacker.example`` whose name is made to
  resolve to 127.0.0.1 talks to the fake as its own origin, so the browser
  lets it read every answer; but its requests still say ``Host:
  attacker.example``. Every request must name the server by a name it
  answers to: a loopback name, the address the connection arrived on (for
  the in-process transport, its URL's host), or a name given with
  ``--allowed-host`` (``*``: any name).
- **Simple cross-site requests.** Any page may send a POST with a form
  encoding or ``text/plain`` anywhere without asking first (no CORS
  preflight), with the user's cookies; the browser labels it with
  ``Origin``. A change to the control plane must come from the server's own
  origin or from no browser at all (no ``Origin``), and carry a body type
  that a page cannot send without a preflight.

Refusals are 403 in the provider's envelope, before auth: a refused request
learns nothing about tokens or sessions.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Iterable, Mapping

from starlette.types import Scope

from fake_server.domain.errors import quoted
from fake_server.http.errors import ApiError

ANY_HOST = "*"
LOOPBACK_NAME = "localhost"
DEFAULT_PORTS = {"http": 80, "https": 443}
SAFE_METHODS = frozenset({"GET", "HEAD"})
# A Host (or an Origin's host and port) as a browser sends it: a DNS name or
# an IPv4 address, or an IPv6 address in brackets; a port of up to 5 digits.
_HOST = re.compile(
    r"(?:\[(?P<ipv6>[0-9A-Fa-f:.]+)\]|(?P<name>[A-Za-z0-9._-]+))(?::(?P<port>[0-9]{1,5}))?"
)
# Parsed Host values, remembered: a client sends the same one every time.
MAX_REMEMBERED_HOSTS = 256
MAX_REMEMBERED_HOST_BYTES = 300

Address = tuple[str, int | None]
_hosts: dict[bytes, tuple[Address, bool] | None] = {}


def refusal(
    scope: Scope,
    index: Mapping[bytes, bytes],
    method: str,
    admin: bool,
    *,
    body_types: tuple[str, ...],
    allowed_hosts: tuple[str, ...],
) -> ApiError | None:
    """Why the request must be refused (403), or None if it may go on.

    ``index``: the request's headers by name (``headers.index_headers``);
    ``admin``: the path is the control plane's (``admin_paths.is_admin_path``);
    ``body_types``: what the route's operation takes as a body (``Operation.body_types``).
    """
    listed = scope["headers"]
    host = index.get(b"host")
    if host is not None and len(index) == len(listed):
        # Nothing sent twice (the usual request): the index holds every value.
        hosts = [host]
        known = _hosts.get(host)
    else:
        hosts = _values(listed, b"host")
        known = None
    if known is not None and known[1]:
        # The usual Host: a loopback name seen before. One lookup decides it.
        own: Address | None = known[0]
    elif hosts:
        own = _host_of(hosts, scope.get("server"), allowed_hosts)
        if own is None:
            return _forbidden_host(hosts)
    else:
        # HTTP/1.0 may name no host; no browser sends such a request.
        own = _server_address(scope.get("server"))
    if not admin or method in SAFE_METHODS:
        return None
    return _origin_refusal(scope, own) or _body_type_refusal(listed, body_types)


def _host_of(hosts: list[bytes], server: object, allowed_hosts: tuple[str, ...]) -> Address | None:
    """The name and port the Host header names, if the server answers to that name."""
    if len(hosts) > 1:
        return None
    known = _parse_host(hosts[0])
    if known is None:
        return None
    address, loopback = known
    if loopback:
        return address
    name = address[0]
    extra = _names(allowed_hosts)
    if ANY_HOST in extra or name in extra:
        return address
    own = _server_address(server)
    return address if own is not None and own[0] == name else None


def _origin_refusal(scope: Scope, own: Address | None) -> ApiError | None:
    origins = _values(scope["headers"], b"origin")
    if not origins:
        return None  # no browser sent this: curl, an SDK, a test
    if len(origins) == 1 and own is not None:
        scheme = str(scope.get("scheme") or "http").lower()
        expected = (scheme, own[0], own[1] or DEFAULT_PORTS.get(scheme))
        if _parse_origin(origins[0]) == expected:
            return None
    shown = _shown(origins)
    return ApiError(
        403,
        f"Origin {shown} may not change fake_server's control plane: only the server's "
        "own pages (the inspector) and clients that send no Origin (curl, SDKs, tests) may.",
        code="forbidden_origin",
    )


def _body_type_refusal(
    headers: Iterable[tuple[bytes, bytes]], accepted: tuple[str, ...]
) -> ApiError | None:
    sent = _values(headers, b"content-type")
    if not sent:
        return None  # no body, or bytes nothing declares: a form always declares its type
    if len(sent) == 1:
        essence = sent[0].decode("latin-1").partition(";")[0].strip().lower()
        if essence in accepted:
            return None
    shown = _shown(sent)
    return ApiError(
        403,
        f"Content-Type {shown} is not accepted by fake_server's control plane here: "
        f"send {', '.join(accepted)}, or no body (a web page may send form "
        "encodings and text/plain to any server without asking first).",
        code="forbidden_content_type",
    )


def _forbidden_host(hosts: list[bytes]) -> ApiError:
    shown = _shown(hosts)
    return ApiError(
        403,
        f"Host {shown} is not a name this server answers to (a page on another site may "
        "have made its name point here): use localhost, a loopback address or the "
        "address it listens on, or start it with --allowed-host NAME.",
        code="forbidden_host",
    )


def _values(headers: Iterable[tuple[bytes, bytes]], name: bytes) -> list[bytes]:
    """Every value of header ``name``: a browser sends each of these once."""
    return [value for key, value in headers if key == name]


def _shown(values: list[bytes]) -> str:
    if len(values) > 1:
        return "(sent more than once)"
    return quoted(values[0].decode("latin-1"))


def _parse_host(raw: bytes) -> tuple[Address, bool] | None:
    """The address a Host value names and whether it is a loopback one; None if malformed."""
    if raw in _hosts:
        return _hosts[raw]
    address = _address(raw.decode("latin-1"))
    parsed = None
    if address is not None:
        name = address[0]
        parsed = address, name == LOOPBACK_NAME or _is_loopback_address(name)
    if len(raw) <= MAX_REMEMBERED_HOST_BYTES:
        if len(_hosts) >= MAX_REMEMBERED_HOSTS:
            _hosts.clear()
        _hosts[raw] = parsed
    return parsed


def _address(text: str) -> Address | None:
    """The host (lowercase, brackets and a final dot dropped) and port of a Host value."""
    match = _HOST.fullmatch(text.strip())
    if match is None:
        return None
    name = (match["ipv6"] or match["name"]).lower().removesuffix(".")
    port = match["port"]
    if port is not None and int(port) > 65535:
        return None
    return name, None if port is None else int(port)


def _parse_origin(raw: bytes) -> tuple[str, str, int | None] | None:
    scheme, separator, rest = raw.decode("latin-1").partition("://")
    scheme = scheme.lower()
    if not separator or scheme not in DEFAULT_PORTS:
        return None  # "null", a file: page, a malformed value
    address = _address(rest)
    if address is None:
        return None
    name, port = address
    return scheme, name, port or DEFAULT_PORTS[scheme]


def _server_address(server: object) -> Address | None:
    """The address the connection arrived on (ASGI's ``server``), as a Host names it."""
    if not isinstance(server, list | tuple) or not server or not isinstance(server[0], str):
        return None
    port = server[1] if len(server) > 1 and isinstance(server[1], int) else None
    return server[0].lower().strip("[]"), port


def _is_loopback_address(name: str) -> bool:
    if not name[:1].isdigit() and ":" not in name:
        return False
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


@functools.cache
def _names(allowed_hosts: tuple[str, ...]) -> frozenset[str]:
    """The names of ``--allowed-host``, as Host values are compared; an unspecified
    address (0.0.0.0, ::) names no host."""
    names = set()
    for given in allowed_hosts:
        if given.strip() == ANY_HOST:
            names.add(ANY_HOST)
            continue
        address = _address(given)
        if address is None and ":" in given:
            address = _address(f"[{given}]")  # an IPv6 address as --host takes it
        if address is not None and not _is_unspecified(address[0]):
            names.add(address[0])
    return frozenset(names)


def _is_unspecified(name: str) -> bool:
    try:
        return ipaddress.ip_address(name).is_unspecified
    except ValueError:
        return False
