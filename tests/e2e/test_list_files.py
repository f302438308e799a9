"""Listing the files of a batch: order, cursors, limit and filter, via both SDKs."""

from __future__ import annotations

import httpx
import pytest

from fake_server.testing.handle import TEST_API_KEY, FakeServer
from tests.helpers import StartServer

# Five files created a second apart, so creation order is unambiguous.
FIVE_FILES = """
clock: {mode: virtual, start: 1704067200}
vector_stores:
  - id: vs_list
    file_batches:
      - id: vsfb_list
        created_at: 1704067200
        files:
          - {id: file-1, created_at: 1704067201, status: completed}
          - {id: file-2, created_at: 1704067202, status: failed}
          - {id: file-3, created_at: 1704067203}
          - {id: file-4, created_at: 1704067204, status: completed}
          - {id: file-5, created_at: 1704067205}
"""


@pytest.fixture
def list_server(start_server: StartServer) -> FakeServer:
    return start_server(FIVE_FILES)


def ids(server: FakeServer, query: str) -> tuple[list[str], bool, str, str]:
    body = httpx.get(
        f"{server.url}/v1/vector_stores/vs_list/file_batches/vsfb_list/files?{query}",
        headers={"Authorization": f"Bearer {TEST_API_KEY}"},
    ).json()
    return (
        [item["id"] for item in body["data"]],
        body["has_more"],
        body["first_id"],
        body["last_id"],
    )


@pytest.mark.parametrize(
    ("query", "expected", "has_more"),
    [
        ("", ["file-5", "file-4", "file-3", "file-2", "file-1"], False),
        ("order=asc", ["file-1", "file-2", "file-3", "file-4", "file-5"], False),
        ("limit=2", ["file-5", "file-4"], True),
        ("limit=2&after=file-4", ["file-3", "file-2"], True),
        ("limit=2&after=file-2", ["file-1"], False),
        ("order=asc&limit=2&after=file-2", ["file-3", "file-4"], True),
        ("order=asc&before=file-3", ["file-1", "file-2"], False),
        ("order=asc&limit=1&before=file-3", ["file-2"], True),
        ("before=file-3", ["file-5", "file-4"], False),
        ("after=file-5&before=file-1", ["file-4", "file-3", "file-2"], False),
        ("filter=completed", ["file-4", "file-1"], False),
        ("filter=in_progress&order=asc", ["file-3", "file-5"], False),
        ("filter=cancelled", [], False),
        ("filter=completed&limit=1", ["file-4"], True),
        ("filter=completed&after=file-4", ["file-1"], False),
        ("limit=100", ["file-5", "file-4", "file-3", "file-2", "file-1"], False),
    ],
)
def test_pagination_and_filter(
    list_server: FakeServer, query: str, expected: list[str], has_more: bool
) -> None:
    got, more, first_id, last_id = ids(list_server, query)
    assert got == expected
    assert more is has_more
    assert first_id == (expected[0] if expected else "")
    assert last_id == (expected[-1] if expected else "")


def test_openai_sdk_auto_pagination_walks_every_file(list_server: FakeServer) -> None:
    pages = list_server.openai_client().vector_stores.file_batches.list_files(
        "vsfb_list", vector_store_id="vs_list", limit=2, order="asc"
    )
    assert [file.id for file in pages] == ["file-1", "file-2", "file-3", "file-4", "file-5"]


def test_failed_files_carry_last_error(list_server: FakeServer) -> None:
    listing = list_server.openai_client().vector_stores.file_batches.list_files(
        "vsfb_list", vector_store_id="vs_list", filter="failed"
    )
    (failed,) = listing.data
    assert failed.last_error is not None
    assert failed.last_error.code == "server_error"
    assert failed.usage_bytes == 0


def test_mka1_sdk_lists_with_cursor_and_filter(list_server: FakeServer) -> None:
    sdk = list_server.mka1_client()
    page = sdk.llm.vector_stores.list_files_in_batch(
        vector_store_id="vs_list", batch_id="vsfb_list", limit=2, order="asc", after="file-1"
    )
    assert [file.id for file in page.data] == ["file-2", "file-3"]
    assert page.has_more is True
    empty = sdk.llm.vector_stores.list_files_in_batch(
        vector_store_id="vs_list", batch_id="vsfb_list", filter_="cancelled"
    )
    assert empty.data == []
    assert empty.has_more is False


def test_listing_reflects_a_cancel(list_server: FakeServer) -> None:
    client = list_server.openai_client()
    client.vector_stores.file_batches.cancel("vsfb_list", vector_store_id="vs_list")
    cancelled = client.vector_stores.file_batches.list_files(
        "vsfb_list", vector_store_id="vs_list", filter="cancelled", order="asc"
    )
    assert [file.id for file in cancelled.data] == ["file-3", "file-5"]
