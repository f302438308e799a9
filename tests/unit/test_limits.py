"""Files attached per minute on the scenario's clock, and the settable size limits."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from fake_server.domain.account import Account
from fake_server.domain.clock import VirtualClock
from fake_server.domain.errors import BatchSizeError, RateLimitError
from fake_server.domain.limits import MAX_WINDOW_ENTRIES, AttachWindow, Limits
from fake_server.domain.model import VectorStore
from fake_server.domain.uploads import UploadedFile


def test_the_window_admits_up_to_the_limit_and_says_when_more_would_pass() -> None:
    window = AttachWindow(5)
    assert window.passes_at(100, 3) is None
    window.record(100, 3)
    assert window.passes_at(110, 2) is None
    window.record(110, 2)
    assert window.passes_at(120, 1) == 160, "the first three files leave the window at 160"
    assert window.passes_at(120, 4) == 170
    assert window.passes_at(160, 3) is None
    assert window.passes_at(120, 6) == math.inf, "more than the limit at once never passes"


def test_the_window_stays_bounded_and_only_gets_stricter() -> None:
    window = AttachWindow(10**9)
    for index in range(MAX_WINDOW_ENTRIES * 2):
        window.record(float(index) / 1000, 1)
    assert len(window._entries) <= MAX_WINDOW_ENTRIES
    assert window.used(1.0) == MAX_WINDOW_ENTRIES * 2


def make_account(
    per_minute: int,
    *,
    clock: VirtualClock | None = None,
    on_rate_limited: Callable[[float], float] | None = None,
) -> tuple[VirtualClock, Account]:
    clock = clock or VirtualClock(1000)
    uploads = [UploadedFile(f"file-{n}", f"{n}.txt", 10, 1000, "assistants") for n in range(6)]
    account = Account(
        clock,
        [VectorStore("vs_1", None, 1000)],
        uploads,
        limits=Limits(attached_files_per_minute=per_minute, files_per_batch=4),
        on_rate_limited=on_rate_limited,
    )
    return clock, account


def attached(account: Account) -> int:
    return account.get_vector_store("vs_1").counts.total


def test_a_refused_batch_attaches_nothing_and_says_how_long_to_wait() -> None:
    clock, account = make_account(3)
    account.create_batch("vs_1", ["file-0", "file-1"])
    clock.advance(15)
    with pytest.raises(RateLimitError) as refused:
        account.create_batch("vs_1", ["file-2", "file-3"])
    assert (refused.value.used, refused.value.requested, refused.value.wait) == (2, 2, 45)
    assert "Limit 3, Used 2, Requested 2. Please try again in 45s." in refused.value.message
    assert attached(account) == 2
    clock.advance(45)
    account.create_batch("vs_1", ["file-2", "file-3"])
    assert attached(account) == 4


def test_on_a_virtual_clock_the_fake_waits_for_the_client() -> None:
    clock = VirtualClock(1000)

    def wait_for_the_client(moment: float) -> float:
        clock.advance_to(moment)
        return 0.01

    _, account = make_account(2, clock=clock, on_rate_limited=wait_for_the_client)
    account.create_batch("vs_1", ["file-0", "file-1"])
    with pytest.raises(RateLimitError) as refused:
        account.create_vector_store("again", file_ids=["file-2"])
    assert refused.value.wait == 0.01 and refused.value.waited == 60
    assert clock.now() == 1060
    account.create_vector_store("again", file_ids=["file-2"])


def test_more_files_than_the_limit_at_once_can_never_pass() -> None:
    _, account = make_account(2)
    with pytest.raises(RateLimitError) as refused:
        account.create_batch("vs_1", ["file-0", "file-1", "file-2"])
    assert refused.value.wait is None and "Request too large" in refused.value.message


def test_files_per_batch_is_settable() -> None:
    _, account = make_account(100)
    with pytest.raises(BatchSizeError) as refused:
        account.create_batch("vs_1", [f"file-{n}" for n in range(5)])
    assert refused.value.maximum == 4
