"""Rendering: a list page joined from encoded items is exactly the page encoded whole."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from fake_server.contract.dialects import DIALECTS, Dialect
from fake_server.domain.views import BatchView, FileCounts, FileStatus
from fake_server.http.provider.render import EncodedList, encode, encode_file_batch, file_batch

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=8,
)


@given(
    items=st.lists(st.dictionaries(st.text(max_size=8), json_values, max_size=4), max_size=5),
    first_id=st.text(),
    last_id=st.text(),
    has_more=st.booleans(),
)
def test_an_encoded_page_is_byte_for_byte_the_page_encoded_whole(
    items: list[dict[str, Any]], first_id: str, last_id: str, has_more: bool
) -> None:
    page = EncodedList([encode(item) for item in items], first_id, last_id, has_more)
    whole = {
        "object": "list",
        "data": items,
        "first_id": first_id,
        "last_id": last_id,
        "has_more": has_more,
    }
    assert page.to_json() == json.dumps(whole).encode()


@given(
    batch_id=st.text(),
    vector_store_id=st.text(),
    created_at=st.integers(),
    status=st.sampled_from(FileStatus),
    counts=st.tuples(*[st.integers(min_value=0, max_value=10**12)] * 4),
    dialect=st.sampled_from(DIALECTS),
)
def test_a_batch_body_is_byte_for_byte_its_encoding(  # noqa: PLR0917 -- one per drawn part
    batch_id: str,
    vector_store_id: str,
    created_at: int,
    status: FileStatus,
    counts: tuple[int, int, int, int],
    dialect: Dialect,
) -> None:
    view = BatchView(batch_id, vector_store_id, created_at, status, FileCounts(*counts))
    assert encode_file_batch(view, dialect) == encode(file_batch(view, dialect))
