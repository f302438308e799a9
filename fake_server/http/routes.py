"""Which operation a request is for: matched once, before anything else happens.

Every provider operation is served under each dialect's prefix; the control
plane lives under ``/__fake__``. A path that matches no route is an unknown
route; a path that matches only with another method is a wrong method. Both
are answers the pipeline gives, not exceptions raised from deep inside.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from fake_server.contract.dialects import DIALECTS, OPENAI, Dialect, dialect_for_path
from fake_server.http.admin_paths import ADMIN_PREFIX

if TYPE_CHECKING:
    from fake_server.http.context import Call

Handler = Callable[["Call"], Awaitable[Any]]


class Operation(NamedTuple):
    """An operation as a handler module declares it: the path after the prefix."""

    operation_id: str
    method: str
    path: str
    handler: Handler
    # The dialects (by name) serving it; None: every one.
    dialects: frozenset[str] | None = None


class Route(NamedTuple):
    operation_id: str
    method: str
    template: str
    handler: Handler
    # None for the control plane, which speaks no provider's dialect.
    dialect: Dialect | None
    # Control-plane routes anyone may call, even when an admin token is set.
    open: bool = False
    # Control-plane reads that act on an existing session only, never creating one.
    observes: bool = False
    # The inspector page: it may take the admin token from its URL, once.
    token_in_query: bool = False


class Match(NamedTuple):
    """What a request resolved to; ``route`` is None for an unknown route or wrong method."""

    route: Route | None
    path_params: dict[str, str]
    dialect: Dialect
    wrong_method: bool = False


class _Segment(NamedTuple):
    """One segment of a template: a literal, or a parameter with an optional literal suffix."""

    literal: str | None
    param: str | None = None
    suffix: str = ""


class _Compiled(NamedTuple):
    route: Route
    segments: tuple[_Segment, ...]


# Matches remembered by (method, path): a client calls the same few paths
# again and again. Bounded in entries and in the length of a remembered
# method and path, so a client sending endless distinct paths costs at most
# MAX_REMEMBERED * MAX_REMEMBERED_PATH characters.
MAX_REMEMBERED = 2048
MAX_REMEMBERED_PATH = 256


class Router:
    """Routes indexed by their number of path segments; matched segment by segment.

    A dozen routes share each length at most, and comparing a few short
    strings costs less than running a regular expression per route. A match
    is a pure function of the method and the path, so it is remembered
    (bounded): a path seen before costs one dict lookup. A remembered
    ``Match`` is shared between requests; nothing changes its parameters.
    """

    def __init__(self, routes: Iterable[Route]) -> None:
        self._by_length: dict[int, list[_Compiled]] = {}
        for route in routes:
            segments = tuple(_segment(part) for part in route.template.split("/"))
            self._by_length.setdefault(len(segments), []).append(_Compiled(route, segments))
        self._remembered: dict[tuple[str, str], Match] = {}

    def match(self, method: str, path: str, *, slash_encoded: bool = False) -> Match:
        """The route of ``path``. A path whose raw form sent a slash encoded
        (``slash_encoded``, see ``encodes_a_slash``) names no route, not the one
        its decoded form leads to: an id holds no slash."""
        if slash_encoded:
            return Match(None, {}, dialect_for_path(path))
        key = (method, path)
        found = self._remembered.get(key)
        if found is not None:
            return found
        found = self._scan(method, path)
        if len(path) + len(method) <= MAX_REMEMBERED_PATH:
            remembered = self._remembered
            if len(remembered) >= MAX_REMEMBERED:
                remembered.clear()  # start again: cheaper than tracking use
            remembered[key] = found
        return found

    def _scan(self, method: str, path: str) -> Match:
        parts = path.split("/")
        wrong_method = False
        for candidate in self._by_length.get(len(parts), ()):
            params = _fit(candidate.segments, parts)
            if params is None:
                continue
            route = candidate.route
            if route.method != method:
                wrong_method = True
                continue
            return Match(route, params, route.dialect or OPENAI)
        return Match(None, {}, dialect_for_path(path), wrong_method)


def encodes_a_slash(raw_path: bytes) -> bool:
    """Whether a path, as sent, holds ``%2F``: a slash inside a segment, which the
    decoded path would turn into a separator."""
    return b"%2" in raw_path and b"%2f" in raw_path.lower()


def _segment(part: str) -> _Segment:
    if part.startswith("{") and "}" in part:
        name, _, suffix = part[1:].partition("}")
        return _Segment(None, name, suffix)
    return _Segment(part)


def _fit(segments: Sequence[_Segment], parts: Sequence[str]) -> dict[str, str] | None:
    """The template's parameters if ``parts`` fit it; a parameter is never empty."""
    params: dict[str, str] = {}
    for segment, part in zip(segments, parts, strict=True):
        if segment.literal is not None:
            if segment.literal != part:
                return None
            continue
        suffix = segment.suffix
        if len(part) <= len(suffix) or not part.endswith(suffix):
            return None
        assert segment.param is not None
        params[segment.param] = part[: len(part) - len(suffix)] if suffix else part
    return params


def provider_routes(operations: Iterable[Operation]) -> list[Route]:
    """Every operation under every dialect's prefix."""
    operations = list(operations)
    return [
        Route(op.operation_id, op.method, dialect.prefix + op.path, op.handler, dialect)
        for dialect in DIALECTS
        for op in operations
        if op.dialects is None or dialect.name in op.dialects
    ]


def admin_routes(
    operations: Iterable[Operation],
    open_operations: frozenset[str],
    observing_operations: frozenset[str] = frozenset(),
    token_in_query_operations: frozenset[str] = frozenset(),
) -> list[Route]:
    return [
        Route(
            op.operation_id,
            op.method,
            ADMIN_PREFIX + op.path,
            op.handler,
            None,
            op.operation_id in open_operations,
            op.operation_id in observing_operations,
            op.operation_id in token_in_query_operations,
        )
        for op in operations
    ]
