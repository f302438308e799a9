"""What a recording keeps (redaction) and the scenario it shows (inference), on
hand-made cassettes: the rules the e2e recording cannot reach on purpose."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from fake_server.defaults import CANCEL_DELAY_SECONDS
from fake_server.recording.cassette import Cassette, Exchange, RecordedRequest, RecordedResponse
from fake_server.recording.inference import infer_scenario, scenario_text
from fake_server.recording.redaction import REQUEST_HEADERS, Redactor
from fake_server.scenario.loading import parse_scenario

STORE = "/v1/vector_stores/vs_1"
BATCH = STORE + "/file_batches/vsfb_1"


def test_credentials_are_never_kept_and_their_echoes_are_redacted() -> None:
    redactor = Redactor()
    headers = [
        ("authorization", "Bearer sk-live-abcdefgh"),
        ("api-key", "plainkey123"),
        ("cookie", "session=1"),
        ("x-fake-admin-token", "admintoken9"),
        ("x-on-behalf-of", "bob"),
        ("content-type", "application/json"),
    ]
    redactor.learn(headers)
    kept = redactor.headers(headers, REQUEST_HEADERS)
    assert kept == {"x-on-behalf-of": "end-user-1", "content-type": "application/json"}
    body = {
        "a": "Incorrect API key provided: sk-live-***efgh",
        "b": "the key plainkey123 again",
        "c": ["admintoken9"],
        "d": "token eyJ Bearer abc",
        "owner": "bob",
        "note": "bob's store",
        "keep": "nothing secret",
    }
    assert redactor.value(body) == {
        "a": "[redacted]",
        "b": "[redacted]",
        "c": ["[redacted]"],
        "d": "[redacted]",
        "owner": "end-user-1",
        "note": "end-user-1's store",
        "keep": "nothing secret",
    }
    assert redactor.query([("api-key", "x"), ("limit", "2")]) == [
        ("api-key", "[redacted]"),
        ("limit", "2"),
    ]
    assert redactor.counts() == {"secrets": 5, "end_users": 1}


def test_secret_fields_shapes_and_query_credentials_are_redacted_learnt_and_counted() -> None:
    redactor = Redactor()
    query = [("apikey", "q-secret-1"), ("access-token", "q-secret-2"), ("api_token", "x")]
    assert redactor.query([*query, ("limit", "2")]) == [
        ("apikey", "[redacted]"),
        ("access-token", "[redacted]"),
        ("api_token", "[redacted]"),
        ("limit", "2"),
    ]
    body = {
        "password": "hunter2-long",
        "client_secret": {"nested": "x"},
        "aws_secret_access_key": "AKIAEXAMPLE",
        "max_tokens": 5,
        "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln",
        "restricted": "rk-live-0123456789abcdef",
        "key": "author",
    }
    assert redactor.value(body) == {
        "password": "[redacted]",
        "client_secret": "[redacted]",
        "aws_secret_access_key": "[redacted]",
        "max_tokens": 5,
        "jwt": "[redacted]",
        "restricted": "[redacted]",
        "key": "author",
    }
    # The upstream echoes what the query and the fields held: learnt, redacted.
    echoed = {"message": "bad key q-secret-2", "note": "hunter2-long again"}
    assert redactor.value(echoed) == {"message": "[redacted]", "note": "[redacted]"}
    assert redactor.counts() == {"secrets": 3 + 5 + 2, "end_users": 0}


def test_end_users_are_kept_when_asked() -> None:
    redactor = Redactor(keep_end_users=True)
    redactor.learn([("x-on-behalf-of", "alice")])
    assert redactor.headers([("x-on-behalf-of", "alice")], REQUEST_HEADERS) == {
        "x-on-behalf-of": "alice"
    }
    assert redactor.counts()["end_users"] == 0


def exchange(seq: int, t: float, call: str, body: Any, status: int = 200) -> Exchange:
    method, path = call.split(" ")
    return Exchange(seq, t, 0.0, RecordedRequest(method, path), RecordedResponse(status, {}, body))


def counts(
    in_progress: int, completed: int = 0, cancelled: int = 0, failed: int = 0
) -> dict[str, Any]:
    total = in_progress + completed + cancelled + failed
    return {
        "id": "vsfb_1",
        "status": "in_progress" if in_progress else "completed",
        "file_counts": {
            "in_progress": in_progress,
            "completed": completed,
            "failed": failed,
            "cancelled": cancelled,
            "total": total,
        },
    }


def test_an_immediate_cancel_and_an_earlier_batch_known_by_its_counts() -> None:
    cassette = Cassette(
        upstream="http://127.0.0.1:1",
        recorded_at="2026-01-01T00:00:00Z",
        exchanges=[
            exchange(0, 0.0, "GET " + BATCH, counts(2, completed=1)),
            exchange(1, 1.0, "GET " + BATCH, counts(2, completed=1)),
            exchange(2, 3.0, "GET " + BATCH, counts(0, completed=3)),
            exchange(3, 3.5, "POST " + STORE + "/file_batches/vsfb_2/cancel", counts(0, 0, 2)),
        ],
    )
    scenario, notes = infer_scenario(cassette)
    assert scenario["cancel"] == {"mode": "immediate"}
    (store,) = scenario["vector_stores"]
    (batch, cancelled) = store["file_batches"]
    assert batch == {
        "id": "vsfb_1",
        "files": [{"status": "completed"}, {"processing_seconds": 2}, {"processing_seconds": 2}],
    }
    assert cancelled == {"id": "vsfb_2", "files": [{"status": "cancelled"}] * 2}
    assert any("never listed" in note for note in notes)


def test_an_id_a_scenario_cannot_hold_is_left_out_with_a_note() -> None:
    cassette = Cassette(
        upstream="http://127.0.0.1:1",
        recorded_at="2026-01-01T00:00:00Z",
        exchanges=[exchange(0, 0.0, "GET /v1/vector_stores/store.1", {"id": "store.1"})],
    )
    scenario, notes = infer_scenario(cassette)
    assert "vector_stores" not in scenario
    assert any("store.1" in note for note in notes)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.floats(-5, 5) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "id": st.sampled_from(["file-1", "vs_1", "vsfb_1", "x", ""]) | JSON,
        "status": st.sampled_from(["in_progress", "completed", "failed", "cancelled"]) | JSON,
        "file_counts": st.dictionaries(
            st.sampled_from(["in_progress", "completed", "failed", "cancelled", "total"]),
            st.integers(-1, 3) | JSON,
        )
        | JSON,
        "data": st.lists(JSON | st.fixed_dictionaries({"id": JSON, "status": JSON}), max_size=3),
        "last_error": JSON,
        "error": JSON,
        "file_ids": JSON,
        "files": JSON,
    },
)
CALLS = st.sampled_from(
    [
        "POST /v1/files",
        "GET /v1/files",
        "POST /v1/vector_stores",
        "GET " + STORE,
        "POST " + STORE + "/file_batches",
        "GET " + BATCH,
        "POST " + BATCH + "/cancel",
        "GET " + BATCH + "/files",
        "GET " + STORE + "/files/file-1",
        "POST " + STORE + "/files",
        "GET /api/v1/llm/vector_stores/vs_1/files",
        "GET /nowhere",
    ]
)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(CALLS, FIELDS, FIELDS, st.sampled_from([200, 400, 429])), max_size=8))
def test_any_upstream_answer_gives_a_scenario_that_loads(
    exchanges: list[tuple[str, dict[str, Any], dict[str, Any], int]],
) -> None:
    """Whatever the upstream answered, the inferred scenario is one the fake loads."""
    recorded = []
    for seq, (call, request, answer, status) in enumerate(exchanges):
        made = exchange(seq, seq * 0.5, call, answer, status)
        made.request.body = request
        recorded.append(made)
    cassette = Cassette("http://127.0.0.1:1", "2026-01-01T00:00:00Z", exchanges=recorded)
    parse_scenario(scenario_text(cassette), "inferred.yaml").instantiate()


def test_a_refused_upload_names_the_upload_limit() -> None:
    refusal = {
        "error": {
            "message": "The request body is larger than the limit of 1048576 bytes.",
            "type": "invalid_request_error",
            "param": None,
            "code": "request_too_large",
        }
    }
    cassette = Cassette(
        upstream="http://127.0.0.1:1",
        recorded_at="2026-01-01T00:00:00Z",
        exchanges=[exchange(0, 0.0, "POST /v1/files", refusal, 413)],
    )
    scenario, notes = infer_scenario(cassette)
    assert scenario["limits"] == {"bytes_per_upload": 1048576}
    assert any(note.startswith("413 at 0.000 s") for note in notes)


def recording(*exchanges: Exchange) -> Cassette:
    return Cassette("http://127.0.0.1:1", "2026-01-01T00:00:00Z", exchanges=list(exchanges))


def test_only_objects_the_upstream_showed_existing_are_declared() -> None:
    """A 404 says the object it names is missing; a refused attach says nothing
    of the files it names."""
    missing = {"error": {"message": "No such File object: file-missing", "code": None}}
    refused = {"error": {"message": "File 'file-unknown' was not found.", "code": None}}
    found = {"id": "file-here", "object": "file", "filename": "a.txt", "bytes": 3}
    attach = exchange(2, 2.0, "POST " + STORE + "/file_batches", refused, 400)
    attach.request.body = {"file_ids": ["file-unknown"]}
    scenario, _ = infer_scenario(
        recording(
            exchange(0, 0.0, "GET /v1/files/file-missing", missing, 404),
            exchange(1, 1.0, "GET /v1/files/file-here", found),
            attach,
        )
    )
    assert scenario["files"] == [{"id": "file-here", "filename": "a.txt", "bytes": 3}]
    assert scenario["vector_stores"] == [{"id": "vs_1"}]


def test_a_file_cancelled_before_it_finished_never_finishes_on_its_own() -> None:
    """An earlier batch known by its counts: the file the cancel reached had not
    finished, so it must stay in progress until the cancel reaches it."""
    cassette = recording(
        exchange(0, 1.0, "POST " + BATCH + "/cancel", counts(1, completed=1)),
        exchange(1, 2.0, "GET " + BATCH, counts(1, completed=1)),
        exchange(2, 3.0, "GET " + BATCH, counts(0, completed=1, cancelled=1)),
    )
    scenario, _ = infer_scenario(cassette)
    (store,) = scenario["vector_stores"]
    assert store["file_batches"] == [
        {"id": "vsfb_1", "files": [{"status": "completed"}, {"processing_seconds": "never"}]}
    ]
    # Reached between the last poll still in progress (1 s after) and the first cancelled.
    assert scenario["cancel"] == {"mode": "gradual", "delay_seconds": 1.5}
    parse_scenario(scenario_text(cassette), "inferred.yaml").instantiate()


def test_files_known_by_counts_finish_one_by_one_or_never() -> None:
    scenario, _ = infer_scenario(
        recording(
            exchange(0, 0.0, "GET " + BATCH, counts(3)),
            exchange(1, 1.0, "GET " + BATCH, counts(2, completed=1)),
            exchange(2, 3.0, "GET " + BATCH, counts(1, completed=2)),
            exchange(3, 6.0, "GET " + BATCH, counts(1, completed=2)),
        )
    )
    (batch,) = scenario["vector_stores"][0]["file_batches"]
    assert batch["files"] == [
        {"processing_seconds": 0.5},
        {"processing_seconds": 2},
        {"processing_seconds": "never"},
    ]


def test_a_gradual_cancel_polled_once_after_has_its_delay_in_the_middle() -> None:
    scenario, _ = infer_scenario(
        recording(
            exchange(0, 0.0, "POST " + STORE + "/file_batches", counts(2)),
            exchange(1, 1.0, "POST " + BATCH + "/cancel", counts(2)),
            exchange(2, 2.2, "GET " + BATCH, counts(0, cancelled=2)),
        )
    )
    assert scenario["cancel"] == {"mode": "gradual", "delay_seconds": 0.6}


def test_a_gradual_cancel_never_seen_reaching_its_files_takes_longer_than_seen() -> None:
    cancel = exchange(0, 1.0, "POST " + BATCH + "/cancel", counts(2))
    scenario, _ = infer_scenario(recording(cancel))
    assert scenario["cancel"] == {"mode": "gradual", "delay_seconds": CANCEL_DELAY_SECONDS}
    later = exchange(1, 3.0, "GET " + BATCH, counts(2))
    scenario, _ = infer_scenario(recording(cancel, later))
    assert scenario["cancel"] == {"mode": "gradual", "delay_seconds": 2 + CANCEL_DELAY_SECONDS}


def test_files_a_batch_counts_completed_finish_when_another_failed_and_was_read() -> None:
    """Two uploads and an earlier file in one batch: the counts say two completed
    and one failed, and a read of the failed ones names the earlier file; the
    uploads completed then, so their processing time is the uploads' default."""
    uploads = [
        exchange(seq, 0.5 * seq, "POST /v1/files", {"id": file, "object": "file"})
        for seq, file in enumerate(("file-a", "file-b"))
    ]
    create = exchange(2, 2.0, "POST " + STORE + "/file_batches", counts(3))
    create.request.body = {"file_ids": ["file-a", "file-b", "file-bad"]}
    bad = {"code": "unsupported_file", "message": "not a document"}
    failed = {"data": [{"id": "file-bad", "status": "failed", "last_error": bad}]}
    cassette = recording(
        *uploads,
        create,
        exchange(3, 2.2, "GET " + BATCH, counts(3)),
        exchange(4, 4.0, "GET " + BATCH, counts(0, completed=2, failed=1)),
        exchange(5, 4.5, "GET " + BATCH + "/files", failed),
    )
    scenario, notes = infer_scenario(cassette)
    # Between the last poll in progress (0.2 s after the attach) and the first done (2 s).
    assert scenario["defaults"] == {"processing_seconds": 1.1}
    assert scenario["files"] == [
        {
            "id": "file-bad",
            "processing_seconds": 1.1,
            "outcome": "failed",
            "error": {"code": "unsupported_file", "message": "not a document"},
        }
    ]
    assert not any("not finished" in note for note in notes)
    parse_scenario(scenario_text(cassette), "inferred.yaml").instantiate()
