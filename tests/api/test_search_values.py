"""Search filters compare JSON values by type, and ``max_num_results`` is bounded
(1..50) the same way in every dialect: a refusal is a 400 in the envelope that
changes nothing, and the server goes on serving."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from fake_server.testing.handle import FakeServer

SCENARIO = """
clock: {mode: virtual, start: 0}
files:
  - {id: file-one, content: "apple one"}
  - {id: file-true, content: "apple true"}
  - {id: file-false, content: "apple false"}
  - {id: file-float, content: "apple float"}
  - {id: file-text, content: "apple text"}
vector_stores:
  - id: vs_v
    file_batches:
      - files:
          - {id: file-one, status: completed, attributes: {v: 1}}
          - {id: file-true, status: completed, attributes: {v: true}}
          - {id: file-false, status: completed, attributes: {v: false}}
          - {id: file-float, status: completed, attributes: {v: 1.0}}
          - {id: file-text, status: completed, attributes: {v: "1"}}
"""
pytestmark = pytest.mark.fake_server_scenario(SCENARIO)
PREFIXES = ["/v1", "/api/v1/llm", "/spec/v1"]
EVERY = {"file-one", "file-true", "file-false", "file-float", "file-text"}


@pytest.fixture
def http(fake_server_inprocess: FakeServer) -> httpx.Client:
    return fake_server_inprocess.http_client()


def found(http: httpx.Client, prefix: str, body: dict[str, Any]) -> set[str]:
    response = http.post(f"{prefix}/vector_stores/vs_v/search", json={"query": "apple", **body})
    assert response.status_code == 200, response.text
    return {hit["file_id"] for hit in response.json()["data"]}


def store_state(http: httpx.Client) -> list[Any]:
    return [
        http.get(path).json() for path in ("/v1/vector_stores/vs_v", "/v1/vector_stores/vs_v/files")
    ]


def comparison(kind: str, value: Any) -> dict[str, Any]:
    return {"filters": {"type": kind, "key": "v", "value": value}, "max_num_results": 50}


# (filter type, value) -> the files it keeps: a boolean is no number, a number
# no string; 1 and 1.0 are one number.
CASES = [
    ("eq", True, {"file-true"}),
    ("eq", 1, {"file-one", "file-float"}),
    ("eq", 1.0, {"file-one", "file-float"}),
    ("eq", 0, set()),
    ("eq", False, {"file-false"}),
    ("eq", "1", {"file-text"}),
    ("ne", True, EVERY - {"file-true"}),
    ("ne", 1, EVERY - {"file-one", "file-float"}),
    ("ne", 0, EVERY),
    ("in", [1], {"file-one", "file-float"}),
    ("in", [0, "x"], set()),
    ("nin", [1, "x"], {"file-true", "file-false", "file-text"}),
    ("nin", ["1"], EVERY - {"file-text"}),
    ("gte", 1, {"file-one", "file-float"}),
    ("gt", 0, {"file-one", "file-float"}),
    ("lt", 2, {"file-one", "file-float"}),
    ("lte", True, set()),
    ("gt", False, set()),
    ("lt", "2", {"file-text"}),
]


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize(("kind", "value", "expected"), CASES)
def test_filters_compare_json_values_by_type(
    http: httpx.Client, prefix: str, kind: str, value: Any, expected: set[str]
) -> None:
    assert found(http, prefix, comparison(kind, value)) == expected


def test_a_compound_filter_keeps_the_types_apart(http: httpx.Client) -> None:
    either = [{"type": "eq", "key": "v", "value": value} for value in (True, 0)]
    assert found(http, "/v1", {"filters": {"type": "or", "filters": either}}) == {"file-true"}


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (-1, "-1 is less than the minimum of 1"),
        (0, "0 is less than the minimum of 1"),
        (51, "51 is greater than the maximum of 50"),
    ],
)
def test_max_num_results_out_of_range_is_refused_alike_in_every_dialect(
    http: httpx.Client, prefix: str, value: int, problem: str
) -> None:
    before = store_state(http)
    response = http.post(
        f"{prefix}/vector_stores/vs_v/search", json={"query": "apple", "max_num_results": value}
    )
    assert response.status_code == 400, response.text
    assert response.json() == {
        "error": {
            "message": f"Invalid 'max_num_results': {problem}",
            "type": "invalid_request_error",
            "param": "max_num_results",
            "code": None,
        }
    }
    assert store_state(http) == before, "a refused search changes nothing"
    assert found(http, prefix, {"max_num_results": 1}) == {"file-one"}, "others still served"


@pytest.mark.parametrize("prefix", PREFIXES)
def test_max_num_results_within_range_is_honoured(http: httpx.Client, prefix: str) -> None:
    assert len(found(http, prefix, {"max_num_results": 50})) == 5
    assert len(found(http, prefix, {"max_num_results": 2})) == 2
    assert len(found(http, prefix, {})) == 5  # the default: 10
