"""Expiry and deletion give an upload's bytes back, and an expired file's text is
served nowhere: not by its download, its vector store file content, or search.

The session's content budget is made small here so the test is quick; the
rule does not depend on its size (64 MiB by default).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from fake_server.domain.account import Account
from fake_server.domain.clock import VirtualClock
from fake_server.domain.search import ScriptedAnswer, ScriptedResult, SearchRequest
from fake_server.testing.handle import FakeServer

SCENARIO = """
clock: {mode: virtual, start: 0}
defaults: {processing_seconds: 1}
vector_stores: [{id: vs_v}]
"""
pytestmark = pytest.mark.fake_server_scenario(SCENARIO)
BUDGET = 4096
TEXT = (b"apple " * BUDGET)[:BUDGET]
EXPIRING = {"expires_after[anchor]": "created_at", "expires_after[seconds]": "3600"}


@pytest.fixture
def server(fake_server_inprocess: FakeServer) -> FakeServer:
    fake_server_inprocess.state.account.contents.limit = BUDGET
    return fake_server_inprocess


def upload(http: httpx.Client, data: bytes, **fields: str) -> httpx.Response:
    return http.post(
        "/v1/files", data={"purpose": "assistants", **fields}, files={"file": ("a.txt", data)}
    )


def search(http: httpx.Client, prefix: str = "/v1") -> list[Any]:
    response = http.post(f"{prefix}/vector_stores/vs_v/search", json={"query": "apple"})
    assert response.status_code == 200, response.text
    data: list[Any] = response.json()["data"]
    return data


def test_an_expired_upload_gives_its_bytes_back_and_its_text_is_served_nowhere(
    server: FakeServer,
) -> None:
    http = server.http_client()
    first = upload(http, TEXT, **EXPIRING)
    assert first.status_code == 200, first.text
    file_id = first.json()["id"]
    attached = http.post("/v1/vector_stores/vs_v/files", json={"file_id": file_id})
    assert attached.status_code == 200, attached.text
    server.advance(5)
    assert [hit["file_id"] for hit in search(http)] == [file_id]
    full = upload(http, TEXT)
    assert full.status_code == 413, "the budget is spent while the file lives"
    assert full.json()["error"]["type"] == "invalid_request_error"

    server.advance(3600)
    assert http.get(f"/v1/files/{file_id}").status_code == 404
    assert http.get(f"/v1/files/{file_id}/content").status_code == 404
    assert http.delete(f"/v1/files/{file_id}").status_code == 404
    content = http.get(f"/v1/vector_stores/vs_v/files/{file_id}/content")
    assert content.status_code == 200, content.text
    assert content.json()["data"] == []
    mka1 = http.get(f"/api/v1/llm/vector_stores/vs_v/files/{file_id}/content")
    assert mka1.status_code == 200, mka1.text
    assert mka1.json()["content"] == []
    assert search(http) == [] and search(http, "/api/v1/llm") == []

    again = upload(http, TEXT)
    assert again.status_code == 200, "expiry gave the bytes back"
    assert upload(http, b"x").status_code == 413, "the budget still holds"
    assert http.get("/v1/files").status_code == 200, "the server still serves"


def test_deleting_an_upload_gives_its_bytes_back(server: FakeServer) -> None:
    http = server.http_client()
    first = upload(http, TEXT)
    assert upload(http, TEXT).status_code == 413
    assert http.delete(f"/v1/files/{first.json()['id']}").status_code == 200
    assert upload(http, TEXT).status_code == 200


def test_a_scripted_answer_does_not_name_an_expired_file() -> None:
    clock = VirtualClock(0)
    account = Account(clock)
    store = account.create_vector_store("docs")
    kept = account.upload_file("a.txt", 5, "assistants", content=b"apple")
    gone = account.upload_file(
        "b.txt", 5, "assistants", content=b"apple", expires_after_seconds=3600
    )
    account.create_batch(store.id, [kept.id, gone.id])
    answer = ScriptedAnswer("apple", None, (ScriptedResult(gone.id), ScriptedResult(kept.id)))
    account.scripted_searches[store.id] = (answer,)
    clock.advance(10)
    names = [hit.file_id for hit in account.search_vector_store(store.id, SearchRequest(["apple"]))]
    assert names == [gone.id, kept.id]
    clock.advance(3600)
    names = [hit.file_id for hit in account.search_vector_store(store.id, SearchRequest(["apple"]))]
    assert names == [kept.id]
