"""The inspector's request debugger over HTTP: one journaled request in full, with
no secret in it; and what the state read tells the timeline and the faults list."""

from __future__ import annotations

import json

import httpx
import pytest

from fake_server.http.record import MAX_BODY_BYTES
from fake_server.testing.handle import FakeServer
from tests.helpers import StartServer

TOKEN = "admin-token-for-the-inspector"
API_KEY = "my-own-key-0123"  # not key-shaped: only known to the session
SCENARIO = """
description: Keys and a gradual cancel.
clock: {mode: virtual, start: 1704067200}
auth: {api_keys: [my-own-key-0123]}
cancel: {mode: gradual, delay_seconds: 5}
vector_stores:
  - id: vs_a
    file_batches:
      - id: vsfb_a
        files:
          - {id: file-quick, processing_seconds: 2}
          - {id: file-slow, processing_seconds: 60}
"""
AUTH = {"Authorization": f"Bearer {API_KEY}"}
ADMIN = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def guarded(start_server: StartServer) -> FakeServer:
    return start_server(SCENARIO, admin_token=TOKEN)


def detail_of(server: FakeServer, request_id: str) -> httpx.Response:
    return httpx.get(f"{server.url}/__fake__/state/requests/{request_id}", headers=ADMIN)


def test_a_request_is_read_in_full_with_every_secret_redacted(guarded: FakeServer) -> None:
    sent = {
        "name": f"named {API_KEY} and {TOKEN}",
        "metadata": {"api_key": "plain", "note": "sk-proj-abcdefghijklmnop", "kept": "visible"},
    }
    created = httpx.post(f"{guarded.url}/v1/vector_stores", json=sent, headers=AUTH)
    detail = detail_of(guarded, created.headers["x-request-id"]).json()

    assert detail["request"]["operation"] == "createVectorStore"
    assert detail["request"]["duration_ms"] >= 0 and detail["request"]["wall_time"] > 1.7e9
    request_body = detail["request_body"]
    assert request_body["kind"] == "json" and not request_body["cut"]
    assert request_body["bytes"] == len(created.request.content)
    text = request_body["text"] + detail["response_body"]["text"]
    for secret in (API_KEY, TOKEN, "plain", "sk-proj-abcdefghijklmnop"):
        assert secret not in text
    assert '"kept": "visible"' in request_body["text"]
    assert '"object": "vector_store"' in detail["response_body"]["text"]
    assert detail["fault"] is None and detail["findings"] == []
    assert "authorization" not in str(detail["request"]["headers"]).lower()


def test_a_long_body_is_cut_saying_its_size_and_a_bodyless_one_has_none(
    guarded: FakeServer,
) -> None:
    long_name = "n" * 200
    metadata = {f"key{i}": "v" * 500 for i in range(16)}
    created = httpx.post(
        f"{guarded.url}/v1/vector_stores",
        json={"name": long_name, "metadata": metadata},
        headers=AUTH,
    )
    body = detail_of(guarded, created.headers["x-request-id"]).json()["request_body"]
    assert body["cut"] and body["kind"] == "text"
    assert body["bytes"] == len(created.request.content) > MAX_BODY_BYTES
    assert body["text"].endswith(f"... ({body['bytes']} bytes)")

    read = httpx.get(f"{guarded.url}/v1/vector_stores/vs_a", headers=AUTH)
    assert detail_of(guarded, read.headers["x-request-id"]).json()["request_body"] is None


def test_an_unknown_request_id_is_a_404(guarded: FakeServer) -> None:
    missing = detail_of(guarded, "req_0123")
    assert missing.status_code == 404 and missing.json()["error"]["param"] == "request_id"


def test_the_state_tells_faults_left_the_description_and_when_a_cancel_lands(
    guarded: FakeServer,
) -> None:
    httpx.post(
        f"{guarded.url}/__fake__/faults",
        json={"operation": "getVectorStore", "status": 500, "times": 2},
        headers=ADMIN,
    ).raise_for_status()
    failed = httpx.get(f"{guarded.url}/v1/vector_stores/vs_a", headers=AUTH)
    assert failed.status_code == 500
    httpx.post(
        f"{guarded.url}/v1/vector_stores/vs_a/file_batches/vsfb_a/cancel", headers=AUTH
    ).raise_for_status()
    state = httpx.get(f"{guarded.url}/__fake__/state", headers=ADMIN).json()

    assert state["description"] == "Keys and a gradual cancel."
    (fault,) = state["faults"]
    assert (fault["fired"], fault["left"], fault["rule"]["operation"]) == (1, 1, "getVectorStore")
    files = {file["id"]: file for file in state["vector_stores"][0]["file_batches"][0]["files"]}
    # The slow file's cancel is on its way (lands in 5 s); the quick one finishes first.
    assert files["file-slow"]["status"] == "in_progress"
    assert files["file-slow"]["cancelled_at"] == 1704067205
    assert files["file-quick"]["cancelled_at"] is None
    detail = detail_of(guarded, failed.headers["x-request-id"]).json()
    assert detail["fault"]["status"] == 500
    assert detail["request"]["fault"] == 0


PROBE_TOKEN = "ADMINTOKEN9999"
PROBE_SCENARIO = """
auth: {api_keys: [probe-key-0123]}
files:
  - {id: file-pw, filename: pw.md, content: "Refunds: the vault password is ADMINTOKEN9999."}
vector_stores:
  - id: vs_pw
    file_batches:
      - id: vsfb_pw
        files: [{id: file-pw, status: completed}]
"""


def test_the_state_and_the_detail_show_no_secret_of_a_query_a_question_or_an_answer(
    start_server: StartServer,
) -> None:
    server = start_server(PROBE_SCENARIO, admin_token=PROBE_TOKEN)
    auth = {"Authorization": "Bearer probe-key-0123"}
    listed = httpx.get(
        f"{server.url}/v1/vector_stores?api_key=sk-abcdefghijklmnop&limit=2", headers=auth
    )
    assert listed.status_code == 200
    answered = httpx.post(
        f"{server.url}/v1/responses",
        json={
            "model": "gpt-4o-mini",
            "input": "my key is sk-abcdefghijklmnopqrst and pw ADMINTOKEN9999 refunds "
            "probe-key-0123",
            "tools": [{"type": "file_search", "vector_store_ids": ["vs_pw"]}],
        },
        headers=auth,
    )
    assert answered.status_code == 200, answered.text
    admin = {"Authorization": f"Bearer {PROBE_TOKEN}"}
    state = httpx.get(f"{server.url}/__fake__/state", headers=admin).json()
    journal = httpx.get(f"{server.url}/__fake__/requests", headers=admin).json()["requests"]
    shown = [state["requests"], state["responses"], journal]
    for sent in (listed, answered):
        request_id = sent.headers["x-request-id"]
        shown.append(
            httpx.get(f"{server.url}/__fake__/state/requests/{request_id}", headers=admin).json()
        )
    text = json.dumps(shown)
    for secret in (PROBE_TOKEN, "abcdefghijklmnop", "probe-key-0123"):
        assert secret not in text
    (listing,) = [seen for seen in state["requests"] if seen["operation"] == "listVectorStores"]
    assert listing["query"] == "api_key=[redacted]&limit=2"
    assert journal[0]["query"] == "api_key=[redacted]&limit=2"
    (response,) = state["responses"]
    assert response["question"].startswith("my key is [redacted] and pw [redacted]")
    assert response["search"]["results"], response
