"""Error cases through a real server: a representative few of tests/api/test_errors.py.

Every case of the tables runs in process (tests/api); here the ones whose
bytes on the wire matter (URL encoding, long or odd paths, headers) and one
per SDK go through uvicorn and a socket, so the two tiers cannot drift apart.
"""

from __future__ import annotations

import json

import httpx
import openai
import pytest
from meetkai_mka1.errors import SDKDefaultError

from fake_server.testing.handle import TEST_API_KEY, FakeServer
from tests.cases.errors import (
    HTTP_CASES,
    MKA1_CASES,
    OPENAI_CASES,
    Expected,
)
from tests.helpers import assert_envelope

OVER_THE_WIRE = [
    "absurdly long id",
    "basic credentials",
    "control characters in an id",
    "limit with a full-width digit",
    "limit with spaces",
    "missing credentials",
    "repeated parameter",
    "trailing slash",
    "unknown route",
    "unknown vector store",
    "wrong method",
]


@pytest.mark.parametrize("case", OVER_THE_WIRE)
def test_error_over_plain_http(server: FakeServer, case: str) -> None:
    method, path, headers, expected = HTTP_CASES[case]
    all_headers = {"Authorization": f"Bearer {TEST_API_KEY}", **headers}
    if not all_headers["Authorization"]:
        del all_headers["Authorization"]
    response = httpx.request(method, server.url + path, headers=all_headers)

    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-request-id"].startswith("req_")
    assert_envelope(response.status_code, response.json(), expected)


@pytest.mark.parametrize("case", ["unknown batch", "wrong method"])
def test_error_through_openai_sdk(server: FakeServer, case: str) -> None:
    call, error_class, expected = OPENAI_CASES[case]
    with pytest.raises(error_class) as raised:
        call(server.openai_client())
    error = raised.value
    assert error.request_id is not None and error.request_id.startswith("req_")
    assert_envelope(error.status_code, error.response.json(), expected)
    assert error.type == expected.type


def test_missing_credentials_through_openai_sdk(server: FakeServer) -> None:
    client = server.openai_client()
    with pytest.raises(openai.AuthenticationError) as raised:
        client.vector_stores.file_batches.cancel(
            "vsfb_abc123",
            vector_store_id="vs_abc123",
            extra_headers={"Authorization": openai.Omit()},
        )
    assert_envelope(401, raised.value.response.json(), Expected(401))


@pytest.mark.parametrize("case", ["unknown cursor", "non-bearer credentials"])
def test_error_through_mka1_sdk(server: FakeServer, case: str) -> None:
    call, expected = MKA1_CASES[case]
    with pytest.raises(SDKDefaultError) as raised:
        call(server.mka1_client())
    assert_envelope(raised.value.status_code, json.loads(raised.value.body), expected)


def test_mka1_sdk_without_credentials_gets_401(server: FakeServer) -> None:
    sdk = server.mka1_client(bearer_auth=None)
    with pytest.raises(SDKDefaultError) as raised:
        sdk.llm.vector_stores.cancel_file_batch(vector_store_id="vs_abc123", batch_id="vsfb_abc123")
    assert_envelope(raised.value.status_code, json.loads(raised.value.body), Expected(401))
