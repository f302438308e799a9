"""The control plane for every language: its OpenAPI document, refusals with
their problems listed, journal entries naming their request id, and the root."""

from __future__ import annotations

import httpx
import jsonschema

from fake_server.contract.operations import CONTROL_OPERATIONS
from fake_server.testing.handle import TEST_API_KEY, FakeServer

AUTH = {"Authorization": f"Bearer {TEST_API_KEY}"}
BATCH = "/v1/vector_stores/vs_abc123/file_batches/vsfb_abc123"


def test_the_control_plane_publishes_its_openapi_document(server: FakeServer) -> None:
    answer = httpx.get(f"{server.url}/__fake__/openapi/admin.json")
    assert answer.status_code == 200
    document = answer.json()
    assert document["openapi"] == "3.1.0"
    operations = {
        operation["operationId"]: (method, path)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    }
    assert set(operations) == {op.id for op in CONTROL_OPERATIONS}
    assert operations["fakeLoadScenario"] == ("put", "/__fake__/scenario")
    assert operations["fakeIndex"] == ("get", "/")
    health = document["paths"]["/__fake__/health"]["get"]
    assert "security" not in health  # open: probes need no token
    assert document["paths"]["/__fake__/reset"]["post"]["security"] == [{"bearer": []}, {}]
    refused = document["paths"]["/__fake__/scenario"]["put"]["responses"]["400"]
    assert refused["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ScenarioRefused"
    }


def test_an_unknown_document_names_the_admin_one_too(server: FakeServer) -> None:
    answer = httpx.get(f"{server.url}/__fake__/openapi/nope.json")
    assert answer.status_code == 404
    assert "one of: openai, mka1, spec, admin" in answer.json()["error"]["message"]


def test_a_refused_scenario_lists_its_problems(own_server: FakeServer) -> None:
    text = "vector_stores:\n  - id: vs_a\n    colour: red\nclock: {mode: sideways}\n"
    answer = httpx.put(f"{own_server.url}/__fake__/scenario", content=text)
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["message"].startswith("The scenario was refused:\n")
    problems = error["problems"]
    assert {problem["field"] for problem in problems} >= {"vector_stores[0].colour", "clock.mode"}
    for problem in problems:
        assert set(problem) == {"file", "line", "column", "field", "message"}
        assert problem["file"] == "<PUT /__fake__/scenario>"
        assert problem["message"] in error["message"]
    assert next(p for p in problems if p["field"] == "clock.mode")["line"] == 4
    document = httpx.get(f"{own_server.url}/__fake__/openapi/admin.json").json()
    jsonschema.validate(
        answer.json(),
        {**document["components"]["schemas"]["ScenarioRefused"], **_components(document)},
    )


def _components(document: dict[str, object]) -> dict[str, object]:
    components = document["components"]
    assert isinstance(components, dict)
    return {"components": components}


def test_journal_entries_carry_the_request_id_the_answer_gave(server: FakeServer) -> None:
    answer = httpx.get(server.url + BATCH, headers=AUTH)
    entries = httpx.get(f"{server.url}/__fake__/requests").json()["requests"]
    assert entries[-1]["request_id"] == answer.headers["x-request-id"]
    assert entries[-1]["request_id"].startswith("req_")


def test_the_root_points_onward(server: FakeServer) -> None:
    answer = httpx.get(server.url + "/")
    assert answer.status_code == 200
    body = answer.json()
    assert body["inspector"] == "/__fake__/ui"
    assert body["openapi"]["admin"] == "/__fake__/openapi/admin.json"
    assert body["openapi"]["openai"] == "/__fake__/openapi/openai.json"
    assert "docs/" in body["docs"]
    for path in body["openapi"].values():
        assert httpx.get(server.url + path).status_code == 200
    # The root is not the client's request: the journal does not show it.
    assert httpx.get(f"{server.url}/__fake__/requests").json()["requests"] == []


def test_a_refused_fault_lists_its_problems(server: FakeServer) -> None:
    answer = httpx.post(
        f"{server.url}/__fake__/faults", json={"operation": "createFile", "status": 99}
    )
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "invalid_fault"
    assert error["message"].startswith("The fault was refused:\n")
    (problem,) = error["problems"]
    assert problem["file"] == "<POST /__fake__/faults>"
    assert problem["field"] == "status" == error["param"]
