"""Hostile and malformed requests, shared by the in-process and the e2e tier.

Every one must get a 4xx in the envelope, and leave the state untouched.
Tests choose cases by name: all of them in process, the ones whose bytes on
the wire matter through a real server.
"""

from __future__ import annotations

from typing import NamedTuple

AUTH = {"Authorization": "Bearer k"}
BATCH = "/v1/vector_stores/vs_abc123/file_batches/vsfb_abc123"
CREATE = "/v1/vector_stores/vs_abc123/file_batches"
JSON = {**AUTH, "Content-Type": "application/json"}
RESPONSES = "/v1/responses"


class HostileRequest(NamedTuple):
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None


HOSTILE: dict[str, HostileRequest] = {
    "truncated JSON": HostileRequest("POST", CREATE, JSON, b"{"),
    "unclosed object": HostileRequest("POST", CREATE, JSON, b'{"file_ids": ["file-abc123"]'),
    "array body": HostileRequest("POST", CREATE, JSON, b"[]"),
    "string body": HostileRequest("POST", CREATE, JSON, b'"file-abc123"'),
    "null body": HostileRequest("POST", CREATE, JSON, b"null"),
    "number out of range": HostileRequest("POST", CREATE, JSON, b"1e999"),
    "file_ids a string": HostileRequest("POST", CREATE, JSON, b'{"file_ids": "file-abc123"}'),
    "file_ids of numbers": HostileRequest("POST", CREATE, JSON, b'{"file_ids": [1, 2]}'),
    "file_ids of null": HostileRequest("POST", CREATE, JSON, b'{"file_ids": [null]}'),
    "unknown field": HostileRequest("POST", CREATE, JSON, b'{"file_ids": [], "x": 1}'),
    "empty file_ids": HostileRequest("POST", CREATE, JSON, b'{"file_ids": []}'),
    "empty files": HostileRequest("POST", CREATE, JSON, b'{"files": []}'),
    "file without file_id": HostileRequest("POST", CREATE, JSON, b'{"files": [{}]}'),
    "file_id a number": HostileRequest("POST", CREATE, JSON, b'{"files": [{"file_id": 5}]}'),
    "2001 file ids": HostileRequest(
        "POST", CREATE, JSON, b'{"file_ids": ["' + b'","'.join([b"file-abc123"] * 2001) + b'"]}'
    ),
    "NUL in a file id": HostileRequest("POST", CREATE, JSON, b'{"file_ids": ["file-\\u0000"]}'),
    "duplicate key": HostileRequest(
        "POST", CREATE, JSON, b'{"file_ids": ["file-abc123"], "file_ids": ["file-abc456"]}'
    ),
    "bytes not UTF-8": HostileRequest("POST", CREATE, JSON, b"\xff\xfe\xfd"),
    "nesting 100000 deep": HostileRequest("POST", CREATE, JSON, b"[" * 100_000 + b"]" * 100_000),
    "text/plain body": HostileRequest(
        "POST", CREATE, {**AUTH, "Content-Type": "text/plain"}, b'{"file_ids": ["file-abc123"]}'
    ),
    "form-encoded body": HostileRequest(
        "POST", CREATE, {**AUTH, "Content-Type": "application/x-www-form-urlencoded"}, b"a=1"
    ),
    "2 MiB file id": HostileRequest(
        "POST", CREATE, JSON, b'{"file_ids": ["' + b"x" * (2 * 1024 * 1024) + b'"]}'
    ),
    "multipart without a closing boundary": HostileRequest(
        "POST", "/v1/files", {**AUTH, "Content-Type": "multipart/form-data; boundary=x"}, b"--x\r\n"
    ),
    "multipart without a boundary": HostileRequest(
        "POST", "/v1/files", {**AUTH, "Content-Type": "multipart/form-data"}, b"garbage"
    ),
    "upload as JSON": HostileRequest("POST", "/v1/files", JSON, b'{"purpose": "assistants"}'),
    "store name a number": HostileRequest("POST", "/v1/vector_stores", JSON, b'{"name": 5}'),
    "store metadata a string": HostileRequest(
        "POST", "/v1/vector_stores", JSON, b'{"metadata": "x"}'
    ),
    "limit 0": HostileRequest("GET", BATCH + "/files?limit=0", AUTH, None),
    "limit 101": HostileRequest("GET", BATCH + "/files?limit=101", AUTH, None),
    "limit not a number": HostileRequest("GET", BATCH + "/files?limit=abc", AUTH, None),
    "limit negative": HostileRequest("GET", BATCH + "/files?limit=-1", AUTH, None),
    "limit past 64 bits": HostileRequest(
        "GET", BATCH + "/files?limit=99999999999999999999", AUTH, None
    ),
    "limit a fraction": HostileRequest("GET", BATCH + "/files?limit=1.5", AUTH, None),
    "order sideways": HostileRequest("GET", BATCH + "/files?order=sideways", AUTH, None),
    "filter unknown": HostileRequest("GET", BATCH + "/files?filter=done", AUTH, None),
    "filter empty": HostileRequest("GET", BATCH + "/files?filter=", AUTH, None),
    "limit repeated": HostileRequest("GET", BATCH + "/files?limit=1&limit=2", AUTH, None),
    "order repeated": HostileRequest("GET", BATCH + "/files?order=asc&order=desc", AUTH, None),
    "after not UTF-8": HostileRequest("GET", BATCH + "/files?after=%ff%fe", AUTH, None),
    "after with NUL": HostileRequest("GET", BATCH + "/files?after=file-%00", AUTH, None),
    "before 10000 characters": HostileRequest(
        "GET", BATCH + "/files?before=" + "a" * 10_000, AUTH, None
    ),
    "store id 20000 characters": HostileRequest(
        "GET", "/v1/vector_stores/" + "vs_" + "a" * 20_000 + "/file_batches/vsfb_abc123", AUTH, None
    ),
    "store id not UTF-8": HostileRequest(
        "GET", "/v1/vector_stores/vs_%ff%fe%00/file_batches/vsfb_abc123", AUTH, None
    ),
    "batch id with CRLF": HostileRequest(
        "GET", "/v1/vector_stores/vs_abc123/file_batches/vsfb_%0d%0aX-Injected:%201", AUTH, None
    ),
    "store id dot-dot": HostileRequest(
        "GET", "/v1/vector_stores/%2e%2e/file_batches/vsfb_abc123", AUTH, None
    ),
    "path with dot-dot segments": HostileRequest(
        "GET", "/v1/vector_stores/vs_abc123/file_batches/vsfb_abc123/../../vs_x", AUTH, None
    ),
    "bearer without a token": HostileRequest(
        "POST", BATCH + "/cancel", {"Authorization": "Bearer"}, None
    ),
    "basic credentials": HostileRequest(
        "POST", BATCH + "/cancel", {"Authorization": "Basic Zm9vOmJhcg=="}, None
    ),
    "bearer with a tab": HostileRequest(
        "POST", BATCH + "/cancel", {"Authorization": "bearer\tk"}, None
    ),
    "DELETE on cancel": HostileRequest("DELETE", BATCH + "/cancel", AUTH, None),
    "PATCH on a batch": HostileRequest("PATCH", BATCH, AUTH, None),
    "path not UTF-8": HostileRequest("GET", "/v1/%ff%fe", AUTH, None),
    "bad session name and long query": HostileRequest(
        "GET", BATCH + "?x=" + "%ff" * 1000, {**AUTH, "X-Fake-Session": "bad name!"}, None
    ),
    # The Responses API (file_search only).
    "response without input": HostileRequest("POST", RESPONSES, JSON, b'{"model": "m"}'),
    "response input a number": HostileRequest(
        "POST", RESPONSES, JSON, b'{"model": "m", "input": 5}'
    ),
    "response input of no user text": HostileRequest(
        "POST", RESPONSES, JSON, b'{"model": "m", "input": [{"role": "user", "content": []}]}'
    ),
    "response tools a string": HostileRequest(
        "POST", RESPONSES, JSON, b'{"model": "m", "input": "q", "tools": "file_search"}'
    ),
    "response with a function tool": HostileRequest(
        "POST",
        RESPONSES,
        JSON,
        b'{"model": "m", "input": "q", "tools": [{"type": "function", "name": "f",'
        b' "parameters": {}, "strict": true}]}',
    ),
    "file_search without stores": HostileRequest(
        "POST",
        RESPONSES,
        JSON,
        b'{"model": "m", "input": "q", "tools": [{"type": "file_search", "vector_store_ids": []}]}',
    ),
    "file_search of a bad store id": HostileRequest(
        "POST",
        RESPONSES,
        JSON,
        b'{"model": "m", "input": "q", "tools": [{"type": "file_search",'
        b' "vector_store_ids": ["../etc"]}]}',
    ),
    "file_search of 51 results": HostileRequest(
        "POST",
        RESPONSES,
        JSON,
        b'{"model": "m", "input": "q", "tools": [{"type": "file_search",'
        b' "vector_store_ids": ["vs_abc123"], "max_num_results": 51}]}',
    ),
    "response include unknown": HostileRequest(
        "POST", RESPONSES, JSON, b'{"model": "m", "input": "q", "include": ["everything"]}'
    ),
    "unknown response": HostileRequest("GET", RESPONSES + "/resp_nope", AUTH, None),
    "input items of an unknown response": HostileRequest(
        "GET", RESPONSES + "/resp_nope/input_items", AUTH, None
    ),
}
