"""Rendering: a list page joined from encoded items is exactly the page encoded whole."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from fake_server.domain.model import FileStatus, VectorStoreFile
from fake_server.http.render import (
    EncodedList,
    encode,
    encoded_vector_store_file,
    vector_store_file,
)

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


def test_a_file_is_encoded_once_per_status() -> None:
    file = VectorStoreFile("file-1", "vs_1", 100, FileStatus.IN_PROGRESS, finishes_at=160.0)
    before = encoded_vector_store_file(file.view(120.0))
    assert encoded_vector_store_file(file.view(130.0)) is before
    after = encoded_vector_store_file(file.view(170.0))
    assert json.loads(after) == vector_store_file(file.view(170.0))
    assert json.loads(after)["status"] == "completed"

    cancelled = VectorStoreFile("file-2", "vs_1", 100, FileStatus.IN_PROGRESS, finishes_at=160.0)
    assert json.loads(encoded_vector_store_file(cancelled.view(120.0)))["status"] == "in_progress"
    cancelled.status = FileStatus.CANCELLED
    assert json.loads(encoded_vector_store_file(cancelled.view(121.0)))["status"] == "cancelled"
