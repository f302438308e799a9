"""The journal's worst-case memory: every field at its bound costs at most MAX_ENTRY_BYTES."""

from __future__ import annotations

import sys
from typing import Any

from fake_server.http.sessions import journal


def deep_size(value: Any) -> int:
    size = sys.getsizeof(value)
    if isinstance(value, tuple):
        size += sum(deep_size(item) for item in value)
    return size


def test_an_entry_at_every_bound_costs_at_most_the_stated_bytes() -> None:
    huge_headers = {name.encode(): b"h" * 100_000 for name in journal.RECORDED_HEADERS}
    worst = journal.entry(
        "DELETE",
        "\U0001f600" * 100_000,  # 4 bytes a character in memory
        b"q" * 100_000,
        "listFilesInVectorStoreBatch",
        500,
        1.5e9,
        {**huge_headers, b"x-undocumented": b"u" * 100_000},
    )

    assert deep_size(worst) <= journal.MAX_ENTRY_BYTES


def test_an_entry_keeps_only_the_documented_headers() -> None:
    log = journal.Journal(max_entries=2)
    headers = {b"cookie": b"secret", b"user-agent": b"ua"}
    log.record(journal.entry("GET", "/v1/x", b"a=1", None, 404, 0.0, headers))

    (shaped,) = log.entries()
    assert shaped["headers"] == {"user-agent": "ua"}
    assert shaped["query"] == "a=1"
