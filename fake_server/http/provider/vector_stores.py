"""Vector store operations, and the files attached to a vector store."""

from __future__ import annotations

from typing import Any

from fake_server.domain import search
from fake_server.domain.views import FileList, Snapshot
from fake_server.http.bodies import json_object
from fake_server.http.context import Call, Reply
from fake_server.http.errors import files_listed_in
from fake_server.http.params import page_and_status, page_query
from fake_server.http.provider import render, view_cache
from fake_server.http.provider.batches import poll_headers
from fake_server.http.provider.slices import run_slices


async def create_vector_store(call: Call) -> dict[str, Any]:
    body = await json_object(call)
    with files_listed_in("file_ids"):
        view = call.state.account.create_vector_store(
            name=body.get("name"),
            description=body.get("description"),
            metadata=body.get("metadata"),
            file_ids=body.get("file_ids") or (),
            actor=call.actor,
            expires_after=body.get("expires_after"),
            chunking_strategy=body.get("chunking_strategy"),
        )
    return render.vector_store(view, call.dialect)


async def list_vector_stores(call: Call) -> render.EncodedList:
    result = call.state.account.list_vector_stores(
        page_query(call.request.query_params), actor=call.actor
    )
    return render.page(result, lambda view: render.encode(render.vector_store(view, call.dialect)))


async def get_vector_store(call: Call) -> dict[str, Any]:
    view = call.state.account.get_vector_store(call.path_param("vector_store_id"), actor=call.actor)
    return render.vector_store(view, call.dialect)


async def delete_vector_store(call: Call) -> dict[str, Any]:
    deleted = call.state.account.delete_vector_store(
        call.path_param("vector_store_id"), actor=call.actor
    )
    return render.deleted_vector_store(deleted)


async def list_vector_store_files(call: Call) -> render.FinishedPage:
    query, status = page_and_status(call.request.scope["query_string"])
    account = call.state.account
    vector_store_id = call.path_param("vector_store_id")

    def read(earlier: Snapshot[FileList] | None) -> Snapshot[FileList]:
        return account.vector_store_files(vector_store_id, actor=call.actor, earlier=earlier)

    key = render.file_list_key(vector_store_id, call.dialect)
    files = call.state.views.files(key, read, call.dialect)
    return view_cache.finished_page(files, query, status)


async def get_vector_store_file(call: Call) -> Reply:
    view = call.state.account.get_vector_store_file(
        call.path_param("vector_store_id"), call.path_param("file_id"), actor=call.actor
    )
    # The openai SDK's files.poll honours openai-poll-after-ms as batches.poll does.
    return Reply(render.vector_store_file(view, call.dialect), poll_headers(call, view.status))


async def modify_vector_store(call: Call) -> dict[str, Any]:
    body = await json_object(call)
    view = call.state.account.modify_vector_store(
        call.path_param("vector_store_id"), body, actor=call.actor
    )
    return render.vector_store(view, call.dialect)


async def create_vector_store_file(call: Call) -> dict[str, Any]:
    body = await json_object(call)
    with files_listed_in("file_id"):
        view = call.state.account.create_vector_store_file(
            call.path_param("vector_store_id"),
            body["file_id"],
            actor=call.actor,
            attributes=body.get("attributes"),
            chunking_strategy=body.get("chunking_strategy"),
            refuse_duplicates=call.dialect.one_content_per_store,
        )
    return render.vector_store_file(view, call.dialect)


async def update_vector_store_file_attributes(call: Call) -> dict[str, Any]:
    body = await json_object(call)
    view = call.state.account.update_vector_store_file_attributes(
        call.path_param("vector_store_id"),
        call.path_param("file_id"),
        body.get("attributes"),
        actor=call.actor,
    )
    return render.vector_store_file(view, call.dialect)


async def delete_vector_store_file(call: Call) -> dict[str, Any]:
    deleted = call.state.account.delete_vector_store_file(
        call.path_param("vector_store_id"), call.path_param("file_id"), actor=call.actor
    )
    return render.deleted_vector_store_file(deleted)


async def retrieve_vector_store_file_content(call: Call) -> dict[str, Any]:
    view, filename, text = call.state.account.vector_store_file_content(
        call.path_param("vector_store_id"), call.path_param("file_id"), actor=call.actor
    )
    return render.file_content(view, filename, text, call.dialect)


async def search_vector_store(call: Call) -> dict[str, Any]:
    body = await json_object(call)
    query = body["query"]
    queries = [query] if isinstance(query, str) else list(query)
    ranking = body.get("ranking_options") or {}
    request = search.SearchRequest(
        queries=queries,
        max_num_results=search.results_wanted(body.get("max_num_results")),
        score_threshold=float(ranking.get("score_threshold") or 0.0),
        rewrite_query=bool(body.get("rewrite_query")),
        filters=body.get("filters"),
    )
    # A search of a large store takes a while: it runs in slices, and between
    # two the event loop serves everyone else (see domain/search_index).
    steps = call.state.account.start_search(
        call.path_param("vector_store_id"), request, actor=call.actor
    )
    hits = await run_slices(steps)
    return render.search_results(search.search_queries(request), hits, call.dialect)
