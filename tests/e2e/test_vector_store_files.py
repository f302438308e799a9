"""The files of a vector store: their outcome, their order, and the store's own body."""

from __future__ import annotations

import httpx
import pytest

from fake_server.testing.handle import TEST_API_KEY, FakeServer
from tests.helpers import StartServer

AUTH = {"Authorization": f"Bearer {TEST_API_KEY}"}


def advance(server: FakeServer, seconds: float) -> None:
    response = httpx.post(f"{server.url}/__fake__/clock/advance", json={"seconds": seconds})
    assert response.status_code == 200, response.text


# --- defaults.outcome applies to files added at runtime ------------------------

FAILING_BY_DEFAULT = """
clock: {mode: virtual, start: 1704067200}
defaults:
  processing_seconds: 10
  outcome: failed
  error: {code: unsupported_file}
files:
  - {id: file-fine, outcome: completed}
  - {id: file-plain}
"""


def test_an_uploaded_file_added_to_a_batch_takes_the_default_outcome(
    start_server: StartServer,
) -> None:
    server = start_server(FAILING_BY_DEFAULT)
    client = server.openai_client()
    store = client.vector_stores.create(name="docs")
    upload = client.files.create(file=("a.txt", b"alpha"), purpose="assistants")
    batch = client.vector_stores.file_batches.create(store.id, file_ids=[upload.id])

    advance(server, 10)

    done = client.vector_stores.file_batches.retrieve(batch.id, vector_store_id=store.id)
    assert done.status == "failed" and done.file_counts.failed == 1
    (file,) = client.vector_stores.file_batches.list_files(batch.id, vector_store_id=store.id)
    assert file.status == "failed"
    assert file.last_error is not None and file.last_error.code == "unsupported_file"


def test_files_of_a_new_vector_store_take_the_default_outcome(start_server: StartServer) -> None:
    server = start_server(FAILING_BY_DEFAULT)
    client = server.openai_client()
    upload = client.files.create(file=("a.txt", b"alpha"), purpose="assistants")
    store = client.vector_stores.create(name="docs", file_ids=[upload.id, "file-plain"])

    advance(server, 10)

    assert client.vector_stores.retrieve(store.id).file_counts.failed == 2
    assert {file.status for file in client.vector_stores.files.list(store.id)} == {"failed"}


def test_an_uploaded_file_s_own_outcome_wins_over_the_default(start_server: StartServer) -> None:
    server = start_server(FAILING_BY_DEFAULT)
    client = server.openai_client()
    store = client.vector_stores.create(name="docs")
    batch = client.vector_stores.file_batches.create(store.id, file_ids=["file-fine", "file-plain"])

    advance(server, 10)

    files = client.vector_stores.file_batches.list_files(batch.id, vector_store_id=store.id)
    assert {file.id: file.status for file in files} == {
        "file-fine": "completed",
        "file-plain": "failed",
    }


# --- a vector store's files are listed by creation time ------------------------

OUT_OF_ORDER = """
clock: {mode: virtual, start: 1704067200}
vector_stores:
  - id: vs_o
    created_at: 1704067100
    file_batches:
      - id: vsfb_late
        created_at: 1704067300
        files: [{id: file-late}]
      - id: vsfb_early
        created_at: 1704067100
        files: [{id: file-early-1}, {id: file-early-2}]
"""


def listed(server: FakeServer, query: str = "") -> list[str]:
    body = httpx.get(f"{server.url}/v1/vector_stores/vs_o/files?{query}", headers=AUTH).json()
    return [item["id"] for item in body["data"]]


def test_vector_store_files_follow_creation_time_not_the_scenario_s_order(
    start_server: StartServer,
) -> None:
    server = start_server(OUT_OF_ORDER)

    # Ties (the two early files) keep the order they were added in.
    assert listed(server, "order=asc") == ["file-early-1", "file-early-2", "file-late"]
    assert listed(server) == ["file-late", "file-early-2", "file-early-1"]
    assert listed(server, "order=asc&after=file-early-2") == ["file-late"]
    assert listed(server, "limit=1&after=file-late") == ["file-early-2"]


def test_a_file_added_again_is_listed_once_at_its_new_time(start_server: StartServer) -> None:
    server = start_server(OUT_OF_ORDER)
    client = server.openai_client()
    advance(server, 200)  # now 1704067400: after every file so far

    client.vector_stores.file_batches.create("vs_o", file_ids=["file-early-1"])

    assert listed(server, "order=asc") == ["file-early-2", "file-late", "file-early-1"]
    again = client.vector_stores.files.retrieve("file-early-1", vector_store_id="vs_o")
    assert again.created_at == 1704067400 and again.status == "in_progress"


# --- a vector store says it never expires --------------------------------------

PREFIXES = ["/v1", "/api/v1/llm", "/spec/v1"]


@pytest.mark.parametrize("prefix", PREFIXES)
def test_a_vector_store_body_carries_expires_at_null(server: FakeServer, prefix: str) -> None:
    with httpx.Client(base_url=server.url + prefix, headers=AUTH) as http:
        created = http.post("/vector_stores", json={"name": "docs"})
        retrieved = http.get(f"/vector_stores/{created.json()['id']}")
        listed = http.get("/vector_stores")
    for response in (created, retrieved):
        assert response.status_code == 200, response.text
        assert response.json()["expires_at"] is None
        assert "expires_after" not in response.json()
    assert listed.status_code == 200, listed.text
    assert all(store["expires_at"] is None for store in listed.json()["data"])


def test_both_sdks_read_expires_at_as_none(server: FakeServer) -> None:
    assert server.openai_client().vector_stores.retrieve("vs_abc123").expires_at is None
    store = server.mka1_client().llm.vector_stores.get(vector_store_id="vs_abc123")
    assert store.expires_at is None
