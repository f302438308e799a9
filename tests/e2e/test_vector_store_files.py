"""The files of a vector store: their outcome, their order, and the store's own body."""

from __future__ import annotations

import httpx

from fake_server import ServerThread
from tests.conftest import API_KEY, StartServer, openai_client

AUTH = {"Authorization": f"Bearer {API_KEY}"}


def advance(server: ServerThread, seconds: float) -> None:
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
    client = openai_client(server)
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
    client = openai_client(server)
    upload = client.files.create(file=("a.txt", b"alpha"), purpose="assistants")
    store = client.vector_stores.create(name="docs", file_ids=[upload.id, "file-plain"])

    advance(server, 10)

    assert client.vector_stores.retrieve(store.id).file_counts.failed == 2
    assert {file.status for file in client.vector_stores.files.list(store.id)} == {"failed"}


def test_an_uploaded_file_s_own_outcome_wins_over_the_default(start_server: StartServer) -> None:
    server = start_server(FAILING_BY_DEFAULT)
    client = openai_client(server)
    store = client.vector_stores.create(name="docs")
    batch = client.vector_stores.file_batches.create(store.id, file_ids=["file-fine", "file-plain"])

    advance(server, 10)

    files = client.vector_stores.file_batches.list_files(batch.id, vector_store_id=store.id)
    assert {file.id: file.status for file in files} == {
        "file-fine": "completed",
        "file-plain": "failed",
    }
