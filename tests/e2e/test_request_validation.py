"""Request bodies are checked against the request schemas; a bad one changes nothing."""

from __future__ import annotations

from typing import Any

import httpx
import openai
import pytest

from fake_server import ServerThread
from tests.conftest import API_KEY, StartServer, openai_client

AUTH = {"Authorization": f"Bearer {API_KEY}"}
SCENARIO = """
clock: {mode: virtual, start: 0}
files: [{id: file-a}, {id: file-b}]
vector_stores: [{id: vs_v}]
"""


@pytest.fixture
def validating_server(start_server: StartServer) -> ServerThread:
    return start_server(SCENARIO)


@pytest.mark.parametrize("prefix", ["/v1", "/api/v1/llm"])
@pytest.mark.parametrize(
    ("body", "param", "words"),
    [
        ({"file_ids": ["file-a"] * 2001}, "file_ids", "maximum length 2000"),
        ({"file_ids": []}, "file_ids", "minimum length 1"),
        ({"file_ids": ["file-a"], "colour": "blue"}, "colour", "Unrecognized request argument"),
        ({}, None, "'file_ids' or 'files'"),
        ({"file_ids": "file-a"}, "file_ids", "expected array"),
        ({"file_ids": ["file-a"], "files": [{"file_id": "file-b"}]}, "files", "mutually exclusive"),
        ({"file_ids": ["file-nope"]}, "file_ids", "'file-nope' was not found"),
        ({"files": [{"file_id": "file-nope"}]}, "files", "'file-nope' was not found"),
        ({"file_ids": ["file-a", "file-a"]}, "file_ids", "listed twice"),
    ],
    ids=[
        "too many",
        "empty",
        "unknown field",
        "neither",
        "wrong type",
        "both",
        "unknown id",
        "unknown id in files",
        "twice",
    ],
)
def test_bad_create_batch_bodies_get_a_400_naming_the_parameter(
    validating_server: ServerThread,
    prefix: str,
    body: dict[str, Any],
    param: str | None,
    words: str,
) -> None:
    response = httpx.post(
        f"{validating_server.url}{prefix}/vector_stores/vs_v/file_batches", json=body, headers=AUTH
    )
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["param"] == param
    if prefix == "/v1":  # MKA1's request model words some refusals its own way
        assert words in error["message"]
    stores = httpx.get(f"{validating_server.url}/v1/vector_stores/vs_v", headers=AUTH).json()
    assert stores["file_counts"]["total"] == 0, "a refused request changes nothing"


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
    validating_server: ServerThread, content: bytes, content_type: str, code: str
) -> None:
    response = httpx.post(
        f"{validating_server.url}/v1/vector_stores/vs_v/file_batches",
        content=content,
        headers={**AUTH, "Content-Type": content_type},
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code


def test_an_oversized_body_gets_413(validating_server: ServerThread) -> None:
    response = httpx.post(
        f"{validating_server.url}/v1/vector_stores/vs_v/file_batches",
        content=b'{"file_ids": ["' + b"a" * (2 * 1024 * 1024) + b'"]}',
        headers={**AUTH, "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"


def test_the_openai_sdk_sees_validation_errors_as_bad_requests(
    validating_server: ServerThread,
) -> None:
    client = openai_client(validating_server)
    with pytest.raises(openai.BadRequestError) as raised:
        client.vector_stores.file_batches.create("vs_v", file_ids=["file-missing"])
    assert raised.value.param == "file_ids"
    with pytest.raises(openai.BadRequestError):
        client.vector_stores.create(name="x", extra_body={"nonsense": 1})


@pytest.mark.parametrize(
    ("files", "data", "param"),
    [
        ({"file": ("a.txt", b"a")}, {}, "purpose"),
        ({"file": ("a.txt", b"a")}, {"purpose": "homework"}, "purpose"),
        ({"purpose": (None, "assistants")}, {}, "file"),
    ],
)
def test_bad_uploads_are_refused(
    validating_server: ServerThread, files: Any, data: dict[str, str], param: str
) -> None:
    response = httpx.post(f"{validating_server.url}/v1/files", files=files, data=data, headers=AUTH)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == param


def test_an_unknown_file_is_not_found(validating_server: ServerThread) -> None:
    with pytest.raises(openai.NotFoundError):
        openai_client(validating_server).files.retrieve("file-nothing")
