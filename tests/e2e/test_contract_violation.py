"""A response that breaks the contract never reaches the client unnoticed.

The server is real; only its contract is made stricter than what the store
renders (an extra correction in the overlay's own format), so the fake's own
correct-looking responses become violations.
"""

from __future__ import annotations

import logging

import httpx
import openai
import pytest

from fake_server import Contract
from fake_server.testing.handle import TEST_API_KEY
from tests.helpers import StartServer

# Claim that a file batch can never be "cancelled": the reference cancel breaks it.
NO_CANCELLED_BATCHES = {
    "id": "test-no-cancelled-status",
    "schema_sets": ["openai"],
    "document": "openai-spec.json",
    "pointer": "/$defs/VectorStoreFileBatchObject/properties/status/enum",
    "expect": ["in_progress", "completed", "cancelled", "failed"],
    "replace": ["in_progress", "completed", "failed"],
}
CANCEL = "/v1/vector_stores/vs_abc123/file_batches/vsfb_abc123/cancel"


@pytest.fixture(scope="module")
def broken_contract() -> Contract:
    return Contract.load(extra_corrections=[NO_CANCELLED_BATCHES])


def test_strict_mode_turns_a_violation_into_a_500_naming_path_and_rule(
    start_server: StartServer, broken_contract: Contract, caplog: pytest.LogCaptureFixture
) -> None:
    server = start_server(server_contract=broken_contract)
    with caplog.at_level(logging.ERROR, logger="fake_server"):
        response = httpx.post(
            server.url + CANCEL, headers={"Authorization": f"Bearer {TEST_API_KEY}"}
        )

    assert response.status_code == 500
    error = response.json()["error"]
    assert error["type"] == "server_error"
    assert error["code"] == "contract_violation"
    assert "$.status" in error["message"]
    assert "rule: enum" in error["message"]
    assert "cancelVectorStoreFileBatch" in error["message"]
    assert any("$.status" in record.getMessage() for record in caplog.records)


def test_the_sdk_sees_the_violation_as_a_server_error(
    start_server: StartServer, broken_contract: Contract
) -> None:
    server = start_server(server_contract=broken_contract)
    with pytest.raises(openai.InternalServerError) as raised:
        server.openai_client().vector_stores.file_batches.cancel(
            "vsfb_abc123", vector_store_id="vs_abc123"
        )
    assert raised.value.code == "contract_violation"


def test_other_dialects_keep_their_own_contract(
    start_server: StartServer, broken_contract: Contract
) -> None:
    server = start_server(server_contract=broken_contract)
    response = httpx.post(
        server.url + CANCEL.replace("/v1", "/api/v1/llm"),
        headers={"Authorization": f"Bearer {TEST_API_KEY}"},
    )
    assert response.status_code == 200


def test_warn_mode_sends_the_body_and_records_the_violation(
    start_server: StartServer, broken_contract: Contract
) -> None:
    server = start_server(strict=False, server_contract=broken_contract)
    response = httpx.post(server.url + CANCEL, headers={"Authorization": f"Bearer {TEST_API_KEY}"})
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"


# Claim that a vector store file can never be "cancelled": listing after a cancel breaks it.
NO_CANCELLED_FILES = {
    "id": "test-no-cancelled-files",
    "schema_sets": ["openai"],
    "document": "openai-spec.json",
    "pointer": "/$defs/VectorStoreFileObject/properties/status/enum",
    "expect": ["in_progress", "completed", "cancelled", "failed"],
    "replace": ["in_progress", "completed", "failed"],
}


def test_a_list_page_with_one_bad_item_is_a_violation_naming_the_item(
    start_server: StartServer,
) -> None:
    server = start_server(server_contract=Contract.load(extra_corrections=[NO_CANCELLED_FILES]))
    files = CANCEL.removesuffix("/cancel") + "/files?order=asc"
    with server.http_client() as client:
        # The same files, still in progress, are valid (and remembered as such)...
        assert client.get(files).status_code == 200
        assert client.get(files).status_code == 200
        # ...but their cancelled versions are checked afresh and refused.
        client.post(CANCEL)
        response = client.get(files)
    assert response.status_code == 500
    message = response.json()["error"]["message"]
    assert "$.data[0].status" in message
    assert "rule: enum" in message
    assert "listFilesInVectorStoreBatch" in message
