"""Request bodies are checked against the request schemas; a bad one changes nothing.

In process; tests/e2e/test_request_validation.py keeps a few through a real server.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from fake_server.testing import FakeServer

SCENARIO = """
clock: {mode: virtual, start: 0}
files: [{id: file-a}, {id: file-b}]
vector_stores: [{id: vs_v}]
"""
pytestmark = pytest.mark.fake_server_scenario(SCENARIO)

BAD_CREATE_BODIES = {
    "too many": ({"file_ids": ["file-a"] * 2001}, "file_ids", "maximum length 2000"),
    "empty": ({"file_ids": []}, "file_ids", "minimum length 1"),
    "unknown field": (
        {"file_ids": ["file-a"], "colour": "blue"},
        "colour",
        "Unrecognized request argument",
    ),
    "neither": ({}, None, "'file_ids' or 'files'"),
    "wrong type": ({"file_ids": "file-a"}, "file_ids", "expected array"),
    "both": (
        {"file_ids": ["file-a"], "files": [{"file_id": "file-b"}]},
        "files",
        "mutually exclusive",
    ),
    "unknown id": ({"file_ids": ["file-nope"]}, "file_ids", "'file-nope' was not found"),
    "unknown id in files": (
        {"files": [{"file_id": "file-nope"}]},
        "files",
        "'file-nope' was not found",
    ),
    "twice": ({"file_ids": ["file-a", "file-a"]}, "file_ids", "listed twice"),
}


@pytest.fixture
def http(fake_server_inprocess: FakeServer) -> httpx.Client:
    return fake_server_inprocess.http_client()


def assert_nothing_changed(http: httpx.Client) -> None:
    store = http.get("/v1/vector_stores/vs_v").json()
    assert store["file_counts"]["total"] == 0, "a refused request changes nothing"


@pytest.mark.parametrize("prefix", ["/v1", "/api/v1/llm"])
@pytest.mark.parametrize("case", list(BAD_CREATE_BODIES))
def test_bad_create_batch_bodies_get_a_400_naming_the_parameter(
    http: httpx.Client, prefix: str, case: str
) -> None:
    body, param, words = BAD_CREATE_BODIES[case]
    response = http.post(f"{prefix}/vector_stores/vs_v/file_batches", json=body)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["param"] == param
    if prefix == "/v1":  # MKA1's request model words some refusals its own way
        assert words in error["message"]
    assert_nothing_changed(http)


@pytest.mark.parametrize(
    ("content", "content_type", "code"),
    [
        (b"{not json", "application/json", "invalid_json"),
        (b"[1, 2]", "application/json", "invalid_json"),
        (b"42", "application/json", "invalid_json"),
        (b"\xff\xfe", "application/json", "invalid_json"),
        (b'{"file_ids": ["file-a"]}', "text/plain", "invalid_content_type"),
    ],
)
def test_malformed_bodies_are_refused(
    http: httpx.Client, content: bytes, content_type: str, code: str
) -> None:
    response = http.post(
        "/v1/vector_stores/vs_v/file_batches",
        content=content,
        headers={"Content-Type": content_type},
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert_nothing_changed(http)


@pytest.mark.parametrize(
    ("files", "data", "param"),
    [
        ({"file": ("a.txt", b"a")}, {}, "purpose"),
        ({"file": ("a.txt", b"a")}, {"purpose": "homework"}, "purpose"),
        ({"purpose": (None, "assistants")}, {}, "file"),
    ],
)
def test_bad_uploads_are_refused(
    http: httpx.Client, files: Any, data: dict[str, str], param: str
) -> None:
    response = http.post("/v1/files", files=files, data=data)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == param
