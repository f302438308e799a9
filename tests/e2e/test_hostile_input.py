"""Hostile and malformed input through a real server: a clear 4xx, the state untouched.

Every case runs in process (tests/api/test_hostile_input.py); these are the
ones whose bytes on the wire matter: large or deeply nested bodies that
uvicorn delivers in chunks, multipart streams, and odd, long or encoded
paths and queries as uvicorn parses them.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from fake_server import ServerThread
from tests.cases import case_params
from tests.cases.hostile_input import AUTH, BATCH, HOSTILE, HostileRequest

OVER_THE_WIRE = [
    "2001 file ids",
    "nesting 100000 deep",
    "2 MiB file id",
    "multipart without a closing boundary",
    "multipart without a boundary",
    "after not UTF-8",
    "after with NUL",
    "store id 20000 characters",
    "store id not UTF-8",
    "batch id with CRLF",
    "store id dot-dot",
    "path with dot-dot segments",
    "path not UTF-8",
    "bad session name and long query",
]


@pytest.mark.parametrize("case", case_params(HOSTILE, OVER_THE_WIRE))
def test_hostile_input_gets_a_clear_4xx(server: ServerThread, case: HostileRequest) -> None:
    method, path, headers, body = case
    with httpx.Client(base_url=server.url, timeout=30) as client:
        response = client.request(method, path, headers=headers, content=body)
        assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
        assert response.headers["content-type"] == "application/json"
        envelope: Any = response.json()
        assert set(envelope["error"]) == {"message", "type", "param", "code"}
        assert "Traceback" not in response.text
        assert len(response.text) < 2000, "client input is never echoed in full"
        # The server keeps answering, and nothing changed.
        batch = client.get(BATCH, headers=AUTH).json()
        assert batch["status"] == "in_progress"
        assert batch["file_counts"]["total"] == 3
        stores = client.get("/v1/vector_stores", headers=AUTH).json()
        assert [store["id"] for store in stores["data"]] == ["vs_abc123"]
