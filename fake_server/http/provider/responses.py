"""The Responses API, for its ``file_search`` tool over the session's own stores."""

from __future__ import annotations

from typing import Any

from fake_server.domain import answers, file_search
from fake_server.domain.errors import InvalidRequestError
from fake_server.domain.paging import paginate
from fake_server.http.bodies import json_object
from fake_server.http.context import Call, EventStream
from fake_server.http.params import page_query
from fake_server.http.provider import render, response_render
from fake_server.http.provider.slices import run_slices


async def create_response(call: Call) -> dict[str, Any] | EventStream:
    request = answers.parse_request(await json_object(call))
    session = call.state
    session.responses.check_previous(request.previous_response_id, call.actor)
    steps = file_search.answer_steps(
        session.account,
        request,
        actor=call.actor,
        expired_is_gone=call.dialect.expired_store_answers_gone,
        skip_missing=call.dialect.file_search_skips_missing_stores,
        replies=session.scripted_replies,
    )
    response = await run_slices(steps)
    if response.search is not None and response.search.waiting:
        # The client report's searched_before_ready: it asked before its files were ready.
        call.in_progress = True
    if request.store:
        session.responses.keep(response)
    if request.stream:
        return EventStream(response_render.events(response, call.dialect))
    return response_render.response_body(response)


async def get_response(call: Call) -> dict[str, Any]:
    if call.request.query_params.get("stream", "").lower() in ("true", "1"):
        raise InvalidRequestError(
            "Invalid 'stream': fake_server does not stream a stored response (each is "
            "complete once created); read it without 'stream'.",
            "stream",
            "unsupported_parameter",
        )
    response = call.state.responses.get(call.path_param("response_id"), call.actor)
    return response_render.response_body(response)


async def delete_response(call: Call) -> dict[str, Any]:
    deleted = call.state.responses.delete(call.path_param("response_id"), call.actor)
    return response_render.deleted(deleted)


async def list_input_items(call: Call) -> render.EncodedList:
    response = call.state.responses.get(call.path_param("response_id"), call.actor)
    items = response.input_items
    positions = {item.id: index for index, item in enumerate(items)}
    chosen = paginate(items, positions, page_query(call.request.query_params))
    return render.page(
        chosen,
        lambda item: render.encode(response_render.input_item(item.id, item.role, item.text)),
    )
