"""The one record per request: every field cut to its bound, with its length said;
its worst case costs at most MAX_RECORD_BYTES."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from fake_server.http import record
from fake_server.http.record import RequestRecord


def deep_size(value: Any) -> int:
    size = sys.getsizeof(value)
    if isinstance(value, tuple):
        size += sum(deep_size(item) for item in value)
    return size


def recorded(
    path: str = "/v1/vector_stores/vs_1",
    *,
    method: str = "GET",
    query: bytes = b"",
    session: str | None = None,
    headers: dict[bytes, bytes] | None = None,
    path_params: dict[str, str] | None = None,
    bodies: tuple[bytes | None, bytes | None] = (None, None),
) -> RequestRecord:
    return record.record(
        method,
        path,
        query,
        "listFilesInVectorStoreBatch",
        500,
        "req_" + "0" * 32,
        session,
        headers or {},
        {"vector_store_id": "vs_1"} if path_params is None else path_params,
        1.5e9,
        12345.678,
        0.002,
        {"openai-poll-after-ms": "1000", "retry-after-ms": "3600000"},
        True,
        False,
        None,
        *bodies,
    )


def test_a_record_at_every_bound_costs_at_most_the_stated_bytes() -> None:
    huge = "\U0001f600" * 100_000  # 4 bytes a character in memory
    worst = recorded(
        huge,
        method=huge,
        query=b"q" * 100_000,
        session="\xff" * 100_000,  # a header value, decoded as latin-1
        headers={
            **{name.encode(): b"h" * 100_000 for name in record.RECORDED_HEADERS},
            b"x-undocumented": b"u" * 100_000,
        },
        path_params={"vector_store_id": huge, "batch_id": huge},
        bodies=(b"{" * 1_000_000, b"}" * 100_000),
    )

    slots = 2 * 8  # a pointer in the journal's deque and one in the client log's
    assert deep_size(worst) + slots <= record.MAX_RECORD_BYTES


def test_bodies_are_kept_by_reference_and_a_long_one_cut_saying_its_length() -> None:
    small = b'{"name": "docs"}'
    kept = recorded(bodies=(small, b"x" * 100_000))
    assert kept.request_body is small
    assert kept.response_body == b"x" * record.MAX_BODY_BYTES + b"... (100000 bytes)"


def test_a_long_value_is_cut_short_saying_its_length() -> None:
    long_id = "vs_" + "x" * 32_765
    path = f"/v1/vector_stores/{long_id}/file_batches/vsfb_1"
    made = recorded(
        path,
        query=b"q" * 5_000,
        session="s" * 600,
        headers={b"user-agent": b"u" * 20_000, b"x-stainless-retry-count": b"1"},
        path_params={"vector_store_id": long_id, "batch_id": "vsfb_1"},
    )

    assert made.path == path[: record.MAX_PATH_CHARACTERS] + f"... ({len(path)} characters)"
    assert made.query == b"q" * record.MAX_QUERY_BYTES + b"... (5000 bytes)"
    assert made.session == "s" * record.MAX_HEADER_BYTES + "... (600 characters)"
    assert made.headers == (None, b"1", b"u" * record.MAX_HEADER_BYTES + b"... (20000 bytes)", None)
    assert made.resource == "vs_" + "x" * 93 + "... (32768 characters)/vsfb_1"


def test_a_short_request_is_kept_as_it_came_and_cannot_be_changed() -> None:
    made = recorded(headers={b"cookie": b"secret", b"idempotency-key": b"k"})

    assert (made.method, made.path, made.query, made.resource) == (
        "GET",
        "/v1/vector_stores/vs_1",
        b"",
        "vs_1",
    )
    assert made.headers == (None, None, None, b"k"), "only the documented headers"
    assert (made.poll_after_ms, made.retry_after_ms) == ("1000", "3600000")
    assert made.arrived == pytest.approx(12345.676)
    with pytest.raises(AttributeError):
        made.path = "/elsewhere"  # type: ignore[misc]
