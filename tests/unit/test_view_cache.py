"""Encodings kept outside the domain hold exactly as long as the state they encode."""

from __future__ import annotations

import json

import pytest

from fake_server.contract.dialects import OPENAI
from fake_server.domain.account import Account
from fake_server.domain.clock import VirtualClock
from fake_server.domain.model import FileBatch, VectorStore, VectorStoreFile
from fake_server.domain.paging import PageQuery, SortOrder
from fake_server.domain.uploads import UploadedFile
from fake_server.domain.views import BatchView, FileList, FileStatus, Snapshot
from fake_server.http.provider.view_cache import (
    MAX_PAGES_PER_LIST,
    RenderedFiles,
    ViewCache,
    finished_page,
)


def in_progress(file_id: str, seconds: float) -> VectorStoreFile:
    return VectorStoreFile(
        file_id, "vs_1", 1000, FileStatus.IN_PROGRESS, finishes_at=1000 + seconds
    )


def make_account() -> tuple[VirtualClock, Account]:
    clock = VirtualClock(1000)
    vector_store = VectorStore("vs_1", None, 1000)
    files = [in_progress("file-a", 10), in_progress("file-b", 20)]
    vector_store.add_batch(FileBatch("vsfb_1", "vs_1", 1000, files))
    upload = UploadedFile("file-a", "a.txt", 10, 1000, "assistants")
    return clock, Account(clock, [vector_store], [upload])


def batch_files(cache: ViewCache, account: Account) -> RenderedFiles:
    def read(earlier: Snapshot[FileList] | None) -> Snapshot[FileList]:
        return account.batch_files("vs_1", "vsfb_1", earlier=earlier)

    return cache.files("vs_1/vsfb_1", read)


def store_files(cache: ViewCache, account: Account) -> RenderedFiles:
    def read(earlier: Snapshot[FileList] | None) -> Snapshot[FileList]:
        return account.vector_store_files("vs_1", earlier=earlier)

    return cache.files("vs_1", read)


def statuses(rendered: RenderedFiles) -> dict[str, str]:
    return {json.loads(item.data)["id"]: json.loads(item.data)["status"] for item in rendered.items}


def test_encodings_are_reused_while_no_file_changes() -> None:
    clock, account = make_account()
    cache = ViewCache()
    first = batch_files(cache, account)
    clock.advance(9.5)
    assert batch_files(cache, account) is first


def test_a_file_finishing_on_the_clock_is_encoded_again_and_only_it() -> None:
    clock, account = make_account()
    cache = ViewCache()
    first = batch_files(cache, account)
    clock.advance(10)
    second = batch_files(cache, account)
    assert statuses(second) == {"file-a": "completed", "file-b": "in_progress"}
    assert second.items[1].data is first.items[1].data, "an unchanged file keeps its encoding"


@pytest.mark.parametrize("read", [batch_files, store_files])
def test_a_cancel_is_seen_at_once_through_every_cached_list(read: object) -> None:
    _, account = make_account()
    cache = ViewCache()
    assert callable(read)
    read(cache, account)
    account.cancel_batch("vs_1", "vsfb_1")
    assert statuses(read(cache, account)) == {"file-a": "cancelled", "file-b": "cancelled"}


def test_a_file_added_again_is_seen_at_once_in_the_vector_store_list() -> None:
    _, account = make_account()
    cache = ViewCache()
    assert statuses(store_files(cache, account)) == {
        "file-a": "in_progress",
        "file-b": "in_progress",
    }
    account.cancel_batch("vs_1", "vsfb_1")
    account.create_batch("vs_1", ["file-a"])
    assert statuses(store_files(cache, account)) == {"file-a": "in_progress", "file-b": "cancelled"}


def test_batch_bodies_are_encoded_once_per_state_and_dialect() -> None:
    _, account = make_account()
    cache = ViewCache()

    def read(earlier: Snapshot[BatchView] | None) -> Snapshot[BatchView]:
        return account.get_batch("vs_1", "vsfb_1", earlier=earlier)

    def cancel(earlier: Snapshot[BatchView] | None) -> Snapshot[BatchView]:
        return account.cancel_batch("vs_1", "vsfb_1", earlier=earlier)

    _, first = cache.batch("vs_1/vsfb_1", read, OPENAI)
    _, again = cache.batch("vs_1/vsfb_1", read, OPENAI)
    assert again.data is first.data
    view, cancelled = cache.batch("vs_1/vsfb_1", cancel, OPENAI)
    assert view.status is FileStatus.CANCELLED
    assert json.loads(cancelled.data)["file_counts"]["cancelled"] == 2
    _, cancelled_again = cache.batch("vs_1/vsfb_1", cancel, OPENAI)
    assert cancelled_again.data is cancelled.data, "a cancel that changes nothing changes no body"


def test_the_cache_stays_within_its_bounds() -> None:
    _, account = make_account()
    cache = ViewCache(max_files=2)
    first = batch_files(cache, account)
    store_files(cache, account)
    assert batch_files(cache, account) is not first, "the oldest entry went"


def test_a_finished_page_is_kept_per_query_and_goes_with_its_snapshot() -> None:
    clock, account = make_account()
    cache = ViewCache()
    files = batch_files(cache, account)
    first = finished_page(files, PageQuery(limit=1), None)
    assert finished_page(files, PageQuery(limit=1), None) is first
    assert finished_page(files, PageQuery(limit=2), None) is not first
    in_progress_only = finished_page(files, PageQuery(), FileStatus.IN_PROGRESS)
    assert in_progress_only is not finished_page(files, PageQuery(), None)
    clock.advance(10)
    later = batch_files(cache, account)
    assert later is not files
    assert finished_page(later, PageQuery(limit=1), None) is not first
    assert [json.loads(item)["id"] for item in first.page.items] == ["file-b"]
    assert json.loads(finished_page(later, PageQuery(), FileStatus.IN_PROGRESS).data)["data"] == [
        json.loads(item) for item in finished_page(files, PageQuery(limit=1), None).page.items
    ]


def test_finished_pages_are_bounded_per_list() -> None:
    _, account = make_account()
    files = batch_files(ViewCache(), account)
    queries = [
        PageQuery(limit=limit, order=order)
        for limit in range(1, MAX_PAGES_PER_LIST + 2)
        for order in SortOrder
    ]
    for query in queries:
        page = finished_page(files, query, None)
        assert page.data == page.page.to_json()
        assert len(files.pages) <= MAX_PAGES_PER_LIST
    assert finished_page(files, queries[-1], None) is files.pages[(queries[-1], None)]
    assert (queries[0], None) not in files.pages, "the oldest page went first"


def test_a_vector_store_changes_version_on_every_change_and_only_then() -> None:
    vector_store = VectorStore("vs_1", None, 1000)
    versions = [vector_store.version]
    vector_store.add_batch(FileBatch("vsfb_1", "vs_1", 1000, [in_progress("file-a", 10)]))
    versions.append(vector_store.version)
    vector_store.cancel_batch("vsfb_1", 1020)  # file-a finished at 1010: nothing to cancel
    assert vector_store.version == versions[-1]
    vector_store.add_files([in_progress("file-b", 10)])
    versions.append(vector_store.version)
    vector_store.cancel_batch("vsfb_1", 1000)
    versions.append(vector_store.version)
    assert len(set(versions)) == len(versions)
    assert VectorStore("vs_1", None, 1000).version not in versions, "unique in the process"


def test_a_file_status_cannot_be_set_from_outside() -> None:
    file = in_progress("file-a", 10)
    with pytest.raises(AttributeError):
        file.status = FileStatus.CANCELLED  # type: ignore[attr-defined]
    assert file.changes_after(1000) == 1010
    assert file.cancel(1000) and not file.cancel(1000)
    assert file.status_at(2000) is FileStatus.CANCELLED
