"""What the fake cannot do or keep for a response is refused in the provider's
envelope, through the real openai SDK: an unknown previous response (404), a
background response, a score threshold outside 0..1, a stored response asked to
stream, and input beyond what a stored response may keep (400s)."""

from __future__ import annotations

from typing import Any

import openai
import pytest

from fake_server import defaults
from tests.helpers import StartServer

SCENARIO = """
files:
  - {id: file-refunds, filename: refunds.md, content: "Refunds are paid within 14 days."}
vector_stores:
  - id: vs_docs
    file_batches:
      - files: [{id: file-refunds, status: completed}]
"""
DOCS: Any = [{"type": "file_search", "vector_store_ids": ["vs_docs"]}]


def _body(error: pytest.ExceptionInfo[openai.APIStatusError]) -> dict[str, Any]:
    body = error.value.body
    assert isinstance(body, dict)
    return body


def test_a_previous_response_must_be_a_stored_one(start_server: StartServer) -> None:
    client = start_server(SCENARIO).openai_client(max_retries=0)
    with pytest.raises(openai.NotFoundError, match="Previous response with id 'resp_nope'") as e:
        client.responses.create(model="m", input="refunds", previous_response_id="resp_nope")
    assert _body(e)["param"] == "previous_response_id"
    first = client.responses.create(model="m", input="How are refunds paid?", tools=DOCS)
    follow = client.responses.create(
        model="m", input="And how fast?", tools=DOCS, previous_response_id=first.id
    )
    assert follow.previous_response_id == first.id
    assert client.responses.retrieve(follow.id).previous_response_id == first.id
    unstored = client.responses.create(model="m", input="refunds", store=False)
    with pytest.raises(openai.NotFoundError):
        client.responses.create(model="m", input="more", previous_response_id=unstored.id)


def test_background_is_refused_not_answered_in_the_foreground(start_server: StartServer) -> None:
    client = start_server(SCENARIO).openai_client(max_retries=0)
    with pytest.raises(openai.BadRequestError, match="foreground") as refused:
        client.responses.create(model="m", input="refunds", tools=DOCS, background=True)
    assert _body(refused)["param"] == "background"
    assert client.responses.create(model="m", input="refunds", background=False).status == (
        "completed"
    )


def test_a_score_threshold_outside_zero_to_one_is_refused(start_server: StartServer) -> None:
    client = start_server(SCENARIO).openai_client(max_retries=0)
    for threshold in (5, -0.5):
        tool: Any = {**DOCS[0], "ranking_options": {"score_threshold": threshold}}
        with pytest.raises(openai.BadRequestError, match="from 0 to 1") as refused:
            client.responses.create(model="m", input="refunds", tools=[tool])
        assert _body(refused)["param"] == "tools[0].ranking_options.score_threshold"
    tool = {**DOCS[0], "ranking_options": {"score_threshold": 1}}
    assert client.responses.create(model="m", input="refunds", tools=[tool]).status == "completed"


def test_a_stored_response_is_not_streamed(start_server: StartServer) -> None:
    client = start_server(SCENARIO).openai_client(max_retries=0)
    created = client.responses.create(model="m", input="refunds", tools=DOCS)
    with pytest.raises(openai.BadRequestError, match="does not stream") as refused:
        client.responses.retrieve(created.id, stream=True)
    assert _body(refused)["param"] == "stream"
    assert client.responses.retrieve(created.id).id == created.id


def test_input_beyond_what_a_response_keeps_is_refused(start_server: StartServer) -> None:
    client = start_server(SCENARIO).openai_client(max_retries=0)
    limit = defaults.RESPONSE_MAX_INPUT_MESSAGES
    many: Any = [{"role": "user", "content": "a"}] * (limit + 1)
    with pytest.raises(openai.BadRequestError, match=f"maximum length {limit}") as refused:
        client.responses.create(model="m", input=many)
    assert _body(refused)["param"] == "input"
    assert _body(refused)["code"] == "array_above_max_length"
    long = "refunds " * (defaults.RESPONSE_MAX_CHARACTERS // 8 + 1)
    bound = f"more than the {defaults.RESPONSE_MAX_CHARACTERS}"
    with pytest.raises(openai.BadRequestError, match=bound) as refused:
        client.responses.create(model="m", input=long)
    assert _body(refused)["code"] == "string_above_max_length"
    with pytest.raises(openai.BadRequestError, match="characters"):
        client.responses.create(model="m", input="refunds", instructions=long)
    assert client.responses.create(model="m", input=many[:limit]).status == "completed"


def test_the_mka1_dialect_refuses_them_alike(start_server: StartServer) -> None:
    client = start_server(SCENARIO).http_client()
    refused = {
        "previous_response_id": ("resp_nope", 404),
        "background": (True, 400),
        "tools": ([{**DOCS[0], "ranking_options": {"score_threshold": 5}}], 400),
    }
    for field, (value, status) in refused.items():
        body = {"model": "m", "input": "refunds", field: value}
        answer = client.post("/api/v1/llm/responses", json=body)
        assert answer.status_code == status, answer.text
        assert answer.json()["error"]["param"].startswith(field)
