"""Hostile scenarios, numbers and fault rules against a real server.

Each input gets the exact 4xx in the envelope, within a request timeout, and
changes nothing: the default scenario's batch answers as before, the clock
keeps its time, no fault is added, and the server goes on answering.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from fake_server import Contract, ServerThread, create_app, parse_scenario
from fake_server.contract.resources import scenario_path
from tests.cases import text_id
from tests.cases.hostile_numbers import (
    ADVANCE_BODIES,
    CREATE_STORE,
    FAULT_BODIES,
    PROVIDER_NUMBERS,
    RULE,
)
from tests.cases.hostile_scenarios import ALL, MAX_MESSAGE_CHARACTERS

AUTH = {"Authorization": "Bearer k"}
JSON = {**AUTH, "Content-Type": "application/json"}
BATCH = "/v1/vector_stores/vs_abc123/file_batches/vsfb_abc123"
START = 1704067200
# Generous: each input must be refused in far less; a hang fails the test.
TIMEOUT = httpx.Timeout(60.0)


@pytest.fixture(scope="module")
def server(contract: Contract) -> Iterator[ServerThread]:
    """The default scenario on a virtual clock: one server for every case of this module,
    since no case may change anything."""
    text = scenario_path("default.yaml").read_text() + f"clock: {{mode: virtual, start: {START}}}\n"
    with ServerThread(create_app(parse_scenario(text, "default+virtual"), contract=contract)) as on:
        yield on


@pytest.fixture
def client(server: ServerThread) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=TIMEOUT) as client:
        yield client
        _assert_unchanged(client)


def _assert_unchanged(client: httpx.Client) -> None:
    assert client.get("/__fake__/health").json() == {"status": "ok"}
    batch = client.get(BATCH, headers=AUTH).json()
    assert batch["status"] == "in_progress"
    assert batch["file_counts"] == {
        "in_progress": 3,
        "completed": 0,
        "failed": 0,
        "cancelled": 0,
        "total": 3,
    }
    assert client.get("/__fake__/clock").json() == {"now": START, "mode": "virtual"}
    assert client.get("/__fake__/faults").json() == {"faults": []}


def _refused(response: httpx.Response, status: int = 400) -> dict[str, Any]:
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"] == "application/json"
    assert "Traceback" not in response.text
    body: Any = response.json()
    assert set(body) == {"error"}
    # A refused scenario lists its problems beside the message (issue 31).
    assert set(body["error"]) - {"problems"} == {"message", "type", "param", "code"}
    assert body["error"]["type"] == "invalid_request_error"
    for problem in body["error"].get("problems", []):
        assert len(problem["message"]) + len(problem["field"]) < 2500, "cut short, as the message"
    error: dict[str, Any] = body["error"]
    return error


# --- scenarios ---------------------------------------------------------------


@pytest.mark.parametrize("name", list(ALL))
def test_a_hostile_scenario_is_refused_and_the_state_stays(client: httpx.Client, name: str) -> None:
    case = ALL[name]
    error = _refused(client.put("/__fake__/scenario", content=case.text.encode()))
    assert error["code"] == "invalid_scenario"
    assert error["message"].startswith("The scenario was refused:\n<PUT /__fake__/scenario>")
    assert case.words in error["message"]
    assert case.field[:40] in error["message"]
    if case.line is not None:
        assert f"<PUT /__fake__/scenario>:{case.line}: " in error["message"]
    assert len(error["message"]) <= MAX_MESSAGE_CHARACTERS


# --- numbers in provider bodies ------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "param", "code"),
    PROVIDER_NUMBERS,
    ids=[f"{path.rsplit('/', 1)[1]} {text_id(body)}" for path, body, _, _ in PROVIDER_NUMBERS],
)
def test_a_number_no_field_can_hold_is_a_400_naming_the_parameter(
    client: httpx.Client, path: str, body: str, param: str | None, code: str
) -> None:
    error = _refused(client.post(path, headers=JSON, content=body.encode()))
    assert error["param"] == param
    if param and param.endswith(" characters)"):  # the message says the same length
        assert param[param.index("... (") :] in error["message"]
    assert error["code"] == code
    assert len(error["message"]) < 300
    stores = client.get("/v1/vector_stores", headers=AUTH).json()
    assert [store["id"] for store in stores["data"]] == ["vs_abc123"]


# --- numbers in the control plane ---------------------------------------------


@pytest.mark.parametrize("body", ADVANCE_BODIES, ids=text_id)
def test_the_clock_refuses_an_advance_it_could_not_hold(client: httpx.Client, body: str) -> None:
    error = _refused(client.post("/__fake__/clock/advance", content=body.encode()))
    assert error["param"] == "seconds"


def test_the_largest_advance_keeps_the_clock_valid_json(contract: Contract) -> None:
    app = create_app(
        parse_scenario("clock: {mode: virtual, start: 253402300799}\n"), contract=contract
    )
    with ServerThread(app) as other, httpx.Client(base_url=other.url, timeout=TIMEOUT) as client:
        for _ in range(3):
            advanced = client.post("/__fake__/clock/advance", json={"seconds": 1_000_000_000})
            assert advanced.status_code == 200
        assert client.get("/__fake__/clock").json()["now"] == 253402300799 + 3_000_000_000
        created = client.post(CREATE_STORE, headers=JSON, json={"name": "late"})
        assert created.status_code == 200
        assert created.json()["created_at"] == 253402300799 + 3_000_000_000


# --- fault rules -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    FAULT_BODIES,
    ids=[text_id(body.removeprefix(RULE)) for body, _ in FAULT_BODIES],
)
def test_a_fault_rule_out_of_range_is_refused(client: httpx.Client, body: str, field: str) -> None:
    error = _refused(client.post("/__fake__/faults", content=body.encode()))
    named = error["param"] == field or f": {field}: " in error["message"]
    assert named, error
    assert len(error["message"]) < 1000


def test_a_rule_at_its_bounds_answers_exactly_what_it_says(client: httpx.Client) -> None:
    rule = {
        "operation": "getVectorStoreFileBatch",
        "status": 599,
        "times": 1,
        "after": 0,
        "probability": 1,
        "seed": 2**53 - 1,
        "retry_after_ms": 3_600_000,
        "message": "m" * 4096,
    }
    assert client.post("/__fake__/faults", json=rule).status_code == 200
    answer = client.get(BATCH, headers=AUTH)
    assert answer.status_code == 599
    assert answer.headers["retry-after-ms"] == "3600000"
    assert answer.headers["retry-after"] == "3600"
    assert answer.json()["error"]["message"] == "m" * 4096
    assert client.delete("/__fake__/faults").status_code == 200
