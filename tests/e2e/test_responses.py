"""The Responses API's file_search over the fake's own stores, through the real
openai SDK (sync and async): cited answers, include, filters, only the named
stores searched, the providers' errors, stored responses."""

from __future__ import annotations

import asyncio
import itertools
import time
from typing import Any

import httpcore2
import httpx2
import openai
import pytest

from tests.helpers import StartServer

SCENARIO = """
clock: {mode: virtual, start: 1704067200}
files:
  - id: file-refunds
    filename: refunds.md
    content: "Refunds are paid within 14 days. Ask support for help."
  - {id: file-returns, filename: returns.md, content: "Returns of refunds need a receipt. Keep it."}
  - {id: file-ship, filename: ship.txt, content: "Parcels ship worldwide within three days."}
  - {id: file-slow, filename: slow.md, content: "Refunds refunds refunds in the slow file."}
  - {id: file-other, filename: other.md, content: "Refunds from the other store."}
vector_stores:
  - id: vs_docs
    name: Docs
    file_batches:
      - id: vsfb_docs
        files:
          - {id: file-refunds, status: completed, attributes: {topic: billing}}
          - {id: file-returns, status: completed, attributes: {topic: returns}}
          - {id: file-ship, status: completed, attributes: {topic: shipping}}
          - {id: file-slow, processing_seconds: 600}
  - id: vs_other
    name: Other
    file_batches:
      - id: vsfb_other
        files:
          - {id: file-other, status: completed}
  - id: vs_old
    name: Old
    expires_after: {anchor: last_active_at, days: 1}
    created_at: 1703894400
"""
SCRIPTED = """
responses:
  - pattern: "(?i)warranty"
    text: Warranty claims go through support.
    cite: [file-slow, file-refunds]
"""
DOCS = [{"type": "file_search", "vector_store_ids": ["vs_docs"]}]


def _cited(response: Any) -> list[str]:
    message = response.output[-1]
    return [note.file_id for part in message.content for note in part.annotations]


def test_an_answer_cites_the_files_it_was_built_from(start_server: StartServer) -> None:
    client = start_server(SCENARIO).openai_client()
    response = client.responses.create(
        model="gpt-4o-mini",
        input="How are refunds paid?",
        tools=DOCS,
        include=["file_search_call.results"],
    )
    assert response.status == "completed"
    call, message = response.output
    assert call.type == "file_search_call"
    assert call.status == "completed"
    assert call.queries == ["How are refunds paid?"]
    assert call.results is not None
    found = [result.file_id for result in call.results]
    # Ranked by the one search there is; the file in progress contributes nothing.
    assert found[0] == "file-refunds"
    assert "file-slow" not in found
    assert "file-other" not in found
    assert call.results[0].filename == "refunds.md"
    assert call.results[0].attributes == {"topic": "billing"}
    assert message.type == "message"
    text = message.content[0]
    assert text.type == "output_text"
    assert text.text.startswith("Refunds are paid within 14 days.")
    notes = text.annotations
    assert notes[0].type == "file_citation"
    assert (notes[0].file_id, notes[0].filename) == ("file-refunds", "refunds.md")
    assert notes[0].index == len("Refunds are paid within 14 days.")
    assert response.output_text == text.text
    assert response.usage is not None
    assert response.usage.total_tokens == response.usage.input_tokens + (
        response.usage.output_tokens
    )
    again = client.responses.create(
        model="gpt-4o-mini",
        input="How are refunds paid?",
        tools=DOCS,
    )
    assert again.output[0].results is None
    assert again.output_text == response.output_text
    assert again.usage is not None and response.usage.total_tokens == again.usage.total_tokens


def test_filters_ranking_and_message_input(start_server: StartServer) -> None:
    client = start_server(SCENARIO).openai_client()
    response = client.responses.create(
        model="any-model",
        instructions="Answer from the files.",
        input=[{"role": "user", "content": [{"type": "input_text", "text": "refunds"}]}],
        tools=[
            {
                "type": "file_search",
                "vector_store_ids": ["vs_docs"],
                "filters": {"type": "eq", "key": "topic", "value": "returns"},
                "max_num_results": 5,
                "ranking_options": {"score_threshold": 0.1},
            }
        ],
        include=["file_search_call.results"],
        metadata={"case": "filters"},
    )
    assert [r.file_id for r in response.output[0].results] == ["file-returns"]
    assert _cited(response) == ["file-returns"]
    assert response.instructions == "Answer from the files."
    assert response.metadata == {"case": "filters"}
    assert response.tools[0].type == "file_search"


def test_only_the_named_stores_are_searched(start_server: StartServer) -> None:
    client = start_server(SCENARIO).openai_client()
    response = client.responses.create(
        model="m",
        input="refunds",
        tools=[{"type": "file_search", "vector_store_ids": ["vs_other"]}],
    )
    assert _cited(response) == ["file-other"]
    both = client.responses.create(
        model="m",
        input="refunds",
        tools=[{"type": "file_search", "vector_store_ids": ["vs_docs", "vs_other"]}],
        include=["file_search_call.results"],
    )
    assert {r.file_id for r in both.output[0].results} >= {"file-other", "file-refunds"}


def test_nothing_found_is_an_answer_without_citations(start_server: StartServer) -> None:
    client = start_server(SCENARIO).openai_client()
    response = client.responses.create(model="m", input="zebra", tools=DOCS)
    assert _cited(response) == []
    assert "nothing" in response.output_text


def test_the_providers_errors(start_server: StartServer) -> None:
    server = start_server(SCENARIO)
    client = server.openai_client(max_retries=0)
    with pytest.raises(openai.NotFoundError, match="vs_missing"):
        client.responses.create(
            model="m",
            input="refunds",
            tools=[{"type": "file_search", "vector_store_ids": ["vs_missing"]}],
        )
    with pytest.raises(openai.BadRequestError, match="file_search tool only") as refused:
        client.responses.create(model="m", input="weather", tools=[{"type": "web_search_preview"}])
    assert refused.value.body["param"] == "tools[0].type"  # type: ignore[index]
    with pytest.raises(openai.BadRequestError, match="is expired"):
        client.responses.create(
            model="m",
            input="refunds",
            tools=[{"type": "file_search", "vector_store_ids": ["vs_old"]}],
        )
    mka1 = server.http_client()
    answer = mka1.post(
        "/api/v1/llm/responses",
        json={
            "model": "m",
            "input": "refunds",
            "tools": [{"type": "file_search", "vector_store_ids": ["vs_old"]}],
        },
    )
    assert answer.status_code == 410, answer.text


def test_stored_responses_are_read_listed_and_deleted(start_server: StartServer) -> None:
    client = start_server(SCENARIO).openai_client(max_retries=0)
    created = client.responses.create(
        model="m",
        input=[
            {"role": "user", "content": "Hello"},
            {"role": "assistant", "content": "Hi, ask away."},
            {"role": "user", "content": "How are refunds paid?"},
        ],
        tools=DOCS,
    )
    read = client.responses.retrieve(created.id)
    assert read.output_text == created.output_text
    items = list(client.responses.input_items.list(created.id, order="asc"))
    assert [item.role for item in items] == ["user", "assistant", "user"]
    client.responses.delete(created.id)
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(created.id)
    unstored = client.responses.create(model="m", input="refunds", store=False, tools=DOCS)
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(unstored.id)


def test_the_async_client(start_server: StartServer) -> None:
    server = start_server(SCENARIO)

    async def ask() -> list[Any]:
        async with server.async_openai_client() as client:
            return list(
                await asyncio.gather(
                    *(
                        client.responses.create(model="m", input=q, tools=DOCS)
                        for q in ("How are refunds paid?", "parcels ship")
                    )
                )
            )

    refunds, parcels = asyncio.run(ask())
    assert _cited(refunds)[0] == "file-refunds"
    assert _cited(parcels) == ["file-ship"]


def test_a_streamed_answer_in_the_documented_order(start_server: StartServer) -> None:
    client = start_server(SCENARIO).openai_client()
    with client.responses.stream(
        model="m",
        input="How are refunds paid?",
        tools=DOCS,
        include=["file_search_call.results"],
    ) as stream:
        events = list(stream)
        final = stream.get_final_response()
    kinds = [event.type for event in events]
    deltas = kinds.count("response.output_text.delta")
    assert deltas >= 2
    notes = kinds.count("response.output_text.annotation.added")
    assert notes == len(_cited(final)) >= 1
    assert kinds == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.file_search_call.in_progress",
        "response.file_search_call.searching",
        "response.file_search_call.completed",
        "response.output_item.done",
        "response.output_item.added",
        "response.content_part.added",
        *["response.output_text.delta"] * deltas,
        *["response.output_text.annotation.added"] * notes,
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert [event.sequence_number for event in events] == list(range(len(events)))
    text = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    assert text == final.output_text
    assert final.output[0].results
    assert client.responses.retrieve(final.id).output_text == final.output_text


def test_a_scenario_scripts_the_reply(start_server: StartServer) -> None:
    client = start_server(SCENARIO + SCRIPTED).openai_client()
    response = client.responses.create(
        model="m", input="Is the warranty part of refunds paid?", tools=DOCS
    )
    assert response.output_text == "Warranty claims go through support."
    # file-slow is still in progress: the search did not find it, so it is not cited.
    assert _cited(response) == ["file-refunds"]
    note = response.output[-1].content[0].annotations[0]
    assert note.index == len(response.output_text)
    plain = client.responses.create(model="m", input="How are refunds paid?", tools=DOCS)
    assert plain.output_text.startswith("Refunds are paid")


def test_a_mid_body_drop_cuts_the_stream_half_way(start_server: StartServer) -> None:
    server = start_server(SCENARIO)
    server.add_fault("createResponse", drop_connection="mid_body", times=1)
    client = server.openai_client(max_retries=0)
    seen: list[str] = []
    asked = client.responses.stream(model="m", input="How are refunds paid?", tools=DOCS)
    # Where the SDK meets the cut decides what it raises: APIConnectionError,
    # or (met while iterating the events) its HTTP client's error, unwrapped;
    # which one varies from run to run, as it would for an app.
    cut = (openai.APIConnectionError, httpx2.RemoteProtocolError, httpcore2.RemoteProtocolError)
    with pytest.raises(cut), asked as stream:
        seen.extend(event.type for event in stream)
    assert seen[:2] == ["response.created", "response.in_progress"]
    assert "response.completed" not in seen
    [entry] = [e for e in server.requests() if e["operation"] == "createResponse"]
    assert entry["status"] is None  # recorded as a drop
    again = client.responses.create(model="m", input="How are refunds paid?", tools=DOCS)
    assert again.status == "completed"


def test_a_latency_fault_spaces_the_deltas_of_a_stream(start_server: StartServer) -> None:
    server = start_server(SCENARIO)
    server.add_fault("createResponse", latency_ms=60, times=2)
    client = server.openai_client(max_retries=0)
    arrived: list[float] = []
    asked = client.responses.stream(model="m", input="How are refunds paid?", tools=DOCS)
    with asked as stream:
        for event in stream:
            if event.type == "response.output_text.delta":
                arrived.append(time.monotonic())
    assert len(arrived) >= 2
    assert min(b - a for a, b in itertools.pairwise(arrived)) >= 0.05
    started = time.monotonic()
    client.responses.create(model="m", input="refunds", tools=DOCS)
    assert time.monotonic() - started >= 0.05  # not streamed: waited once
