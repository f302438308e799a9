"""The client report's rules, on observations made by hand."""

from __future__ import annotations

from fake_server.http.record import RequestRecord, record
from fake_server.http.sessions.report import ClientLog, Observation, findings


def seen(
    n: int,
    operation: str = "getVectorStoreFileBatch",
    *,
    arrived: float,
    took: float = 0.0005,
    status: int | None = 200,
    clock: float = 1000.0,
    poll_after_ms: int | None = 10,
    retry_after_ms: float | None = None,
    key: bool = False,
    retry_count: int = 0,
    in_progress: bool = True,
    resource: str = "vs_1/vsfb_1",
) -> Observation:
    return Observation(
        f"req_{n:032x}",
        operation,
        resource,
        status,
        arrived,
        arrived + took,
        clock,
        poll_after_ms,
        retry_after_ms,
        key,
        retry_count,
        in_progress,
    )


def codes(
    observations: list[Observation], now: float = 1000, delay: float | None = None
) -> list[str]:
    return [finding["code"] for finding in findings(observations, now, delay)]


def test_three_reads_too_soon_in_a_row_are_tight_polling_and_a_polite_one_ends_the_streak() -> None:
    too_soon = [seen(n, arrived=n * 0.002) for n in range(4)]
    assert codes(too_soon) == ["tight_polling"]
    polite = [*too_soon[:3], seen(3, arrived=0.004 + 0.0105), seen(4, arrived=0.0155)]
    assert codes(polite) == []


def test_readers_at_work_at_once_are_not_polling() -> None:
    overlapping = [seen(n, arrived=n * 0.002, took=0.003) for n in range(6)]
    assert codes(overlapping) == []


def test_reads_of_a_finished_batch_or_without_a_header_are_not_polling() -> None:
    finished = [seen(n, arrived=n * 0.002, in_progress=False, poll_after_ms=None) for n in range(6)]
    assert codes(finished) == []
    other_objects = [seen(n, arrived=n * 0.002, resource=f"vs_1/vsfb_{n}") for n in range(6)]
    assert codes(other_objects) == []


def test_a_retry_after_is_honoured_or_reported() -> None:
    refused = seen(0, "createVectorStoreFileBatch", arrived=0, status=429, retry_after_ms=50)
    assert codes([refused, seen(1, "createVectorStoreFileBatch", arrived=0.051)]) == []
    assert codes([refused, seen(1, "createVectorStoreFileBatch", arrived=0.02)]) == [
        "ignored_retry_after"
    ]


def test_a_create_retried_while_the_first_try_was_still_answered_is_reported() -> None:
    first = seen(0, "createVectorStore", arrived=0, took=2.0, resource="")
    retry = seen(1, "createVectorStore", arrived=1.0, retry_count=1, resource="")
    assert codes([retry, first]) == ["retry_without_idempotency_key"]
    concurrent = seen(1, "createVectorStore", arrived=1.0, resource="")
    assert codes([first, concurrent]) == [], "two creates at once are not a retry"


def test_a_gradual_cancel_is_confirmed_by_any_later_read_of_the_batch() -> None:
    cancel = seen(0, "cancelVectorStoreFileBatch", arrived=0, clock=1000)
    assert codes([cancel], now=1001.9, delay=2) == []
    assert codes([cancel], now=1002, delay=2) == ["cancel_not_confirmed"]
    assert codes([cancel], now=1002, delay=None) == [], "immediate cancels need no confirming"
    listed = seen(1, "listFilesInVectorStoreBatch", arrived=1, in_progress=False)
    assert codes([cancel, listed], now=1002, delay=2) == []


def made(
    request_id: str,
    operation: str,
    *,
    params: dict[str, str] | None = None,
    status: int | None = 200,
    clock: float = 1000.0,
    answered: float = 0.0,
    took: float = 0.5,
    answer_headers: dict[str, str] | None = None,
    sent: dict[bytes, bytes] | None = None,
    in_progress: bool = False,
    client_gone: bool = False,
) -> RequestRecord:
    """A request's record, as the responder makes it."""
    path_params = params or {}
    return record(
        "GET",
        "/v1/" + "/".join(path_params.values()),
        b"",
        operation,
        status,
        request_id,
        None,
        sent or {},
        path_params,
        clock,
        answered,
        took,
        answer_headers,
        in_progress,
        client_gone,
    )


def test_the_log_is_bounded() -> None:
    log = ClientLog(max_observations=5)
    for n in range(20):
        log.saw(made(f"req_{n:032x}", "createVectorStore", answered=n))
    assert [o.request_id for o in log.observations()] == [f"req_{n:032x}" for n in range(15, 20)]


def test_a_request_recorded_reads_as_its_observation() -> None:
    log = ClientLog()
    params = {"vector_store_id": "vs_1", "batch_id": "vsfb_1"}
    log.saw(
        made(
            "req_a",
            "getVectorStoreFileBatch",
            params=params,
            answered=1.5,
            answer_headers={"openai-poll-after-ms": "10", "retry-after-ms": "1500"},
            sent={b"x-stainless-retry-count": b"2", b"idempotency-key": b"k"},
            in_progress=True,
        )
    )
    log.saw(
        made(
            "req_b",
            "createVectorStoreFileBatch",
            params={"vector_store_id": "vs_1"},
            status=None,
            clock=1001.0,
            answered=2.5,
            sent={b"x-stainless-retry-count": b"9" * 10},  # too long to be a count
            client_gone=True,
        )
    )
    log.saw(
        made(
            "req_c",
            "createVectorStoreFileBatch",
            status=500,
            clock=1002.0,
            answered=3.5,
            answer_headers={},
            sent={b"x-stainless-retry-count": b"x1"},
        )
    )

    assert log.observations() == [
        Observation(
            "req_a",
            "getVectorStoreFileBatch",
            "vs_1/vsfb_1",
            200,
            1.0,
            1.5,
            1000.0,
            10,
            1500.0,
            True,
            2,
            True,
            False,
        ),
        Observation(
            "req_b",
            "createVectorStoreFileBatch",
            "vs_1",
            None,
            2.0,
            2.5,
            1001.0,
            None,
            None,
            False,
            0,
            False,
            True,
        ),
        Observation(
            "req_c",
            "createVectorStoreFileBatch",
            "",
            500,
            3.0,
            3.5,
            1002.0,
            None,
            None,
            False,
            0,
            False,
            False,
        ),
    ]
