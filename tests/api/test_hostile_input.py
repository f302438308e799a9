"""Hostile and malformed input, in process: a clear 4xx in the envelope, the state untouched.

tests/e2e/test_hostile_input.py sends the cases whose bytes on the wire
matter through a real server.
"""

from __future__ import annotations

from typing import Any

import pytest

from fake_server.testing.handle import FakeServer
from tests.cases import case_params
from tests.cases.hostile_input import AUTH, BATCH, HOSTILE, HostileRequest


@pytest.mark.parametrize("case", case_params(HOSTILE))
def test_hostile_input_gets_a_clear_4xx(
    fake_server_inprocess: FakeServer, case: HostileRequest
) -> None:
    method, path, headers, body = case
    with fake_server_inprocess.http_client(headers={}) as client:
        response = client.request(method, path, headers=headers, content=body)
        assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
        assert response.headers["content-type"] == "application/json"
        envelope: Any = response.json()
        assert set(envelope["error"]) == {"message", "type", "param", "code"}
        assert "Traceback" not in response.text
        assert len(response.text) < 2000, "client input is never echoed in full"
        # Nothing changed.
        batch = client.get(BATCH, headers=AUTH).json()
        assert batch["status"] == "in_progress"
        assert batch["file_counts"]["total"] == 3
        stores = client.get("/v1/vector_stores", headers=AUTH).json()
        assert [store["id"] for store in stores["data"]] == ["vs_abc123"]
