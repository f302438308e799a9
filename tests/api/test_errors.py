"""Every error case, in process: the openai SDK, the MKA1 SDK and plain HTTP.

The app is the real one (routing, handlers, contract check); only the socket
is missing. tests/e2e/test_errors.py sends a few of these through a real server.
"""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest
from meetkai_mka1.errors import SDKDefaultError

from fake_server.testing.handle import TEST_API_KEY, FakeServer
from tests.cases.errors import (
    BATCH,
    HTTP_CASES,
    MKA1_CASES,
    OPENAI_CASES,
    Expected,
)
from tests.helpers import assert_envelope


def headers_for(case: str) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {TEST_API_KEY}", **HTTP_CASES[case][2]}
    if not headers["Authorization"]:
        del headers["Authorization"]
    return headers


@pytest.mark.parametrize("case", sorted(HTTP_CASES))
def test_error_over_plain_http(fake_server_inprocess: FakeServer, case: str) -> None:
    method, path, _, expected = HTTP_CASES[case]
    with fake_server_inprocess.http_client(headers=headers_for(case)) as client:
        response = client.request(method, path)

    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-request-id"].startswith("req_")
    assert_envelope(response.status_code, response.json(), expected)


def test_errors_leave_the_state_untouched(fake_server_inprocess: FakeServer) -> None:
    with fake_server_inprocess.http_client(headers={}) as client:
        for case, (method, path, _, _) in HTTP_CASES.items():
            assert client.request(method, path, headers=headers_for(case)).status_code >= 400
        batch = client.get(f"/v1{BATCH}", headers={"Authorization": "Bearer x"}).json()
    assert batch["status"] == "in_progress"
    assert batch["file_counts"]["in_progress"] == 3
    assert len(fake_server_inprocess.requests()) == len(HTTP_CASES) + 1


@pytest.mark.parametrize("case", sorted(OPENAI_CASES))
def test_error_through_openai_sdk(fake_server_inprocess: FakeServer, case: str) -> None:
    call, error_class, expected = OPENAI_CASES[case]
    with pytest.raises(error_class) as raised:
        call(fake_server_inprocess.openai_client())
    error = raised.value
    assert error.request_id is not None and error.request_id.startswith("req_")
    assert_envelope(error.status_code, error.response.json(), expected)
    assert error.type == expected.type
    assert error.param == expected.param
    assert error.code == expected.code


@pytest.mark.parametrize(
    "authorization",
    [openai.Omit(), "Basic dXNlcg=="],
    ids=["no authorization header", "basic auth"],
)
def test_missing_credentials_through_openai_sdk(
    fake_server_inprocess: FakeServer, authorization: Any
) -> None:
    client = fake_server_inprocess.openai_client()
    with pytest.raises(openai.AuthenticationError) as raised:
        client.vector_stores.file_batches.cancel(
            "vsfb_abc123",
            vector_store_id="vs_abc123",
            extra_headers={"Authorization": authorization},
        )
    assert_envelope(401, raised.value.response.json(), Expected(401))


@pytest.mark.parametrize("case", sorted(MKA1_CASES))
def test_error_through_mka1_sdk(fake_server_inprocess: FakeServer, case: str) -> None:
    call, expected = MKA1_CASES[case]
    with pytest.raises(SDKDefaultError) as raised:
        call(fake_server_inprocess.mka1_client())
    assert_envelope(raised.value.status_code, json.loads(raised.value.body), expected)


def test_mka1_sdk_without_credentials_gets_401(fake_server_inprocess: FakeServer) -> None:
    sdk = fake_server_inprocess.mka1_client(bearer_auth=None)
    with pytest.raises(SDKDefaultError) as raised:
        sdk.llm.vector_stores.cancel_file_batch(vector_store_id="vs_abc123", batch_id="vsfb_abc123")
    assert_envelope(raised.value.status_code, json.loads(raised.value.body), Expected(401))


def test_mka1_sdk_pointed_at_an_unknown_route_gets_404(fake_server_inprocess: FakeServer) -> None:
    sdk = fake_server_inprocess.mka1_client(server_url=f"{fake_server_inprocess.url}/elsewhere")
    with pytest.raises(SDKDefaultError) as raised:
        sdk.llm.vector_stores.get_file_batch(vector_store_id="vs_abc123", batch_id="vsfb_abc123")
    assert_envelope(
        raised.value.status_code,
        json.loads(raised.value.body),
        Expected(404, message_contains="Invalid URL (GET /elsewhere/api/v1/llm/"),
    )
