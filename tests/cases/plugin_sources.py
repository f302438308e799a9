"""Test files the plugin tests run through pytester, shared by more than one of them."""

# A client that polls an in-progress batch without waiting what it was told.
TIGHT_LOOP = '''
import pytest

SCENARIO = """
clock: {mode: virtual, start: 1000, poll_after_ms: 1000}
defaults: {processing_seconds: never}
vector_stores:
  - id: vs_1
    file_batches: [{id: vsfb_1, files: [{id: file-1}]}]
"""


def poll_tightly(server):
    client = server.openai_client()
    for _ in range(5):
        client.vector_stores.file_batches.retrieve("vsfb_1", vector_store_id="vs_1")


@pytest.mark.fake_server_scenario(SCENARIO)
def test_default(fake_server):
    poll_tightly(fake_server)


@pytest.mark.fake_server_scenario(SCENARIO)
@pytest.mark.fake_server_client_checks("strict")
def test_strict(fake_server_inprocess):
    poll_tightly(fake_server_inprocess)


@pytest.mark.fake_server_scenario(SCENARIO)
@pytest.mark.fake_server_client_checks("off")
def test_off(fake_server):
    poll_tightly(fake_server)


@pytest.mark.fake_server_scenario(SCENARIO)
@pytest.mark.fake_server_client_checks("strict")
def test_the_sdks_poll_passes_strict(fake_server):
    client = fake_server.openai_client()
    batches = client.vector_stores.file_batches
    batches.cancel("vsfb_1", vector_store_id="vs_1")
    assert batches.poll("vsfb_1", vector_store_id="vs_1").status == "cancelled"
'''

# A test that breaks the contract on purpose and swallows the 500 it gets.
BROKEN_CONTRACT = """
import openai
import pytest
from fake_server import Contract

NO_CANCELLED = {
    "id": "broken-on-purpose", "schema_sets": ["openai"], "document": "openai-spec.json",
    "pointer": "/$defs/VectorStoreFileBatchObject/properties/status/enum",
    "expect": ["in_progress", "completed", "cancelled", "failed"],
    "replace": ["in_progress", "completed", "failed"],
}


def test_swallows_the_error(fake_server):
    fake_server.state.contract = Contract.load(extra_corrections=[NO_CANCELLED])
    with pytest.raises(openai.InternalServerError):
        fake_server.openai_client().vector_stores.file_batches.cancel(
            "vsfb_abc123", vector_store_id="vs_abc123")
"""
