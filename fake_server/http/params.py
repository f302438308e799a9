"""Query parameters, parsed strictly: a bad value is a 400 naming the parameter."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import TypeVar

from starlette.datastructures import QueryParams

from fake_server import defaults
from fake_server.domain.errors import InvalidRequestError, quoted
from fake_server.domain.paging import PageQuery, SortOrder
from fake_server.domain.views import FileStatus

MIN_LIMIT, MAX_LIMIT, DEFAULT_LIMIT = defaults.MIN_LIMIT, defaults.MAX_LIMIT, defaults.PAGE_SIZE
INTEGER = re.compile(r"-?[0-9]{1,12}")

E = TypeVar("E", bound=StrEnum)

# The page and filter of a list query string, by its bytes: clients poll the
# same few queries. Bounded in entries and in the length of a remembered
# query string; only valid queries are remembered (a bad one is refused anew).
MAX_REMEMBERED_QUERIES = 256
MAX_REMEMBERED_QUERY_BYTES = 256
_pages: dict[bytes, tuple[PageQuery, FileStatus | None]] = {}


def page_and_status(raw: bytes) -> tuple[PageQuery, FileStatus | None]:
    """``page_query`` and ``status_filter`` of the raw query string ``raw``."""
    known = _pages.get(raw)
    if known is None:
        params = QueryParams(raw)
        known = page_query(params), status_filter(params)
        if len(raw) <= MAX_REMEMBERED_QUERY_BYTES:
            if len(_pages) >= MAX_REMEMBERED_QUERIES:
                _pages.clear()
            _pages[raw] = known
    return known


def page_query(params: QueryParams) -> PageQuery:
    return PageQuery(
        limit=_limit(single(params, "limit")),
        order=_choice(params, "order", SortOrder) or SortOrder.DESC,
        after=single(params, "after"),
        before=single(params, "before"),
    )


# listFiles pages as the spec says: 1 to 10,000 files, all of them by default.
MAX_FILES_LIMIT = 10_000


def files_page_query(params: QueryParams) -> PageQuery:
    return PageQuery(
        limit=_limit(single(params, "limit"), MAX_FILES_LIMIT, MAX_FILES_LIMIT),
        order=_choice(params, "order", SortOrder) or SortOrder.DESC,
        after=single(params, "after"),
    )


def status_filter(params: QueryParams) -> FileStatus | None:
    return _choice(params, "filter", FileStatus)


def single(params: QueryParams, name: str) -> str | None:
    values = params.getlist(name)
    if len(values) > 1:
        raise InvalidRequestError(
            f"Invalid '{name}': the parameter was given {len(values)} times.", name
        )
    return values[0] if values else None


def _limit(raw: str | None, default: int = DEFAULT_LIMIT, maximum: int = MAX_LIMIT) -> int:
    if raw is None:
        return default
    # Only ASCII digits: Python's int() would also take " 5" or full-width digits.
    if not INTEGER.fullmatch(raw):
        raise InvalidRequestError(
            f"Invalid 'limit': expected an integer, but got {quoted(raw)} instead.",
            "limit",
            "invalid_type",
        )
    value = int(raw)
    if value < MIN_LIMIT:
        raise InvalidRequestError(
            f"Invalid 'limit': integer below minimum value. Expected a value >= {MIN_LIMIT}, "
            f"but got {value} instead.",
            "limit",
            "integer_below_min_value",
        )
    if value > maximum:
        raise InvalidRequestError(
            f"Invalid 'limit': integer above maximum value. Expected a value <= {maximum}, "
            f"but got {value} instead.",
            "limit",
            "integer_above_max_value",
        )
    return value


def _choice(params: QueryParams, name: str, kind: type[E]) -> E | None:
    raw = single(params, name)
    if raw is None:
        return None
    try:
        return kind(raw)
    except ValueError:
        options = ", ".join(f"'{member.value}'" for member in kind)
        raise InvalidRequestError(
            f"Invalid value for '{name}': {quoted(raw)}. Supported values are: {options}.",
            name,
            "invalid_value",
        ) from None
