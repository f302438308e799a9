"""Which operation a request is for: matched once, before anything else happens.

Every provider operation is served under each dialect's prefix; the control
plane lives under ``/__fake__``. A path that matches no route is an unknown
route; a path that matches only with another method is a wrong method. Both
are answers the pipeline gives, not exceptions raised from deep inside.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Generic, NamedTuple, TypeVar

from fake_server.contract.dialects import DIALECTS, OPENAI, Dialect, dialect_for_path
from fake_server.contract.operations import CONTROL_OPERATIONS, PROVIDER_OPERATIONS, Operation
from fake_server.http.admin_paths import ADMIN_PREFIX

# What a route leads to: the handler type is the caller's (``context.Handler``),
# so that matching knows nothing of a request.
H = TypeVar("H")


class Route(Generic[H]):
    """One operation under one prefix. Slotted, not a tuple: ``handler`` is set
    once more when a deferred handler finds its function (``binding``), so later
    requests call that function directly."""

    __slots__ = ("dialect", "handler", "operation", "operation_id", "refuses_expired", "template")

    def __init__(
        self,
        operation: Operation,
        template: str,
        handler: H,
        dialect: Dialect | None,
        refuses_expired: bool = False,
    ) -> None:
        self.operation = operation
        self.operation_id = operation.id
        self.template = template
        self.handler = handler
        # None for the control plane, which speaks no provider's dialect.
        self.dialect = dialect
        # The operation answers 410 for an expired store and the dialect says
        # so: the one place the two halves of that rule meet.
        self.refuses_expired = refuses_expired


class Match(NamedTuple, Generic[H]):
    """What a request resolved to; ``route`` is None for an unknown route or wrong method."""

    route: Route[H] | None
    path_params: dict[str, str]
    dialect: Dialect
    wrong_method: bool = False


class _Segment(NamedTuple):
    """One segment of a template: a literal, or a parameter with an optional literal suffix."""

    literal: str | None
    param: str | None = None
    suffix: str = ""


class _Compiled(NamedTuple, Generic[H]):
    route: Route[H]
    method: str
    segments: tuple[_Segment, ...]


# Matches remembered by (method, path): a client calls the same few paths
# again and again. Bounded in entries and in the length of a remembered
# method and path, so a client sending endless distinct paths costs at most
# MAX_REMEMBERED * MAX_REMEMBERED_PATH characters.
MAX_REMEMBERED = 2048
MAX_REMEMBERED_PATH = 256


class Router(Generic[H]):
    """Routes indexed by their number of path segments; matched segment by segment.

    A dozen routes share each length at most, and comparing a few short
    strings costs less than running a regular expression per route. A match
    is a pure function of the method and the path, so it is remembered
    (bounded): a path seen before costs one dict lookup. A remembered
    ``Match`` is shared between requests; nothing changes its parameters.
    """

    def __init__(self, routes: Iterable[Route[H]]) -> None:
        self._by_length: dict[int, list[_Compiled[H]]] = {}
        for route in routes:
            segments = tuple(_segment(part) for part in route.template.split("/"))
            compiled = _Compiled(route, route.operation.method, segments)
            self._by_length.setdefault(len(segments), []).append(compiled)
        self._remembered: dict[tuple[str, str], Match[H]] = {}

    def match(self, method: str, path: str, *, slash_encoded: bool = False) -> Match[H]:
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

    def _scan(self, method: str, path: str) -> Match[H]:
        parts = path.split("/")
        wrong_method = False
        for candidate in self._by_length.get(len(parts), ()):
            params = _fit(candidate.segments, parts)
            if params is None:
                continue
            if candidate.method != method:
                wrong_method = True
                continue
            route = candidate.route
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


def routes(handlers: Mapping[str, H]) -> list[Route[H]]:
    """Every provider operation under the prefix of each dialect serving it, then the
    control plane; ``handlers`` by operation id."""
    provider = [
        Route(
            op,
            dialect.prefix + op.path,
            handlers[op.id],
            dialect,
            op.gone_when_expired and dialect.expired_store_answers_gone,
        )
        for dialect in DIALECTS
        for op in PROVIDER_OPERATIONS
        if dialect.serves(op.extension)
    ]
    control = [
        Route(op, op.path if op.at_root else ADMIN_PREFIX + op.path, handlers[op.id], None)
        for op in CONTROL_OPERATIONS
    ]
    return provider + control
