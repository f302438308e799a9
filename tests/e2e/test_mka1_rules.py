"""MKA1's own rules, as its SDK documents them: one content per store, 410 once expired."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from meetkai_mka1 import errors

from tests.helpers import StartServer

VIRTUAL = """
clock: {mode: virtual, start: 1704067200}
defaults: {processing_seconds: 0}
"""


def upload(sdk: object, name: str, content: bytes) -> str:
    file = sdk.files.upload(  # type: ignore[attr-defined]
        file={"file_name": name, "content": content}, purpose="assistants"
    )
    return str(file.id)


def test_a_duplicate_in_a_batch_fails_it_with_409_and_attaches_nothing(
    start_server: StartServer,
) -> None:
    sdk = start_server(VIRTUAL).mka1_client().llm
    store = sdk.vector_stores.create(name="docs")
    first, copy = upload(sdk, "a.txt", b"same"), upload(sdk, "b.txt", b"same")
    with pytest.raises(errors.SDKError) as raised:
        sdk.vector_stores.create_file_batch(vector_store_id=store.id, file_ids=[first, copy])
    assert raised.value.status_code == 409
    assert first in raised.value.body and copy in raised.value.body
    assert sdk.vector_stores.get(vector_store_id=store.id).file_counts.total == 0


def test_skip_duplicates_records_a_cancelled_row(start_server: StartServer) -> None:
    sdk = start_server(VIRTUAL).mka1_client().llm
    store = sdk.vector_stores.create(name="docs")
    first = upload(sdk, "a.txt", b"same")
    sdk.vector_stores.create_file(vector_store_id=store.id, file_id=first)
    copy, other = upload(sdk, "b.txt", b"same"), upload(sdk, "c.txt", b"other")

    batch = sdk.vector_stores.create_file_batch(
        vector_store_id=store.id, file_ids=[copy, other], skip_duplicates=True
    )
    assert (batch.file_counts.cancelled, batch.file_counts.in_progress) == (1, 1)
    done = sdk.vector_stores.get_file_batch(vector_store_id=store.id, batch_id=batch.id)
    assert done.status == "completed" and done.file_counts.completed == 1
    skipped = sdk.vector_stores.get_file(vector_store_id=store.id, file_id=copy)
    assert skipped.status == "cancelled"
    assert skipped.last_error is not None and skipped.last_error.code == "duplicate_file"
    assert first in skipped.last_error.message
    listed = sdk.vector_stores.list_files(vector_store_id=store.id).data
    assert {file.id: file.last_error.code for file in listed if file.last_error} == {
        copy: "duplicate_file"
    }


def test_a_skipped_copy_reads_as_a_plain_cancelled_file_through_openai(
    start_server: StartServer,
) -> None:
    server = start_server(VIRTUAL)
    sdk = server.mka1_client().llm
    store = sdk.vector_stores.create(name="docs")
    first, copy = upload(sdk, "a.txt", b"same"), upload(sdk, "b.txt", b"same")
    batch = sdk.vector_stores.create_file_batch(
        vector_store_id=store.id, file_ids=[first, copy], skip_duplicates=True
    )
    client = server.openai_client()
    # The OpenAI schema has no duplicate_file code: the row is cancelled, no error.
    row = client.vector_stores.files.retrieve(copy, vector_store_id=store.id)
    assert row.status == "cancelled" and row.last_error is None
    rows = client.vector_stores.file_batches.list_files(batch.id, vector_store_id=store.id)
    assert {file.id: file.last_error for file in rows} == {first: None, copy: None}
    # ...and MKA1 still sees its code, from its own encodings.
    listed = sdk.vector_stores.list_files_in_batch(vector_store_id=store.id, batch_id=batch.id)
    assert [file.last_error.code for file in listed.data if file.last_error] == ["duplicate_file"]


def test_a_single_attach_of_held_content_is_409(start_server: StartServer) -> None:
    server = start_server(VIRTUAL)
    sdk = server.mka1_client().llm
    store = sdk.vector_stores.create(name="docs")
    first, copy = upload(sdk, "a.txt", b"same"), upload(sdk, "b.txt", b"same")
    sdk.vector_stores.create_file(vector_store_id=store.id, file_id=first)
    with pytest.raises(errors.SDKError) as raised:
        sdk.vector_stores.create_file(vector_store_id=store.id, file_id=copy)
    assert raised.value.status_code == 409
    # The OpenAI dialect has no such rule.
    attached = server.openai_client().vector_stores.files.create(
        vector_store_id=store.id, file_id=copy
    )
    assert attached.id == copy


def test_an_expired_store_is_gone_in_mka1_and_expired_in_openai(
    start_server: StartServer,
) -> None:
    server = start_server(VIRTUAL)
    sdk = server.mka1_client().llm
    store = sdk.vector_stores.create(
        name="docs", expires_after={"anchor": "last_active_at", "days": 1}
    )
    httpx.post(f"{server.url}/__fake__/clock/advance", json={"seconds": 86400}).raise_for_status()
    calls: list[Callable[[], object]] = [
        lambda: sdk.vector_stores.get(vector_store_id=store.id),
        lambda: sdk.vector_stores.list_files(vector_store_id=store.id),
        lambda: sdk.vector_stores.search(vector_store_id=store.id, query="x"),
    ]
    for call in calls:
        with pytest.raises(errors.SDKError) as raised:
            call()
        assert raised.value.status_code == 410
    assert server.openai_client().vector_stores.retrieve(store.id).status == "expired"
    assert sdk.vector_stores.delete(vector_store_id=store.id).deleted
