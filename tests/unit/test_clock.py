from __future__ import annotations

import pytest

from fake_server.domain.clock import SystemClock, VirtualClock, stopwatch


def test_virtual_clock_moves_only_when_advanced() -> None:
    clock = VirtualClock(100)
    assert clock.now() == 100
    assert clock.advance(2.5) == 102.5
    assert clock.now() == 102.5


def test_virtual_clock_never_goes_back() -> None:
    with pytest.raises(ValueError, match="back in time"):
        VirtualClock(100).advance(-1)


def test_system_clock_can_start_at_a_given_time() -> None:
    clock = SystemClock(start=1704067200)
    assert 1704067200 <= clock.now() < 1704067200 + 60


def test_stopwatch_counts_up() -> None:
    elapsed = stopwatch()
    assert elapsed() >= 0
