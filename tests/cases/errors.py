"""The error cases, shared by the in-process tier (every case) and the e2e tier (a few).

Each case must come back in the provider's envelope with all four keys.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import openai
from meetkai_mka1 import SDK

BATCH = "/vector_stores/vs_abc123/file_batches/vsfb_abc123"


@dataclass(frozen=True)
class Expected:
    status: int
    type: str = "invalid_request_error"
    param: str | None = None
    code: str | None = None
    message_contains: str = ""


HTTP_CASES: dict[str, tuple[str, str, dict[str, str], Expected]] = {
    "unknown vector store": (
        "GET",
        "/v1/vector_stores/vs_nope/file_batches/vsfb_abc123",
        {},
        Expected(404, message_contains="vs_nope"),
    ),
    "unknown batch": (
        "POST",
        "/v1/vector_stores/vs_abc123/file_batches/vsfb_nope/cancel",
        {},
        Expected(404, message_contains="vsfb_nope"),
    ),
    "unknown batch, list files": (
        "GET",
        "/api/v1/llm/vector_stores/vs_abc123/file_batches/vsfb_nope/files",
        {},
        Expected(404, message_contains="vsfb_nope"),
    ),
    "wrong batch id prefix": (
        "GET",
        "/v1/vector_stores/vs_abc123/file_batches/vs_abc123",
        {},
        Expected(400, param="batch_id", message_contains="begins with 'vsfb_'"),
    ),
    "unknown route": (
        "GET",
        "/v1/vector_stores/vs_abc123/file_batchez",
        {},
        Expected(
            404, message_contains="Invalid URL (GET /v1/vector_stores/vs_abc123/file_batchez)"
        ),
    ),
    "route outside any provider": ("GET", "/nothing/here", {}, Expected(404)),
    "trailing slash": ("POST", f"/v1{BATCH}/cancel/", {}, Expected(404)),
    "wrong method": (
        "DELETE",
        f"/v1{BATCH}/cancel",
        {},
        Expected(405, message_contains=f"Invalid method for URL (DELETE /v1{BATCH}/cancel)"),
    ),
    "wrong method, mka1": ("PUT", f"/api/v1/llm{BATCH}", {}, Expected(405)),
    "missing credentials": (
        "POST",
        f"/v1{BATCH}/cancel",
        {"Authorization": ""},
        Expected(401, message_contains="API key"),
    ),
    "bearer without a token": (
        "GET",
        f"/api/v1/llm{BATCH}",
        {"Authorization": "Bearer"},
        Expected(401),
    ),
    "basic credentials": (
        "GET",
        f"/v1{BATCH}",
        {"Authorization": "Basic dXNlcjpwYXNz"},
        Expected(401),
    ),
    "limit zero": (
        "GET",
        f"/v1{BATCH}/files?limit=0",
        {},
        Expected(400, param="limit", code="integer_below_min_value"),
    ),
    "limit too large": (
        "GET",
        f"/v1{BATCH}/files?limit=101",
        {},
        Expected(400, param="limit", code="integer_above_max_value"),
    ),
    "limit not a number": (
        "GET",
        f"/v1{BATCH}/files?limit=abc",
        {},
        Expected(400, param="limit", code="invalid_type"),
    ),
    "unknown order": (
        "GET",
        f"/v1{BATCH}/files?order=sideways",
        {},
        Expected(400, param="order", code="invalid_value"),
    ),
    "unknown filter": (
        "GET",
        f"/api/v1/llm{BATCH}/files?filter=done",
        {},
        Expected(400, param="filter", code="invalid_value"),
    ),
    "limit with a full-width digit": (
        "GET",
        f"/v1{BATCH}/files?limit=%EF%BC%91",
        {},
        Expected(400, param="limit", code="invalid_type"),
    ),
    "limit with spaces": (
        "GET",
        f"/v1{BATCH}/files?limit=%205",
        {},
        Expected(400, param="limit", code="invalid_type"),
    ),
    "absurdly long id": (
        "GET",
        "/v1/vector_stores/vs_" + "a" * 5000 + "/file_batches/vsfb_abc123",
        {},
        Expected(404, message_contains="(5003 characters)"),
    ),
    "control characters in an id": (
        "GET",
        "/v1/vector_stores/vs_%00%1b/file_batches/vsfb_abc123",
        {},
        # Echoed with its control characters written as escapes.
        Expected(404, message_contains="vs_\\x00\\x1b"),
    ),
    "unknown cursor": (
        "GET",
        f"/v1{BATCH}/files?after=file-nope",
        {},
        Expected(400, param="after"),
    ),
    "repeated parameter": (
        "GET",
        f"/v1{BATCH}/files?limit=1&limit=2",
        {},
        Expected(400, param="limit"),
    ),
}


OpenAICall = Callable[[openai.OpenAI], object]

OPENAI_CASES: dict[str, tuple[OpenAICall, type[openai.APIStatusError], Expected]] = {
    "unknown vector store": (
        lambda c: c.vector_stores.file_batches.cancel("vsfb_abc123", vector_store_id="vs_nope"),
        openai.NotFoundError,
        Expected(404),
    ),
    "unknown batch": (
        lambda c: c.vector_stores.file_batches.retrieve("vsfb_nope", vector_store_id="vs_abc123"),
        openai.NotFoundError,
        Expected(404),
    ),
    "unknown route": (
        lambda c: c.get("/vector_stores/vs_abc123/nothing", cast_to=object),
        openai.NotFoundError,
        Expected(404),
    ),
    "wrong method": (
        lambda c: c.delete(f"{BATCH}/cancel", cast_to=object),
        openai.APIStatusError,
        Expected(405),
    ),
    "wrong id prefix": (
        lambda c: c.vector_stores.file_batches.cancel("file-abc123", vector_store_id="vs_abc123"),
        openai.BadRequestError,
        Expected(400, param="batch_id"),
    ),
    "limit too large": (
        lambda c: c.vector_stores.file_batches.list_files(
            "vsfb_abc123", vector_store_id="vs_abc123", limit=101
        ),
        openai.BadRequestError,
        Expected(400, param="limit", code="integer_above_max_value"),
    ),
    "limit not a number": (
        lambda c: c.vector_stores.file_batches.list_files(
            "vsfb_abc123", vector_store_id="vs_abc123", extra_query={"limit": "abc"}
        ),
        openai.BadRequestError,
        Expected(400, param="limit", code="invalid_type"),
    ),
    "unknown filter": (
        lambda c: c.vector_stores.file_batches.list_files(
            "vsfb_abc123", vector_store_id="vs_abc123", extra_query={"filter": "done"}
        ),
        openai.BadRequestError,
        Expected(400, param="filter", code="invalid_value"),
    ),
}


Mka1Call = Callable[[SDK], object]

MKA1_CASES: dict[str, tuple[Mka1Call, Expected]] = {
    "unknown vector store": (
        lambda s: s.llm.vector_stores.cancel_file_batch(
            vector_store_id="vs_nope", batch_id="vsfb_abc123"
        ),
        Expected(404),
    ),
    "unknown batch": (
        lambda s: s.llm.vector_stores.get_file_batch(
            vector_store_id="vs_abc123", batch_id="vsfb_nope"
        ),
        Expected(404),
    ),
    "unknown batch, list files": (
        lambda s: s.llm.vector_stores.list_files_in_batch(
            vector_store_id="vs_abc123", batch_id="vsfb_nope"
        ),
        Expected(404),
    ),
    "wrong id prefix": (
        lambda s: s.llm.vector_stores.get_file_batch(vector_store_id="abc", batch_id="vsfb_abc123"),
        Expected(400, param="vector_store_id"),
    ),
    "limit zero": (
        lambda s: s.llm.vector_stores.list_files_in_batch(
            vector_store_id="vs_abc123", batch_id="vsfb_abc123", limit=0
        ),
        Expected(400, param="limit", code="integer_below_min_value"),
    ),
    "unknown cursor": (
        lambda s: s.llm.vector_stores.list_files_in_batch(
            vector_store_id="vs_abc123", batch_id="vsfb_abc123", before="file-nope"
        ),
        Expected(400, param="before"),
    ),
    "non-bearer credentials": (
        lambda s: s.llm.vector_stores.get_file_batch(
            vector_store_id="vs_abc123",
            batch_id="vsfb_abc123",
            http_headers={"Authorization": "Token abc"},
        ),
        Expected(401),
    ),
}
