"""Domain rules, on a virtual clock: derived status and counts, cancel semantics."""

from __future__ import annotations

from pathlib import Path

import pytest

from fake_server.domain import account as account_package
from fake_server.domain.account import Account
from fake_server.domain.clock import VirtualClock
from fake_server.domain.errors import (
    BatchSizeError,
    DuplicateFileError,
    ForbiddenError,
    InvalidRequestError,
    NotFoundError,
    UnknownFileError,
)
from fake_server.domain.model import FileBatch, VectorStore, VectorStoreFile, batch_status
from fake_server.domain.paging import Page, PageQuery, SortOrder
from fake_server.domain.permissions import Role, reachable_by, role_of
from fake_server.domain.uploads import UploadedFile
from fake_server.domain.views import FileCounts, FileList, FileStatus, FileView, Snapshot
from fake_server.http.provider import view_cache

IN_PROGRESS, COMPLETED, FAILED, CANCELLED = (
    FileStatus.IN_PROGRESS,
    FileStatus.COMPLETED,
    FileStatus.FAILED,
    FileStatus.CANCELLED,
)


def make_account(*files: VectorStoreFile) -> tuple[VirtualClock, Account]:
    clock = VirtualClock(1000)
    batch = FileBatch("vsfb_1", "vs_1", 1000, list(files))
    vector_store = VectorStore("vs_1", None, 1000)
    vector_store.add_batch(batch)
    return clock, Account(clock, [vector_store])


def processing(file_id: str, seconds: float, outcome: FileStatus = COMPLETED) -> VectorStoreFile:
    return VectorStoreFile(
        file_id, "vs_1", 1000, IN_PROGRESS, outcome=outcome, finishes_at=1000 + seconds
    )


def listed(account: Account, query: PageQuery) -> Page[FileView]:
    """A page of the batch's files, paged as the server pages them (``view_cache.page``)."""

    def read(earlier: Snapshot[FileList] | None) -> Snapshot[FileList]:
        return account.batch_files("vs_1", "vsfb_1", earlier=earlier)

    files = view_cache.ViewCache().files("vs_1/vsfb_1", read)
    page = view_cache.page(files, query, None)
    return Page([item.view for item in page.items], page.has_more)


def test_files_reach_their_outcome_exactly_when_processing_ends() -> None:
    clock, account = make_account(processing("file-a", 10), processing("file-b", 20, FAILED))
    assert account.get_batch("vs_1", "vsfb_1").value.counts == FileCounts(2, 0, 0, 0)
    clock.advance(9.999)
    assert account.get_batch("vs_1", "vsfb_1").value.counts == FileCounts(2, 0, 0, 0)
    clock.advance(0.001)
    assert account.get_batch("vs_1", "vsfb_1").value.counts == FileCounts(1, 1, 0, 0)
    clock.advance(10)
    view = account.get_batch("vs_1", "vsfb_1").value
    assert view.counts == FileCounts(0, 1, 1, 0)
    assert view.status is COMPLETED


@pytest.mark.parametrize("cancel_after", [0, 5, 10, 15, 25])
def test_cancel_moves_exactly_the_in_progress_files(cancel_after: float) -> None:
    clock, account = make_account(processing("file-a", 10), processing("file-b", 20, FAILED))
    clock.advance(cancel_after)
    before = account.get_batch("vs_1", "vsfb_1").value.counts

    after = account.cancel_batch("vs_1", "vsfb_1").value

    assert after.counts.cancelled == before.in_progress
    assert after.counts.completed == before.completed
    assert after.counts.failed == before.failed
    assert after.counts.in_progress == 0
    assert after.counts.total == 2
    assert after.status is (CANCELLED if before.in_progress else COMPLETED)
    clock.advance(100)
    assert account.get_batch("vs_1", "vsfb_1").value == after, (
        "a finished batch never changes again"
    )


def test_cancelled_files_never_complete_later() -> None:
    clock, account = make_account(processing("file-a", 10))
    account.cancel_batch("vs_1", "vsfb_1")
    clock.advance(1000)
    page = listed(account, PageQuery())
    assert [view.status for view in page.items] == [CANCELLED]


@pytest.mark.parametrize(
    ("counts", "status"),
    [
        (FileCounts(1, 5, 5, 0), IN_PROGRESS),
        (FileCounts(0, 5, 5, 1), CANCELLED),
        (FileCounts(0, 0, 3, 0), FAILED),
        (FileCounts(0, 1, 3, 0), COMPLETED),
        (FileCounts(0, 3, 0, 0), COMPLETED),
    ],
)
def test_batch_status_rule(counts: FileCounts, status: FileStatus) -> None:
    assert batch_status(counts) is status


def test_unknown_ids_are_not_found_and_wrong_prefixes_are_invalid() -> None:
    _, account = make_account(processing("file-a", 10))
    with pytest.raises(NotFoundError, match="vs_2"):
        account.get_batch("vs_2", "vsfb_1")
    with pytest.raises(NotFoundError, match="vsfb_2"):
        account.cancel_batch("vs_1", "vsfb_2")
    with pytest.raises(InvalidRequestError) as raised:
        account.get_batch("vs_1", "batch_1")
    assert raised.value.param == "batch_id"


def test_a_cursor_in_a_large_batch_gives_the_page_next_to_it() -> None:
    files = [processing(f"file-{index}", 10) for index in range(2000)]
    _, account = make_account(*files)
    page = listed(account, PageQuery(limit=3, after="file-1000"))
    assert [view.id for view in page.items] == ["file-999", "file-998", "file-997"]
    assert page.has_more


def statuses(
    account: Account, limit: int = 20, after: str | None = None
) -> list[tuple[str, FileStatus]]:
    query = PageQuery(limit=limit, order=SortOrder.ASC, after=after)
    page = listed(account, query)
    return [(view.id, view.status) for view in page.items]


def test_listed_files_follow_the_clock_and_a_cancel() -> None:
    clock, account = make_account(processing("file-a", 10), processing("file-b", 20, FAILED))
    assert statuses(account) == [("file-a", IN_PROGRESS), ("file-b", IN_PROGRESS)]
    clock.advance(10)
    assert statuses(account) == [("file-a", COMPLETED), ("file-b", IN_PROGRESS)]
    assert statuses(account, limit=1, after="file-a") == [("file-b", IN_PROGRESS)]
    clock.advance(5)
    account.cancel_batch("vs_1", "vsfb_1")
    assert statuses(account) == [("file-a", COMPLETED), ("file-b", CANCELLED)]
    clock.advance(100)
    assert statuses(account) == [("file-a", COMPLETED), ("file-b", CANCELLED)]


def test_file_list_errors_say_which_file_in_domain_words() -> None:
    upload = UploadedFile("file-a", "a.txt", 10, 1000, "assistants")
    account = Account(VirtualClock(1000), [VectorStore("vs_1", None, 1000)], [upload])
    with pytest.raises(UnknownFileError) as unknown:
        account.create_batch("vs_1", ["file-a", "file-nowhere"])
    assert unknown.value.file_id == "file-nowhere"
    with pytest.raises(DuplicateFileError) as twice:
        account.create_batch("vs_1", ["file-a", "file-a"])
    assert twice.value.file_id == "file-a"
    with pytest.raises(BatchSizeError) as empty:
        account.create_batch("vs_1", [])
    assert (empty.value.count, empty.value.maximum) == (0, 2000)
    for error in (unknown.value, twice.value, empty.value):
        assert "POST" not in error.message and "file_ids" not in error.message


def shared_store() -> VectorStore:
    store = VectorStore("vs_roles", None, 1000, owner="alice")
    store.grant("bob", "reader")
    store.grant("erin", "writer")
    return store


@pytest.mark.parametrize(
    ("actor", "team", "role"),
    [
        (None, None, Role.OWNER),  # the whole account
        ("alice", None, Role.OWNER),
        ("erin", None, Role.WRITER),
        ("bob", None, Role.READER),
        ("dave", None, Role.NONE),
        ("dave", "reader", Role.READER),
        ("bob", "writer", Role.WRITER),  # the highest role held counts
        ("erin", "reader", Role.WRITER),
    ],
)
def test_the_role_of_an_actor(actor: str | None, team: str | None, role: Role) -> None:
    store = shared_store()
    if team is not None:
        store.grant(None, team)
    assert role_of(store, actor) is role
    assert reachable_by(store, actor) is (role is not Role.NONE)


def test_the_accounts_own_store_is_every_end_users_to_write_not_to_keep() -> None:
    assert role_of(VectorStore("vs_common", None, 1000), "dave") is Role.WRITER


def test_a_refused_change_changes_nothing() -> None:
    store = shared_store()
    account = Account(VirtualClock(1000), [store])
    version = store.version
    with pytest.raises(ForbiddenError):
        account.modify_vector_store("vs_roles", {"name": "x"}, actor="bob")
    with pytest.raises(ForbiddenError):
        account.delete_vector_store("vs_roles", actor="erin")
    with pytest.raises(NotFoundError):
        account.grant_permission("vs_roles", "dave", "writer", actor="dave")
    assert store.version == version and store.name is None
    assert [s.id for s in account.vector_stores()] == ["vs_roles"]


def test_only_the_facade_takes_the_lock() -> None:
    """The resource modules run under the facade's lock; one taking it too would deadlock."""
    package = Path(account_package.__file__).parent
    modules = sorted(package.glob("*.py"))
    assert package / "facade.py" in modules
    locking = [path.name for path in modules if "threading" in path.read_text(encoding="utf-8")]
    assert locking == ["facade.py"]
