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
    assert set(body["error"]) == {"message", "type", "param", "code"}
    assert body["error"]["type"] == "invalid_request_error"
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

CREATE_BATCH = "/v1/vector_stores/vs_abc123/file_batches"
CREATE_STORE = "/v1/vector_stores"
HUGE = "9" * 5000

# (path, body, the parameter named, the code)
PROVIDER_NUMBERS: list[tuple[str, str, str | None, str]] = [
    (CREATE_BATCH, "NaN", None, "invalid_json"),
    (CREATE_BATCH, "1e999", None, "invalid_value"),
    (CREATE_BATCH, HUGE, None, "invalid_value"),
    (
        CREATE_BATCH,
        '{"file_ids": ["file-abc123"], "attributes": {"a": NaN}}',
        "attributes.a",
        "invalid_json",
    ),
    (
        CREATE_BATCH,
        '{"file_ids": ["file-abc123"], "attributes": {"a": Infinity}}',
        "attributes.a",
        "invalid_json",
    ),
    (
        CREATE_BATCH,
        '{"file_ids": ["file-abc123"], "attributes": {"a": -Infinity}}',
        "attributes.a",
        "invalid_json",
    ),
    (
        CREATE_BATCH,
        '{"file_ids": ["file-abc123"], "attributes": {"a": 1e999}}',
        "attributes.a",
        "invalid_value",
    ),
    (
        CREATE_BATCH,
        '{"file_ids": ["file-abc123"], "attributes": {"a": -1e999}}',
        "attributes.a",
        "invalid_value",
    ),
    (
        CREATE_BATCH,
        '{"file_ids": ["file-abc123"], "attributes": {"a": ' + HUGE + "}}",
        "attributes.a",
        "invalid_value",
    ),
    (
        CREATE_BATCH,
        '{"file_ids": ["file-abc123"], "attributes": {"a": ' + str(2**64) + "}}",
        "attributes.a",
        "invalid_value",
    ),
    (CREATE_BATCH, '{"file_ids": [NaN]}', "file_ids.0", "invalid_json"),
    (
        CREATE_BATCH,
        '{"files": [{"file_id": "file-abc123", "attributes": {"n": 1e400}}]}',
        "files.0.attributes.n",
        "invalid_value",
    ),
    (
        CREATE_BATCH,
        '{"file_ids": ["file-abc123"], "chunking_strategy": {"type": "static", "static": '
        '{"max_chunk_size_tokens": ' + HUGE + ', "chunk_overlap_tokens": 0}}}',
        "chunking_strategy.static.max_chunk_size_tokens",
        "invalid_value",
    ),
    (
        CREATE_BATCH,
        '{"file_ids": ["file-abc123"], "chunking_strategy": {"type": "static", "static": '
        '{"max_chunk_size_tokens": 800, "chunk_overlap_tokens": NaN}}}',
        "chunking_strategy.static.chunk_overlap_tokens",
        "invalid_json",
    ),
    (
        CREATE_STORE,
        '{"name": "x", "expires_after": {"anchor": "last_active_at", "days": 1e999}}',
        "expires_after.days",
        "invalid_value",
    ),
    (
        CREATE_STORE,
        '{"expires_after": {"anchor": "last_active_at", "days": ' + HUGE + "}}",
        "expires_after.days",
        "invalid_value",
    ),
    (CREATE_STORE, '{"metadata": {"k": NaN}}', "metadata.k", "invalid_json"),
    # A param cut from the client's text says how long it was.
    (
        CREATE_STORE,
        '{"' + "k" * 100_000 + '": NaN}',
        "k" * 64 + "... (100000 characters)",
        "invalid_json",
    ),
    (
        CREATE_STORE,
        "[" * 500 + "NaN" + "]" * 500,
        ("0" + ".0" * 499)[:64] + "... (999 characters)",
        "invalid_json",
    ),
]


@pytest.mark.parametrize(
    ("path", "body", "param", "code"), PROVIDER_NUMBERS, ids=range(len(PROVIDER_NUMBERS))
)
def test_a_number_no_field_can_hold_is_a_400_naming_the_parameter(
    client: httpx.Client, path: str, body: str, param: str | None, code: str
) -> None:
    error = _refused(client.post(path, headers=JSON, content=body.encode()))
    assert error["param"] == param
    if param and param.endswith(" characters)"):  # the message says the same length
        assert param[param.index("... ("):] in error["message"]
    assert error["code"] == code
    assert len(error["message"]) < 300
    stores = client.get("/v1/vector_stores", headers=AUTH).json()
    assert [store["id"] for store in stores["data"]] == ["vs_abc123"]


# --- numbers in the control plane ---------------------------------------------

ADVANCE_BODIES = [
    '{"seconds": NaN}',
    '{"seconds": Infinity}',
    '{"seconds": -Infinity}',
    '{"seconds": 1e999}',
    '{"seconds": -1e999}',
    '{"seconds": ' + HUGE + "}",
    '{"seconds": ' + str(2**64) + "}",
    '{"seconds": 1e10}',
    '{"seconds": 1000000001}',
    '{"seconds": 1.7976931348623157e308}',
    '{"seconds": -1}',
    '{"seconds": -0.5}',
    '{"seconds": "10"}',
    '{"seconds": true}',
    '{"seconds": null}',
    '{"seconds": [1]}',
    "{}",
]


@pytest.mark.parametrize("body", ADVANCE_BODIES, ids=range(len(ADVANCE_BODIES)))
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

RULE = '{"operation": "cancelVectorStoreFileBatch", '
# (rule body, the field named in the message)
FAULT_BODIES: list[tuple[str, str]] = [
    (RULE + '"status": 503.0}', "status"),
    (RULE + '"status": 5.03e2}', "status"),
    (RULE + '"status": 399}', "status"),
    (RULE + '"status": 600}', "status"),
    (RULE + '"status": -500}', "status"),
    (RULE + '"status": "503"}', "status"),
    (RULE + '"status": true}', "status"),
    (RULE + '"status": NaN}', "status"),
    (RULE + '"status": 1e999}', "status"),
    (RULE + '"status": ' + HUGE + "}", "status"),
    (RULE + '"status": 500, "times": 0}', "times"),
    (RULE + '"status": 500, "times": 1.0}', "times"),
    (RULE + '"status": 500, "times": 10000000000}', "times"),
    (RULE + '"status": 500, "times": Infinity}', "times"),
    (RULE + '"status": 500, "after": -1}', "after"),
    (RULE + '"status": 500, "after": 3.0}', "after"),
    (RULE + '"status": 500, "after": 10000000000}', "after"),
    (RULE + '"status": 500, "probability": 1.01}', "probability"),
    (RULE + '"status": 500, "probability": -1e-9}', "probability"),
    (RULE + '"status": 500, "probability": NaN}', "probability"),
    (RULE + '"status": 500, "seed": -1}', "seed"),
    (RULE + '"status": 500, "seed": 7.0}', "seed"),
    (RULE + '"status": 500, "seed": ' + str(2**62) + "}", "seed"),
    (RULE + '"status": 500, "seed": ' + str(2**70) + "}", "seed"),
    (RULE + '"latency_ms": 60001}', "latency_ms"),
    (RULE + '"latency_ms": -1}', "latency_ms"),
    (RULE + '"latency_ms": 1e300}', "latency_ms"),
    (RULE + '"latency_ms": Infinity}', "latency_ms"),
    (RULE + '"latency_ms": 1, "jitter_ms": 60001}', "jitter_ms"),
    (RULE + '"latency_ms": 1, "jitter_ms": -Infinity}', "jitter_ms"),
    (RULE + '"status": 429, "retry_after_ms": ' + "9" * 30 + "}", "retry_after_ms"),
    (RULE + '"status": 429, "retry_after_ms": 3600001}', "retry_after_ms"),
    (RULE + '"status": 429, "retry_after_ms": -1}', "retry_after_ms"),
    (RULE + '"status": 429, "retry_after_ms": 1000.0}', "retry_after_ms"),
    (RULE + '"status": 429, "retry_after_ms": 1e999}', "retry_after_ms"),
    (RULE + '"status": 500, "message": "' + "m" * 5000 + '"}', "message"),
    (RULE + '"status": 500, "code": "' + "c" * 300 + '"}', "code"),
    ('{"operation": "' + "o" * 60_000 + '", "status": 500}', "operation"),
]


@pytest.mark.parametrize(("body", "field"), FAULT_BODIES, ids=range(len(FAULT_BODIES)))
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
