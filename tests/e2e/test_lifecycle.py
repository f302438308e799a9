"""The whole file batch lifecycle through both SDKs: create, upload, poll, cancel."""

from __future__ import annotations

import io
import time

import httpx
import openai
import pytest

from fake_server.testing.handle import TEST_API_KEY, FakeServer
from tests.helpers import StartServer

POLLING = """
clock: {mode: virtual, start: 1704067200, advance_on_poll: 30}
defaults: {processing_seconds: 60}
"""
EMPTY_VIRTUAL = "clock: {mode: virtual, start: 1704067200}\ndefaults: {processing_seconds: 60}\n"


def journal(server: FakeServer) -> list[dict[str, object]]:
    entries: list[dict[str, object]] = httpx.get(f"{server.url}/__fake__/requests").json()[
        "requests"
    ]
    return entries


def advance(server: FakeServer, seconds: float) -> float:
    response = httpx.post(f"{server.url}/__fake__/clock/advance", json={"seconds": seconds})
    assert response.status_code == 200, response.text
    now: float = response.json()["now"]
    return now


def test_upload_and_poll_completes_on_virtual_time(start_server: StartServer) -> None:
    server = start_server(POLLING)
    client = server.openai_client()
    store = client.vector_stores.create(name="docs")

    started = time.perf_counter()
    batch = client.vector_stores.file_batches.upload_and_poll(
        store.id,
        files=[(f"doc{i}.txt", io.BytesIO(b"hello " * 10)) for i in range(3)],
    )
    elapsed = time.perf_counter() - started

    assert batch.status == "completed"
    assert batch.file_counts.completed == 3 and batch.file_counts.total == 3
    polls = [e for e in journal(server) if e["operation"] == "getVectorStoreFileBatch"]
    # Reads at 0 s and 30 s find it in progress (each adds 30 s); the third sees 60 s.
    assert len(polls) == 3
    print(f"upload_and_poll of 3 files took {elapsed * 1000:.0f} ms of wall time")


def test_create_and_poll_with_files_and_retrieve_the_store(start_server: StartServer) -> None:
    server = start_server(POLLING)
    client = server.openai_client()
    store = client.vector_stores.create(name="manuals", metadata={"team": "docs"})
    uploaded = [
        client.files.create(file=(f"m{i}.md", b"# manual"), purpose="assistants") for i in range(2)
    ]
    assert uploaded[0].bytes == len(b"# manual") and uploaded[0].filename == "m0.md"
    assert client.files.retrieve(uploaded[0].id).id == uploaded[0].id

    batch = client.vector_stores.file_batches.create_and_poll(
        store.id, files=[{"file_id": file.id} for file in uploaded]
    )

    assert batch.status == "completed"
    again = client.vector_stores.retrieve(store.id)
    assert again.file_counts.completed == 2
    assert again.usage_bytes == 2 * len(b"# manual")
    assert again.metadata == {"team": "docs"}
    listed = client.vector_stores.files.list(store.id)
    assert sorted(file.id for file in listed) == sorted(file.id for file in uploaded)


def test_a_created_batch_counts_every_file_in_progress(start_server: StartServer) -> None:
    server = start_server(EMPTY_VIRTUAL)
    client = server.openai_client()
    store = client.vector_stores.create()
    file = client.files.create(file=("a.txt", b"a"), purpose="assistants")

    batch = client.vector_stores.file_batches.create(store.id, file_ids=[file.id])

    assert batch.id.startswith("vsfb_") and len(batch.id) == 5 + 32
    assert batch.status == "in_progress"
    assert batch.file_counts.in_progress == batch.file_counts.total == 1
    assert client.vector_stores.retrieve(store.id).file_counts.in_progress == 1


MOMENTS = {"before": 0, "during": 30, "after": 90}  # the files take 20 s and 60 s


@pytest.mark.parametrize("outcome", ["completed", "failed"])
@pytest.mark.parametrize("moment", list(MOMENTS))
def test_cancel_moments_on_a_scripted_timeline(
    start_server: StartServer, moment: str, outcome: str
) -> None:
    server = start_server(
        f"""
        clock: {{mode: virtual, start: 1704067200}}
        files:
          - {{id: file-fast, processing_seconds: 20, outcome: {outcome}}}
          - {{id: file-slow, processing_seconds: 60, outcome: {outcome}}}
        vector_stores: [{{id: vs_t}}]
        """
    )
    client = server.openai_client()
    batch = client.vector_stores.file_batches.create("vs_t", file_ids=["file-fast", "file-slow"])
    advance(server, MOMENTS[moment])

    cancelled = client.vector_stores.file_batches.cancel(batch.id, vector_store_id="vs_t")

    finished = {"before": 0, "during": 1, "after": 2}[moment]
    counts = cancelled.file_counts
    assert counts.in_progress == 0
    assert counts.cancelled == 2 - finished
    assert getattr(counts, outcome) == finished
    assert counts.completed + counts.failed + counts.cancelled == counts.total == 2
    assert cancelled.status == ("cancelled" if finished < 2 else outcome)
    # Later reads and polls see the same batch: nothing is in progress any more.
    advance(server, 1000)
    assert client.vector_stores.file_batches.poll(batch.id, vector_store_id="vs_t") == cancelled


def test_files_finish_exactly_when_their_time_has_passed(start_server: StartServer) -> None:
    server = start_server(
        """
        clock: {mode: virtual, start: 1000}
        files:
          - {id: file-ok, processing_seconds: 10}
          - {id: file-bad, processing_seconds: 20, outcome: failed, error: {code: unsupported_file}}
        vector_stores: [{id: vs_t}]
        """
    )
    client = server.openai_client()
    batch = client.vector_stores.file_batches.create("vs_t", file_ids=["file-ok", "file-bad"])

    def counts() -> tuple[int, int, int]:
        got = client.vector_stores.file_batches.retrieve(batch.id, vector_store_id="vs_t")
        return got.file_counts.in_progress, got.file_counts.completed, got.file_counts.failed

    assert advance(server, 9.5) == 1009.5
    assert counts() == (2, 0, 0)
    advance(server, 0.5)
    assert counts() == (1, 1, 0)
    advance(server, 10)
    assert counts() == (0, 1, 1)
    failed = client.vector_stores.file_batches.list_files(
        batch.id, vector_store_id="vs_t", filter="failed"
    ).data[0]
    assert failed.last_error is not None and failed.last_error.code == "unsupported_file"
    final = client.vector_stores.file_batches.retrieve(batch.id, vector_store_id="vs_t")
    assert final.status == "completed", "a partly failed batch completes; failures are counted"


def test_poll_after_header_only_while_in_progress(start_server: StartServer) -> None:
    server = start_server(
        "clock: {mode: virtual, start: 0, poll_after_ms: 7}\n"
        "vector_stores:\n"
        "  - {id: vs_p, file_batches: [{id: vsfb_p, files: [{processing_seconds: 5}]}]}\n"
    )
    url = f"{server.url}/v1/vector_stores/vs_p/file_batches/vsfb_p"
    auth = {"Authorization": f"Bearer {TEST_API_KEY}"}
    assert httpx.get(url, headers=auth).headers["openai-poll-after-ms"] == "7"
    advance(server, 5)
    assert "openai-poll-after-ms" not in httpx.get(url, headers=auth).headers


def test_vector_store_listing_and_deletion(start_server: StartServer) -> None:
    server = start_server(EMPTY_VIRTUAL)
    client = server.openai_client()
    created = [client.vector_stores.create(name=f"s{i}") for i in range(3)]
    assert [s.id for s in client.vector_stores.list(order="asc")] == [s.id for s in created]

    deleted = client.vector_stores.delete(created[1].id)

    assert deleted.deleted is True and deleted.id == created[1].id
    with pytest.raises(openai.NotFoundError):
        client.vector_stores.retrieve(created[1].id)
    assert len(client.vector_stores.list().data) == 2


def test_mka1_sdk_lifecycle(start_server: StartServer) -> None:
    server = start_server(POLLING)
    sdk = server.mka1_client()
    store = sdk.llm.vector_stores.create(name="kb", x_on_behalf_of="user-7")
    assert store.retrieval_mode == "vector"
    upload = sdk.llm.files.upload(
        file={"file_name": "notes.txt", "content": b"some notes"}, purpose="assistants"
    )
    assert upload.bytes_ == len(b"some notes")

    batch = sdk.llm.vector_stores.create_file_batch(
        vector_store_id=store.id, file_ids=[upload.id], x_on_behalf_of="user-7"
    )
    assert batch.status == "in_progress" and batch.file_counts.in_progress == 1
    while sdk.llm.vector_stores.get_file_batch(
        vector_store_id=store.id, batch_id=batch.id
    ).file_counts.in_progress:
        pass  # each read advances the virtual clock by 30 s: two reads at most
    done = sdk.llm.vector_stores.get_file_batch(vector_store_id=store.id, batch_id=batch.id)
    assert done.status == "completed"
    files = sdk.llm.vector_stores.list_files_in_batch(vector_store_id=store.id, batch_id=batch.id)
    assert [file.id for file in files.data] == [upload.id]
    assert sdk.llm.vector_stores.get(vector_store_id=store.id).file_counts.completed == 1
    assert any(
        entry["headers"] == {**entry["headers"], "x-on-behalf-of": "user-7"}  # type: ignore[dict-item]
        for entry in journal(server)
        if entry["operation"] == "createVectorStoreFileBatch"
    )


def test_mka1_cancel_after_creating(start_server: StartServer) -> None:
    server = start_server(EMPTY_VIRTUAL)
    sdk = server.mka1_client()
    store = sdk.llm.vector_stores.create(name="kb")
    uploads = [
        # Distinct content: MKA1 refuses a batch holding the same content twice.
        sdk.llm.files.upload(
            file={"file_name": f"{i}.txt", "content": f"{i}".encode()}, purpose="assistants"
        )
        for i in range(3)
    ]
    batch = sdk.llm.vector_stores.create_file_batch(
        vector_store_id=store.id, file_ids=[u.id for u in uploads]
    )
    cancelled = sdk.llm.vector_stores.cancel_file_batch(vector_store_id=store.id, batch_id=batch.id)
    assert cancelled.status == "cancelled" and cancelled.file_counts.cancelled == 3
