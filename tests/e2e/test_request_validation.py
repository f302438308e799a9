"""Request bodies are checked against the request schemas; a bad one changes nothing.

The tables run in process (tests/api/test_request_validation.py); here a few
cases, the body size limit and the SDK's view go through a real server.
"""

from __future__ import annotations

import httpx
import openai
import pytest

from fake_server.testing.handle import TEST_API_KEY, FakeServer
from tests.helpers import StartServer

AUTH = {"Authorization": f"Bearer {TEST_API_KEY}"}
SCENARIO = """
clock: {mode: virtual, start: 0}
files: [{id: file-a}, {id: file-b}]
vector_stores: [{id: vs_v}]
"""


@pytest.fixture
def validating_server(start_server: StartServer) -> FakeServer:
    return start_server(SCENARIO)


@pytest.mark.parametrize("prefix", ["/v1", "/api/v1/llm"])
def test_a_bad_create_batch_body_gets_a_400_naming_the_parameter(
    validating_server: FakeServer, prefix: str
) -> None:
    # Every refusal is in tests/api/test_request_validation.py; one over the wire.
    response = httpx.post(
        f"{validating_server.url}{prefix}/vector_stores/vs_v/file_batches",
        json={"file_ids": ["file-a"], "colour": "blue"},
        headers=AUTH,
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == "colour"
    stores = httpx.get(f"{validating_server.url}/v1/vector_stores/vs_v", headers=AUTH).json()
    assert stores["file_counts"]["total"] == 0, "a refused request changes nothing"


def test_a_malformed_body_is_refused(validating_server: FakeServer) -> None:
    response = httpx.post(
        f"{validating_server.url}/v1/vector_stores/vs_v/file_batches",
        content=b"{not json",
        headers={**AUTH, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_json"


def test_an_oversized_body_gets_413(validating_server: FakeServer) -> None:
    response = httpx.post(
        f"{validating_server.url}/v1/vector_stores/vs_v/file_batches",
        content=b'{"file_ids": ["' + b"a" * (2 * 1024 * 1024) + b'"]}',
        headers={**AUTH, "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"


def test_the_openai_sdk_sees_validation_errors_as_bad_requests(
    validating_server: FakeServer,
) -> None:
    client = validating_server.openai_client()
    with pytest.raises(openai.BadRequestError) as raised:
        client.vector_stores.file_batches.create("vs_v", file_ids=["file-missing"])
    assert raised.value.param == "file_ids"
    with pytest.raises(openai.BadRequestError):
        client.vector_stores.create(name="x", extra_body={"nonsense": 1})


def test_a_bad_upload_is_refused(validating_server: FakeServer) -> None:
    response = httpx.post(
        f"{validating_server.url}/v1/files",
        files={"file": ("a.txt", b"a")},
        data={"purpose": "homework"},
        headers=AUTH,
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == "purpose"


def test_an_unknown_file_is_not_found(validating_server: FakeServer) -> None:
    with pytest.raises(openai.NotFoundError):
        validating_server.openai_client().files.retrieve("file-nothing")
