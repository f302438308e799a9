"""A model response on the wire: the Response body, its output items, its input
items, and the server-sent events of a streamed one, in the documented order.

Every dialect gets the same shapes (the spec's and the MKA1 SDK's models
agree on them); the responder checks each body, and each event, against the
dialect's schemas.
"""

from __future__ import annotations

from typing import Any

from fake_server import defaults
from fake_server.contract.dialects import Dialect
from fake_server.domain.answers import ModelResponse
from fake_server.domain.search import Hit

COMPLETED = "completed"
IN_PROGRESS = "in_progress"


def response_body(response: ModelResponse, *, finished: bool = True) -> dict[str, Any]:
    """The Response object; unfinished: as a stream's first events show it (no
    output, no usage yet)."""
    request = response.request
    return {
        "id": response.id,
        "object": "response",
        "created_at": response.created_at,
        "status": COMPLETED if finished else IN_PROGRESS,
        "completed_at": response.created_at if finished else None,
        "background": False,
        "error": None,
        "incomplete_details": None,
        "instructions": request.instructions,
        "max_output_tokens": None,
        "max_tool_calls": None,
        "model": request.model,
        "output": output_items(response) if finished else [],
        "parallel_tool_calls": True,
        "previous_response_id": request.previous_response_id,
        "reasoning": {"effort": None, "summary": None},
        "service_tier": "default",
        "store": request.store,
        "temperature": 1.0,
        "text": {"format": {"type": "text"}, "verbosity": "medium"},
        "tool_choice": "auto",
        "tools": [dict(request.tool.shown)] if request.tool is not None else [],
        "top_logprobs": 0,
        "top_p": 1.0,
        "truncation": "disabled",
        "usage": _usage(response, finished=finished),
        "user": None,
        "metadata": dict(request.metadata),
    }


def _usage(response: ModelResponse, *, finished: bool) -> dict[str, Any]:
    """Counted once the answer is done; zero before (the SDKs' models want an object)."""
    usage = response.usage
    read, written = (usage.input_tokens, usage.output_tokens) if finished else (0, 0)
    return {
        "input_tokens": read,
        "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
        "output_tokens": written,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": read + written,
    }


def output_items(response: ModelResponse) -> list[dict[str, Any]]:
    items = []
    if response.search is not None:
        items.append(search_call_item(response, COMPLETED))
    items.append(message_item(response, finished=True))
    return items


def search_call_item(response: ModelResponse, status: str) -> dict[str, Any]:
    call = response.search
    assert call is not None
    done = status == COMPLETED
    results = None
    if done and response.request.include_results:
        results = [_result(hit) for hit in call.hits]
    return {
        "id": call.id,
        "type": "file_search_call",
        "status": status,
        "queries": list(call.queries),
        "results": results,
    }


def _result(hit: Hit) -> dict[str, Any]:
    return {
        "file_id": hit.file_id,
        "filename": hit.filename,
        "score": hit.score,
        "text": "\n".join(hit.content),
        "attributes": dict(hit.attributes),
    }


def message_item(response: ModelResponse, *, finished: bool) -> dict[str, Any]:
    return {
        "id": response.message_id,
        "type": "message",
        "role": "assistant",
        "status": COMPLETED if finished else IN_PROGRESS,
        "content": [output_text(response)] if finished else [],
    }


def output_text(response: ModelResponse, *, finished: bool = True) -> dict[str, Any]:
    answer = response.answer
    return {
        "type": "output_text",
        "text": answer.text if finished else "",
        "annotations": [citation(response, index) for index in range(len(answer.citations))]
        if finished
        else [],
        "logprobs": [],
    }


def citation(response: ModelResponse, index: int) -> dict[str, Any]:
    cited = response.answer.citations[index]
    return {
        "type": "file_citation",
        "file_id": cited.file_id,
        "filename": cited.filename,
        "index": cited.at,
    }


def input_item(item_id: str, role: str, text: str) -> dict[str, Any]:
    """A message of the input; an assistant's is shown as the output it once was."""
    if role == "assistant":
        part = {"type": "output_text", "text": text, "annotations": [], "logprobs": []}
    else:
        part = {"type": "input_text", "text": text}
    return {"id": item_id, "type": "message", "role": role, "status": COMPLETED, "content": [part]}


def deleted(response_id: str) -> dict[str, Any]:
    return {"id": response_id, "object": "response", "deleted": True}


def deltas(text: str) -> list[str]:
    """The text in pieces of a few words (each piece keeps its leading space)."""
    words = text.split(" ")
    size = defaults.STREAM_DELTA_WORDS
    pieces = [" ".join(words[at : at + size]) for at in range(0, len(words), size)]
    return [piece if index == 0 else " " + piece for index, piece in enumerate(pieces)]


def events(response: ModelResponse, dialect: Dialect) -> list[dict[str, Any]]:
    """The documented events of a streamed file_search answer, in order, numbered."""
    found: list[dict[str, Any]] = [
        {"type": "response.created", "response": response_body(response, finished=False)},
        {"type": "response.in_progress", "response": response_body(response, finished=False)},
    ]
    index = 0
    if response.search is not None:
        found += _search_events(response)
        index = 1
    found += _message_events(response, index, dialect)
    found.append({"type": "response.completed", "response": response_body(response)})
    return [dict(event, sequence_number=number) for number, event in enumerate(found)]


def _search_events(response: ModelResponse) -> list[dict[str, Any]]:
    call = response.search
    assert call is not None
    where = {"output_index": 0, "item_id": call.id}
    return [
        {
            "type": "response.output_item.added",
            "output_index": 0,
            "item": search_call_item(response, IN_PROGRESS),
        },
        {"type": "response.file_search_call.in_progress", **where},
        {"type": "response.file_search_call.searching", **where},
        {"type": "response.file_search_call.completed", **where},
        {
            "type": "response.output_item.done",
            "output_index": 0,
            "item": search_call_item(response, COMPLETED),
        },
    ]


def _message_events(response: ModelResponse, index: int, dialect: Dialect) -> list[dict[str, Any]]:
    where = {"item_id": response.message_id, "output_index": index, "content_index": 0}
    text = response.answer.text
    found: list[dict[str, Any]] = [
        {
            "type": "response.output_item.added",
            "output_index": index,
            "item": message_item(response, finished=False),
        },
        {
            "type": "response.content_part.added",
            **where,
            "part": output_text(response, finished=False),
        },
    ]
    found += [
        {"type": "response.output_text.delta", **where, "delta": piece, "logprobs": []}
        for piece in deltas(text)
    ]
    found += [
        {
            "type": "response.output_text.annotation.added",
            **where,
            "annotation_index": number,
            "annotation": _event_annotation(response, number, dialect),
        }
        for number in range(len(response.answer.citations))
    ]
    found += [
        {"type": "response.output_text.done", **where, "text": text, "logprobs": []},
        {"type": "response.content_part.done", **where, "part": output_text(response)},
        {
            "type": "response.output_item.done",
            "output_index": index,
            "item": message_item(response, finished=True),
        },
    ]
    return found


def _event_annotation(response: ModelResponse, index: int, dialect: Dialect) -> dict[str, Any]:
    shown = citation(response, index)
    if dialect.annotation_event_has_span:
        cited = response.answer.citations[index]
        text = response.answer.text[cited.start : cited.at]
        shown |= {"text": text, "start": cited.start, "end": cited.at}
    return shown
