"""The meetkai-mka1 SDK's responses call with its file-search tool: cited answers,
streamed events, stored responses, and an end user searching only the stores
they may read."""

from __future__ import annotations

from typing import Any

import pytest
from meetkai_mka1 import errors

from tests.helpers import StartServer

SCENARIO = """
clock: {mode: virtual, start: 1704067200}
files:
  - {id: file-guide, filename: guide.md, content: "Refunds are paid within 14 days. Ask us."}
  - {id: file-spare, filename: spare.md, content: "Parcels ship within three days."}
vector_stores:
  - id: vs_kb
    name: Knowledge
    owner: alice
    permissions:
      - {user_id: bob, role: reader}
    file_batches:
      - id: vsfb_kb
        files:
          - {id: file-guide, status: completed, attributes: {topic: refunds}}
          - {id: file-spare, status: completed}
  - id: vs_old
    created_at: 1703894400
    expires_after: {anchor: last_active_at, days: 1}
"""
TOOLS: Any = [{"type": "file_search", "vector_store_ids": ["vs_kb"]}]


def _cited(response: Any) -> list[str]:
    message = response.output[-1]
    return [note.file_id for part in message.content for note in part.annotations]


def test_the_sdk_asks_and_reads_back(start_server: StartServer) -> None:
    llm = start_server(SCENARIO).mka1_client().llm
    response = llm.responses.create(
        model="meetkai:functionary",
        input="How are refunds paid?",
        tools=TOOLS,
        include=["file_search_call.results"],
        x_on_behalf_of="bob",
    )
    call, message = response.output
    assert call.type == "file_search_call"
    assert call.results is not None and call.results[0].file_id == "file-guide"
    assert message.content[0].text.startswith("Refunds are paid within 14 days.")
    assert _cited(response) == ["file-guide"]
    read = llm.responses.get(response_id=response.id, x_on_behalf_of="bob")
    assert _cited(read) == ["file-guide"]
    items = llm.responses.list_input_items(response_id=response.id, x_on_behalf_of="bob")
    assert [item.role for item in items.data] == ["user"]
    deleted = llm.responses.delete(response_id=response.id, x_on_behalf_of="bob")
    assert deleted.deleted is True
    with pytest.raises(errors.SDKDefaultError) as gone:
        llm.responses.get(response_id=response.id, x_on_behalf_of="bob")
    assert gone.value.status_code == 404


def test_an_end_user_searches_only_the_stores_they_may_read(start_server: StartServer) -> None:
    llm = start_server(SCENARIO).mka1_client().llm
    response = llm.responses.create(
        model="m",
        input="How are refunds paid?",
        tools=TOOLS,
        include=["file_search_call.results"],
        x_on_behalf_of="mallory",
    )
    assert response.output[0].results == []
    assert _cited(response) == []
    with pytest.raises(errors.SDKDefaultError) as expired:
        llm.responses.create(
            model="m",
            input="refunds",
            tools=[{"type": "file_search", "vector_store_ids": ["vs_old"]}],
        )
    assert expired.value.status_code == 410


def test_the_sdk_streams_the_events(start_server: StartServer) -> None:
    llm = start_server(SCENARIO).mka1_client().llm
    stream = llm.responses.create(
        model="m", input="How are refunds paid?", tools=TOOLS, stream=True
    )
    with stream as events:
        kinds = [event.data.type for event in events]
    assert kinds[0] == "response.created"
    assert kinds[-1] == "response.completed"
    assert "response.file_search_call.searching" in kinds
    assert "response.output_text.annotation.added" in kinds
