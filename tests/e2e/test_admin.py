"""The control plane: journal, reset, scenario replacement, clock."""

from __future__ import annotations

import httpx

from fake_server.testing.handle import TEST_API_KEY, FakeServer
from tests.helpers import StartServer

AUTH = {"Authorization": f"Bearer {TEST_API_KEY}"}
BATCH = "/v1/vector_stores/vs_abc123/file_batches/vsfb_abc123"


def test_journal_records_provider_requests_oldest_first(server: FakeServer) -> None:
    httpx.get(server.url + BATCH, headers={**AUTH, "X-On-Behalf-Of": "user-1"})
    httpx.post(server.url + BATCH + "/cancel", headers=AUTH)
    httpx.get(server.url + "/v1/nowhere", headers=AUTH)
    httpx.get(server.url + "/__fake__/health")  # the control plane is not journaled

    entries = httpx.get(f"{server.url}/__fake__/requests").json()["requests"]

    assert [(e["method"], e["operation"], e["status"]) for e in entries] == [
        ("GET", "getVectorStoreFileBatch", 200),
        ("POST", "cancelVectorStoreFileBatch", 200),
        ("GET", None, 404),
    ]
    assert entries[0]["path"] == BATCH
    assert entries[0]["headers"]["x-on-behalf-of"] == "user-1"
    assert all(isinstance(e["time"], float) for e in entries)


def test_journal_is_bounded_and_can_be_cleared(start_server: StartServer) -> None:
    server = start_server(
        "journal: {max_entries: 3}\n"
        "vector_stores: [{id: vs_j, file_batches: [{id: vsfb_j, files: [{}]}]}]\n"
    )
    for limit in range(1, 6):
        httpx.get(
            f"{server.url}/v1/vector_stores/vs_j/file_batches/vsfb_j/files?limit={limit}",
            headers=AUTH,
        )
    entries = httpx.get(f"{server.url}/__fake__/requests").json()["requests"]
    assert [e["query"] for e in entries] == ["limit=3", "limit=4", "limit=5"]

    assert httpx.delete(f"{server.url}/__fake__/requests").json() == {"requests": []}
    assert httpx.get(f"{server.url}/__fake__/requests").json() == {"requests": []}


def test_reset_returns_to_the_loaded_scenario(start_server: StartServer) -> None:
    server = start_server(
        "clock: {mode: virtual, start: 100}\n"
        "vector_stores: [{id: vs_abc123, file_batches: [{id: vsfb_abc123, files: [{}]}]}]\n"
    )
    client = server.openai_client()
    client.vector_stores.file_batches.cancel("vsfb_abc123", vector_store_id="vs_abc123")
    client.vector_stores.create(name="extra")
    httpx.post(f"{server.url}/__fake__/clock/advance", json={"seconds": 50})

    reset = httpx.post(f"{server.url}/__fake__/reset")

    assert reset.status_code == 200
    assert reset.json()["now"] == 100
    batch = client.vector_stores.file_batches.retrieve("vsfb_abc123", vector_store_id="vs_abc123")
    assert batch.status == "in_progress"
    assert [store.id for store in client.vector_stores.list()] == ["vs_abc123"]
    assert httpx.get(f"{server.url}/__fake__/requests").json()["requests"][0]["operation"] == (
        "getVectorStoreFileBatch"
    )


def test_a_scenario_can_be_replaced(server: FakeServer) -> None:
    replacement = "vector_stores: [{id: vs_new, file_batches: [{id: vsfb_new, files: [{}, {}]}]}]\n"
    loaded = httpx.put(f"{server.url}/__fake__/scenario", content=replacement)
    assert loaded.status_code == 200
    assert loaded.json()["scenario"] == "1 vector stores, 1 file batches, 2 files"
    client = server.openai_client()
    assert (
        client.vector_stores.file_batches.retrieve(
            "vsfb_new", vector_store_id="vs_new"
        ).file_counts.total
        == 2
    )
    # Reset now returns to the replacement.
    httpx.post(f"{server.url}/__fake__/reset")
    assert [store.id for store in client.vector_stores.list()] == ["vs_new"]


def test_a_bad_replacement_is_refused_and_the_state_stays(server: FakeServer) -> None:
    client = server.openai_client()
    client.vector_stores.file_batches.cancel("vsfb_abc123", vector_store_id="vs_abc123")

    refused = httpx.put(
        f"{server.url}/__fake__/scenario",
        content="vector_stores:\n  - id: vs_x\n    file_batches:\n      - files: 7\n",
    )

    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["code"] == "invalid_scenario"
    assert (
        "<PUT /__fake__/scenario>:4: vector_stores[0].file_batches[0].files: expected a list"
        in (error["message"])
    )
    batch = client.vector_stores.file_batches.retrieve("vsfb_abc123", vector_store_id="vs_abc123")
    assert batch.status == "cancelled", "the refused scenario changed nothing"


def test_invalid_yaml_replacement_is_refused(server: FakeServer) -> None:
    refused = httpx.put(f"{server.url}/__fake__/scenario", content=b"clock: [unclosed\n")
    assert refused.status_code == 400
    assert "invalid YAML" in refused.json()["error"]["message"]
    refused = httpx.put(f"{server.url}/__fake__/scenario", content=b"\xff\xfe")
    assert refused.status_code == 400


def test_clock_can_be_read_and_a_virtual_one_advanced(start_server: StartServer) -> None:
    server = start_server("clock: {mode: virtual, start: 1000}\n")
    assert httpx.get(f"{server.url}/__fake__/clock").json() == {"now": 1000, "mode": "virtual"}
    advanced = httpx.post(f"{server.url}/__fake__/clock/advance", json={"seconds": 2.5})
    assert advanced.json() == {"now": 1002.5, "mode": "virtual"}
    for bad in ({"seconds": -1}, {"seconds": "10"}, {}, {"seconds": True}):
        response = httpx.post(f"{server.url}/__fake__/clock/advance", json=bad)
        assert response.status_code == 400
        assert response.json()["error"]["param"] == "seconds"
    assert httpx.get(f"{server.url}/__fake__/clock").json()["now"] == 1002.5


def test_a_real_clock_cannot_be_advanced(server: FakeServer) -> None:
    response = httpx.post(f"{server.url}/__fake__/clock/advance", json={"seconds": 5})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "real_clock"
    assert httpx.get(f"{server.url}/__fake__/clock").json()["mode"] == "real"
