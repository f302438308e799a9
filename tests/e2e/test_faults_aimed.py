"""Faults aimed at one store, batch or file, and injected answers marked as such."""

from __future__ import annotations

import logging

import httpx
import pytest

from fake_server.http.access_log import text_line
from fake_server.scenario.loading import parse_scenario
from fake_server.scenario.problems import ScenarioError
from fake_server.testing.handle import TEST_API_KEY, FakeServer

AUTH = {"Authorization": f"Bearer {TEST_API_KEY}"}
SCENARIO = """
vector_stores:
  - id: vs_one
    file_batches: [{id: vsfb_one, files: [{id: file-a, processing_seconds: 3600}]}]
  - id: vs_two
    file_batches: [{id: vsfb_two, files: [{id: file-b, processing_seconds: 3600}]}]
"""


def batch(store: str, batch_id: str) -> str:
    return f"/v1/vector_stores/{store}/file_batches/{batch_id}"


@pytest.mark.fake_server_scenario(SCENARIO)
def test_a_fault_for_one_batch_leaves_the_others_alone(fake_server: FakeServer) -> None:
    fake_server.add_fault("getVectorStoreFileBatch", status=503, batch_id="vsfb_two")
    with fake_server.http_client() as client:
        assert client.get(batch("vs_one", "vsfb_one")).status_code == 200
        assert client.get(batch("vs_two", "vsfb_two")).status_code == 503
        assert client.get(batch("vs_one", "vsfb_one")).status_code == 200


@pytest.mark.fake_server_scenario(SCENARIO)
def test_a_fault_for_one_store_counts_only_its_calls(fake_server: FakeServer) -> None:
    fake_server.add_fault(
        "getVectorStoreFileBatch", status=500, vector_store_id="vs_one", after=1, times=1
    )
    with fake_server.http_client() as client:
        statuses = [
            client.get(batch("vs_two", "vsfb_two")).status_code,
            client.get(batch("vs_one", "vsfb_one")).status_code,  # the one let through
            client.get(batch("vs_two", "vsfb_two")).status_code,
            client.get(batch("vs_one", "vsfb_one")).status_code,  # fires
            client.get(batch("vs_one", "vsfb_one")).status_code,  # times: 1
        ]
    assert statuses == [200, 200, 200, 500, 200]


@pytest.mark.fake_server_scenario(SCENARIO)
def test_an_injected_answer_is_marked_in_the_journal_and_the_log(
    fake_server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    fake_server.add_fault("getVectorStore", status=404)  # rule 0: never aimed at these
    fake_server.add_fault("getVectorStoreFileBatch", status=502, batch_id="nope", times=1)
    fake_server.add_fault("getVectorStoreFileBatch", status=500, times=1)  # rule 2
    with caplog.at_level(logging.INFO, "fake_server.access"), fake_server.http_client() as client:
        assert client.get(batch("vs_one", "vsfb_one")).status_code == 500
        assert client.get(batch("vs_one", "vsfb_one")).status_code == 200
    entries = fake_server.requests()
    assert [(entry["status"], entry["fault"]) for entry in entries] == [(500, 2), (200, None)]
    logged = [getattr(r, "fake_server", {}) for r in caplog.records]
    assert [fields.get("fault") for fields in logged if fields] == [2, None]


def test_a_rule_may_name_only_the_parameters_of_its_operations_path() -> None:
    with pytest.raises(ScenarioError) as refused:
        parse_scenario("faults: [{operation: listVectorStores, status: 500, batch_id: vsfb_1}]\n")
    (problem,) = refused.value.problems
    assert problem.field == "faults[0].batch_id"
    assert problem.line == 1
    assert "listVectorStores has no batch_id to aim at" in problem.message
    parse_scenario("faults: [{operation: getVectorStoreFile, status: 500, file_id: file-1}]\n")


def test_a_runtime_rule_is_checked_alike(fake_server: FakeServer) -> None:
    answer = httpx.post(
        f"{fake_server.url}/__fake__/faults",
        json={"operation": "createFile", "status": 500, "vector_store_id": "vs_1"},
    )
    assert answer.status_code == 400
    assert "createFile has no vector_store_id to aim at" in answer.json()["error"]["message"]


def test_a_text_log_line_says_fault() -> None:
    line = text_line("GET", "/v1/x", 500, "getVectorStore", 1.0, "req_1", None, 3)
    assert line.endswith("req_1 fault=3")
    assert "fault" not in text_line("GET", "/v1/x", 200, "getVectorStore", 1.0, "req_1", None)
