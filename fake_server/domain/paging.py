"""Cursor pagination as the API does it: ``limit``, ``order``, ``after``, ``before``."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from enum import StrEnum
from typing import Generic, NamedTuple, TypeVar

from fake_server import defaults
from fake_server.domain.errors import InvalidRequestError, quoted

Item = TypeVar("Item")


class SortOrder(StrEnum):
    ASC = "asc"
    DESC = "desc"


class PageQuery(NamedTuple):
    limit: int = defaults.PAGE_SIZE
    order: SortOrder = SortOrder.DESC
    after: str | None = None
    before: str | None = None


class Page(NamedTuple, Generic[Item]):
    items: list[Item]
    has_more: bool


def paginate(
    items: Sequence[Item],
    positions: Mapping[str, int],
    query: PageQuery,
    keep: Callable[[Item], bool] | None = None,
) -> Page[Item]:
    """One page of ``items`` (kept in creation order), walked lazily: O(limit).

    ``positions`` maps an id to its index in ``items`` so cursors are found
    without a scan; ``keep``, if given, filters the items (then the walk goes
    on until the page is full).
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
    chosen: list[Item]
    if keep is None:
        window = walk[: limit + 1]
        chosen = [items[index] for index in window[:limit]]
        has_more = len(window) > limit
    else:
        chosen, has_more = [], False
        for index in walk:
            item = items[index]
            if not keep(item):
                continue
            if len(chosen) == limit:
                has_more = True
                break
            chosen.append(item)
    return Page(chosen[::-1] if backwards else chosen, has_more)
