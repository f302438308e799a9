"""Cursor pagination as the API does it: ``limit``, ``order``, ``after``, ``before``."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from fake_server.errors import InvalidRequestError, quoted

Item = TypeVar("Item")
View = TypeVar("View")


class SortOrder(StrEnum):
    ASC = "asc"
    DESC = "desc"


@dataclass(frozen=True, slots=True)
class PageQuery:
    limit: int = 20
    order: SortOrder = SortOrder.DESC
    after: str | None = None
    before: str | None = None


@dataclass(frozen=True, slots=True)
class Page(Generic[View]):
    items: list[View]
    has_more: bool


def paginate(
    items: Sequence[Item],
    positions: Mapping[str, int],
    query: PageQuery,
    view: Callable[[Item], View],
    keep: Callable[[View], bool] | None = None,
) -> Page[View]:
    """One page of ``items`` (kept in creation order), walked lazily: O(limit).

    ``positions`` maps an id to its index in ``items`` so cursors are found
    without a scan; ``view`` renders an item; ``keep``, if given, filters the
    rendered items (then the walk goes on until the page is full).
    """
    count = len(items)
    ascending = query.order is SortOrder.ASC

    def ordered_position(item_id: str, param: str) -> int:
        position = positions.get(item_id)
        if position is None:
            raise InvalidRequestError(
                f"Invalid '{param}': no object with id {quoted(item_id)} in this list.", param
            )
        return position if ascending else count - 1 - position

    start, stop = 0, count
    if query.after is not None:
        start = ordered_position(query.after, "after") + 1
    if query.before is not None:
        stop = ordered_position(query.before, "before")
    # A page that ends at a "before" cursor holds the items closest to it.
    backwards = query.before is not None and query.after is None
    walk = range(stop - 1, start - 1, -1) if backwards else range(start, stop)
    if not ascending:
        # Position p in newest-first order is index count - 1 - p in ``items``.
        walk = range(count - 1 - walk.start, count - 1 - walk.stop, -walk.step)
    limit = query.limit
    chosen: list[View]
    if keep is None:
        window = walk[: limit + 1]
        chosen = [view(items[index]) for index in window[:limit]]
        has_more = len(window) > limit
    else:
        chosen, has_more = [], False
        for index in walk:
            rendered = view(items[index])
            if not keep(rendered):
                continue
            if len(chosen) == limit:
                has_more = True
                break
            chosen.append(rendered)
    return Page(chosen[::-1] if backwards else chosen, has_more)
