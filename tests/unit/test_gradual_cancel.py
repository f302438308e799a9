"""Gradual cancel and files that never finish, in the domain and through the view cache."""

from __future__ import annotations

import json

from fake_server.contract.dialects import OPENAI
from fake_server.domain.account import Account
from fake_server.domain.clock import VirtualClock
from fake_server.domain.model import NEVER, FileBatch, VectorStore, VectorStoreFile
from fake_server.domain.views import BatchView, FileCounts, FileStatus, Snapshot
from fake_server.http.provider.view_cache import ViewCache

START = 1000.0


def in_progress(file_id: str, seconds: float) -> VectorStoreFile:
    return VectorStoreFile(
        file_id, "vs_1", 1000, FileStatus.IN_PROGRESS, finishes_at=START + seconds
    )


def make_account(delay: float | None, *seconds: float) -> tuple[VirtualClock, Account]:
    clock = VirtualClock(START)
    vector_store = VectorStore("vs_1", None, 1000)
    files = [in_progress(f"file-{index}", value) for index, value in enumerate(seconds)]
    vector_store.add_batch(FileBatch("vsfb_1", "vs_1", 1000, files))
    return clock, Account(clock, [vector_store], cancel_delay=delay)


def counts(account: Account) -> FileCounts:
    return account.get_batch("vs_1", "vsfb_1").value.counts


def test_a_gradual_cancel_answers_the_batch_as_it_is() -> None:
    _, account = make_account(2, 1, 5, NEVER)
    view = account.cancel_batch("vs_1", "vsfb_1").value
    assert view.status is FileStatus.IN_PROGRESS
    assert view.counts == FileCounts(3, 0, 0, 0)


def test_files_reach_their_outcome_or_the_cancel_whichever_comes_first() -> None:
    clock, account = make_account(2, 1, 2, 5, NEVER)
    account.cancel_batch("vs_1", "vsfb_1")
    clock.advance(1)
    assert counts(account) == FileCounts(3, 1, 0, 0)
    clock.advance(0.999)
    assert counts(account) == FileCounts(3, 1, 0, 0)
    clock.advance(0.001)
    # The file due at the cancel's very moment reaches its own outcome, as an
    # immediate cancel at that moment would find it finished.
    view = account.get_batch("vs_1", "vsfb_1").value
    assert view.counts == FileCounts(0, 2, 0, 2)
    assert view.status is FileStatus.CANCELLED


def test_a_second_cancel_does_not_move_the_first_ones_moment() -> None:
    clock, account = make_account(2, NEVER, NEVER)
    account.cancel_batch("vs_1", "vsfb_1")
    clock.advance(1.5)
    again = account.cancel_batch("vs_1", "vsfb_1").value
    assert again.counts == FileCounts(2, 0, 0, 0)
    clock.advance(0.5)
    assert counts(account) == FileCounts(0, 0, 0, 2)
    assert account.cancel_batch("vs_1", "vsfb_1").value.counts == FileCounts(0, 0, 0, 2)


def test_a_file_that_never_finishes_stays_in_progress_until_cancelled() -> None:
    clock, account = make_account(None, NEVER, 1)
    clock.advance(10**9)
    assert counts(account) == FileCounts(1, 1, 0, 0)
    view = account.cancel_batch("vs_1", "vsfb_1").value
    assert view.counts == FileCounts(0, 1, 0, 1) and view.status is FileStatus.CANCELLED


def test_a_gradual_cancel_gives_the_vector_store_a_new_version() -> None:
    _, account = make_account(2, NEVER)
    vector_store = next(account.vector_stores())
    before = vector_store.version
    account.cancel_batch("vs_1", "vsfb_1")
    assert vector_store.version != before
    changed = vector_store.version
    account.cancel_batch("vs_1", "vsfb_1")
    assert vector_store.version == changed, "a harmless second cancel changes nothing"


def test_a_file_changes_after_exactly_at_the_cancel_moment() -> None:
    clock, account = make_account(3, NEVER)
    account.cancel_batch("vs_1", "vsfb_1")
    file = next(account.vector_stores()).files["file-0"]
    assert file.changes_after(clock.now()) == START + 3
    assert file.changes_after(START + 3) == float("inf")


def cached_batch(cache: ViewCache, account: Account) -> dict[str, object]:
    def read(earlier: Snapshot[BatchView] | None) -> Snapshot[BatchView]:
        return account.get_batch("vs_1", "vsfb_1", earlier=earlier)

    _, body = cache.batch("vs_1/vsfb_1", read, OPENAI)
    decoded: dict[str, object] = json.loads(body.data)
    return decoded


def cached_cancel(cache: ViewCache, account: Account) -> dict[str, object]:
    def cancel(earlier: Snapshot[BatchView] | None) -> Snapshot[BatchView]:
        return account.cancel_batch("vs_1", "vsfb_1", earlier=earlier)

    _, body = cache.batch("vs_1/vsfb_1", cancel, OPENAI)
    decoded: dict[str, object] = json.loads(body.data)
    return decoded


def test_the_view_cache_never_serves_a_view_from_before_the_cancel_moment() -> None:
    clock, account = make_account(2, NEVER, NEVER)
    cache = ViewCache()
    assert cached_batch(cache, account)["status"] == "in_progress"
    assert cached_cancel(cache, account)["status"] == "in_progress"
    clock.advance(1.999)
    assert cached_batch(cache, account)["status"] == "in_progress"
    clock.advance(0.001)
    after = cached_batch(cache, account)
    assert after["status"] == "cancelled"
    assert after["file_counts"] == {
        "in_progress": 0,
        "completed": 0,
        "failed": 0,
        "cancelled": 2,
        "total": 2,
    }


def test_cached_file_lists_turn_cancelled_at_the_moment_too() -> None:
    clock, account = make_account(2, NEVER, 1)
    cache = ViewCache()

    def files() -> dict[str, str]:
        rendered = cache.files(
            "vs_1/vsfb_1",
            lambda earlier: account.batch_files("vs_1", "vsfb_1", earlier=earlier),
        )
        return {item.view.id: item.view.status.value for item in rendered.items}

    assert files() == {"file-0": "in_progress", "file-1": "in_progress"}
    account.cancel_batch("vs_1", "vsfb_1")
    assert files() == {"file-0": "in_progress", "file-1": "in_progress"}
    clock.advance(1)
    assert files() == {"file-0": "in_progress", "file-1": "completed"}
    clock.advance(1)
    assert files() == {"file-0": "cancelled", "file-1": "completed"}
