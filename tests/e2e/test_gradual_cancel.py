"""Gradual cancel and files that never finish, through both SDKs and raw HTTP."""

from __future__ import annotations

import httpx

from tests.cases.gradual import GRADUAL_CANCEL, GRADUAL_CANCEL_POLLED
from tests.helpers import StartServer

NEVER = """
clock: {mode: virtual, start: 1704067200}
defaults: {processing_seconds: never}
vector_stores:
  - id: vs_stuck
    file_batches:
      - id: vsfb_stuck
        files: [{id: file-a}, {id: file-b}]
"""


def counts(batch: object) -> tuple[int, int, int, int, int]:
    c = batch.file_counts  # type: ignore[attr-defined]
    assert c.in_progress + c.completed + c.failed + c.cancelled == c.total
    return c.in_progress, c.completed, c.failed, c.cancelled, c.total


def test_the_openai_sdks_poll_after_a_gradual_cancel_ends(start_server: StartServer) -> None:
    client = start_server(GRADUAL_CANCEL_POLLED).openai_client()
    batches = client.vector_stores.file_batches

    answer = batches.cancel("vsfb_slow", vector_store_id="vs_slow")
    assert answer.status == "in_progress" and counts(answer) == (2, 1, 0, 0, 3)

    # Each read of the in-progress batch moves the virtual clock one second.
    final = batches.poll("vsfb_slow", vector_store_id="vs_slow")
    assert final.status == "cancelled"
    assert counts(final) == (0, 2, 0, 1, 3), "the quick file reached its outcome first"
    files = batches.list_files("vsfb_slow", vector_store_id="vs_slow")
    assert {file.id: file.status for file in files} == {
        "file-quick": "completed",
        "file-stuck": "cancelled",
        "file-done": "completed",
    }


def test_the_mka1_sdk_sees_the_cancel_in_progress_then_done(start_server: StartServer) -> None:
    server = start_server(GRADUAL_CANCEL_POLLED)
    sdk = server.mka1_client()
    vector_stores = sdk.llm.vector_stores

    answer = vector_stores.cancel_file_batch(vector_store_id="vs_slow", batch_id="vsfb_slow")
    assert answer.status == "in_progress" and counts(answer) == (2, 1, 0, 0, 3)
    httpx.post(f"{server.url}/__fake__/clock/advance", json={"seconds": 3}).raise_for_status()
    final = vector_stores.get_file_batch(vector_store_id="vs_slow", batch_id="vsfb_slow")
    assert final.status == "cancelled" and counts(final) == (0, 2, 0, 1, 3)


def test_a_second_cancel_over_raw_http_keeps_the_first_ones_moment(
    start_server: StartServer,
) -> None:
    server = start_server(GRADUAL_CANCEL)
    path = "/v1/vector_stores/vs_slow/file_batches/vsfb_slow"
    with server.http_client() as http:
        first = http.post(f"{path}/cancel")
        assert first.json()["status"] == "in_progress"
        assert first.headers["openai-poll-after-ms"] == "10"
        http.post("/__fake__/clock/advance", json={"seconds": 2.5})
        second = http.post(f"{path}/cancel").json()
        assert second["status"] == "in_progress"
        assert second["file_counts"]["in_progress"] == 1
        http.post("/__fake__/clock/advance", json={"seconds": 0.5})
        final = http.get(path)
        assert final.json()["status"] == "cancelled"
        assert "openai-poll-after-ms" not in final.headers


def test_files_that_never_finish_stay_in_progress_until_cancelled(
    start_server: StartServer,
) -> None:
    server = start_server(NEVER)
    client = server.openai_client()
    batches = client.vector_stores.file_batches
    httpx.post(f"{server.url}/__fake__/clock/advance", json={"seconds": 10**7}).raise_for_status()
    stuck = batches.retrieve("vsfb_stuck", vector_store_id="vs_stuck")
    assert stuck.status == "in_progress" and counts(stuck) == (2, 0, 0, 0, 2)
    store = client.vector_stores.retrieve("vs_stuck")
    assert store.status == "in_progress" and store.file_counts.in_progress == 2

    cancelled = batches.cancel("vsfb_stuck", vector_store_id="vs_stuck")
    assert cancelled.status == "cancelled" and counts(cancelled) == (0, 0, 0, 2, 2)
