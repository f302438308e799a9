"""Hostile and malformed requests, shared by the in-process and the e2e tier.

Every one must get a 4xx in the envelope, and leave the state untouched.
"""

from __future__ import annotations

AUTH = {"Authorization": "Bearer k"}
BATCH = "/v1/vector_stores/vs_abc123/file_batches/vsfb_abc123"
CREATE = "/v1/vector_stores/vs_abc123/file_batches"
JSON = {**AUTH, "Content-Type": "application/json"}

# (method, path, headers, body) -> every one must get a 4xx envelope.
HOSTILE: list[tuple[str, str, dict[str, str], bytes | None]] = [
    ("POST", CREATE, JSON, b"{"),
    ("POST", CREATE, JSON, b'{"file_ids": ["file-abc123"]'),
    ("POST", CREATE, JSON, b"[]"),
    ("POST", CREATE, JSON, b'"file-abc123"'),
    ("POST", CREATE, JSON, b"null"),
    ("POST", CREATE, JSON, b"1e999"),
    ("POST", CREATE, JSON, b'{"file_ids": "file-abc123"}'),
    ("POST", CREATE, JSON, b'{"file_ids": [1, 2]}'),
    ("POST", CREATE, JSON, b'{"file_ids": [null]}'),
    ("POST", CREATE, JSON, b'{"file_ids": [], "x": 1}'),
    ("POST", CREATE, JSON, b'{"file_ids": []}'),
    ("POST", CREATE, JSON, b'{"files": []}'),
    ("POST", CREATE, JSON, b'{"files": [{}]}'),
    ("POST", CREATE, JSON, b'{"files": [{"file_id": 5}]}'),
    ("POST", CREATE, JSON, b'{"file_ids": ["' + b'","'.join([b"file-abc123"] * 2001) + b'"]}'),
    ("POST", CREATE, JSON, b'{"file_ids": ["file-\\u0000"]}'),
    ("POST", CREATE, JSON, b'{"file_ids": ["file-abc123"], "file_ids": ["file-abc456"]}'),
    ("POST", CREATE, JSON, b"\xff\xfe\xfd"),
    ("POST", CREATE, JSON, b"[" * 100_000 + b"]" * 100_000),
    ("POST", CREATE, {**AUTH, "Content-Type": "text/plain"}, b'{"file_ids": ["file-abc123"]}'),
    ("POST", CREATE, {**AUTH, "Content-Type": "application/x-www-form-urlencoded"}, b"a=1"),
    ("POST", CREATE, JSON, b'{"file_ids": ["' + b"x" * (2 * 1024 * 1024) + b'"]}'),
    ("POST", "/v1/files", {**AUTH, "Content-Type": "multipart/form-data; boundary=x"}, b"--x\r\n"),
    ("POST", "/v1/files", {**AUTH, "Content-Type": "multipart/form-data"}, b"garbage"),
    ("POST", "/v1/files", JSON, b'{"purpose": "assistants"}'),
    ("POST", "/v1/vector_stores", JSON, b'{"name": 5}'),
    ("POST", "/v1/vector_stores", JSON, b'{"metadata": "x"}'),
    ("GET", BATCH + "/files?limit=0", AUTH, None),
    ("GET", BATCH + "/files?limit=101", AUTH, None),
    ("GET", BATCH + "/files?limit=abc", AUTH, None),
    ("GET", BATCH + "/files?limit=-1", AUTH, None),
    ("GET", BATCH + "/files?limit=99999999999999999999", AUTH, None),
    ("GET", BATCH + "/files?limit=1.5", AUTH, None),
    ("GET", BATCH + "/files?order=sideways", AUTH, None),
    ("GET", BATCH + "/files?filter=done", AUTH, None),
    ("GET", BATCH + "/files?filter=", AUTH, None),
    ("GET", BATCH + "/files?limit=1&limit=2", AUTH, None),
    ("GET", BATCH + "/files?order=asc&order=desc", AUTH, None),
    ("GET", BATCH + "/files?after=%ff%fe", AUTH, None),
    ("GET", BATCH + "/files?after=file-%00", AUTH, None),
    ("GET", BATCH + "/files?before=" + "a" * 10_000, AUTH, None),
    ("GET", "/v1/vector_stores/" + "vs_" + "a" * 20_000 + "/file_batches/vsfb_abc123", AUTH, None),
    ("GET", "/v1/vector_stores/vs_%ff%fe%00/file_batches/vsfb_abc123", AUTH, None),
    ("GET", "/v1/vector_stores/vs_abc123/file_batches/vsfb_%0d%0aX-Injected:%201", AUTH, None),
    ("GET", "/v1/vector_stores/%2e%2e/file_batches/vsfb_abc123", AUTH, None),
    ("GET", "/v1/vector_stores/vs_abc123/file_batches/vsfb_abc123/../../vs_x", AUTH, None),
    ("POST", BATCH + "/cancel", {"Authorization": "Bearer"}, None),
    ("POST", BATCH + "/cancel", {"Authorization": "Basic Zm9vOmJhcg=="}, None),
    ("POST", BATCH + "/cancel", {"Authorization": "bearer\tk"}, None),
    ("DELETE", BATCH + "/cancel", AUTH, None),
    ("PATCH", BATCH, AUTH, None),
    ("GET", "/v1/%ff%fe", AUTH, None),
    ("GET", BATCH + "?x=" + "%ff" * 1000, {**AUTH, "X-Fake-Session": "bad name!"}, None),
]


def case_id(index: int) -> str:
    return f"{HOSTILE[index][0]}-{index}"
