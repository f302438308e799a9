"""Cursor pagination against a plain reference: every order, cursor and filter."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from fake_server.domain.paging import PageQuery, SortOrder, paginate


def reference(ids: list[str], query: PageQuery, kept: set[str] | None) -> tuple[list[str], bool]:
    ordered = ids if query.order is SortOrder.ASC else ids[::-1]
    start = ordered.index(query.after) + 1 if query.after is not None else 0
    stop = ordered.index(query.before) if query.before is not None else len(ordered)
    window = [item for item in ordered[start:stop] if kept is None or item in kept]
    has_more = len(window) > query.limit
    if query.before is not None and query.after is None:
        return window[-query.limit :], has_more
    return window[: query.limit], has_more


@given(data=st.data(), count=st.integers(0, 12))
def test_pages_match_the_reference(data: st.DataObject, count: int) -> None:
    ids = [f"file-{index:02d}" for index in range(count)]
    cursor = st.none() | (st.sampled_from(ids) if ids else st.none())
    query = PageQuery(
        limit=data.draw(st.integers(1, 5)),
        order=data.draw(st.sampled_from(list(SortOrder))),
        after=data.draw(cursor),
        before=data.draw(cursor),
    )
    kept = data.draw(st.none() | st.sets(st.sampled_from(ids)) if ids else st.none())
    positions = {item: index for index, item in enumerate(ids)}
    keep = None if kept is None else kept.__contains__
    page = paginate(ids, positions, query, keep)
    assert (page.items, page.has_more) == reference(ids, query, kept)
