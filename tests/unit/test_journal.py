"""The journal shows each request's record as its entry, documented headers only."""

from __future__ import annotations

from fake_server.http import record
from fake_server.http.sessions import journal


def test_an_entry_shows_the_record_with_only_the_documented_headers() -> None:
    log = journal.Journal(max_entries=2)
    headers = {b"cookie": b"secret", b"user-agent": b"ua", b"x-on-behalf-of": "josé".encode()}
    made = record.record(
        "GET", "/v1/x", b"a=1", None, 404, "req_1", None, headers, {}, 7.5, 1.0, 0.001, None,
        False, False,
    )  # fmt: skip
    log.record(made)

    (shaped,) = log.entries()
    assert shaped == {
        "method": "GET",
        "path": "/v1/x",
        "query": "a=1",
        "operation": None,
        "status": 404,
        "request_id": "req_1",  # issue 31: the id the log and the report show
        "fault": None,  # issue 31: a real answer, no fault rule made it
        "time": 7.5,
        "headers": {"user-agent": "ua", "x-on-behalf-of": "josé"},
    }
