"""Every answer is JSON, and the control plane describes every state the domain can hold.

A number JSON cannot carry (``inf``, ``nan``) is caught by the one encoder
as a contract violation naming its path, never sent; the state read says
"never" for a file that never finishes, and allows every outcome a file can
have, a gradual cancel's ``cancelled`` included.
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from fake_server.contract.checker import Contract
from fake_server.contract.resources import schema_path
from fake_server.domain.views import FileStatus
from fake_server.http.app import create_app
from fake_server.http.provider.render import NotJsonError, encode
from fake_server.scenario.loading import parse_scenario
from fake_server.testing import InProcessTransport
from fake_server.testing.handle import IN_PROCESS_URL
from tests.cases.gradual import GRADUAL_CANCEL
from tests.helpers import fake_server_command

KEY = {"authorization": "Bearer k"}
BATCH = "/v1/vector_stores/vs_slow/file_batches/vsfb_slow"
_CONTRACT = Contract.load()


def _strict_json(data: bytes) -> Any:
    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} in an answer: not JSON")

    return json.loads(data, parse_constant=refuse)


def _client(app: Any) -> httpx.Client:
    transport = InProcessTransport(app)
    return httpx.Client(transport=transport, base_url=IN_PROCESS_URL)  # type: ignore[arg-type]


@pytest.fixture
def gradual() -> Iterator[tuple[Any, httpx.Client]]:
    app = create_app(parse_scenario(GRADUAL_CANCEL, "<gradual>"), contract=_CONTRACT)
    with _client(app) as http:
        yield app, http


def _files(http: httpx.Client) -> dict[str, dict[str, Any]]:
    answer = http.get("/__fake__/state")
    assert answer.status_code == 200, answer.text
    state = _strict_json(answer.content)
    files = state["vector_stores"][0]["file_batches"][0]["files"]
    return {file["id"]: file for file in files}


# -- The encoder -----------------------------------------------------------


@pytest.mark.parametrize("number", [math.inf, -math.inf, math.nan])
def test_the_encoder_refuses_a_number_json_cannot_hold_and_names_it(number: float) -> None:
    body = {"a": [1, {"b": 2.5}, {"c": number}], "d": 1}

    with pytest.raises(NotJsonError) as raised:
        encode(body)

    assert raised.value.path == "$.a[2].c"


def test_the_encoder_is_json_dumps_otherwise() -> None:
    body = {"s": "é\u2028\x00", "n": [1, 2.5, -0.0, 1e300, None, True], "o": {}}
    assert encode(body) == json.dumps(body).encode()


@pytest.mark.parametrize("strict", [True, False])
def test_an_answer_holding_infinity_is_a_contract_violation_never_sent(
    strict: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(parse_scenario(GRADUAL_CANCEL, "<gradual>"), contract=_CONTRACT, strict=strict)
    session = app.sessions.default
    with _client(app) as http:
        # What no input can do (the clock is bounded): a bug, caught at the last step.
        monkeypatch.setattr(session.clock, "now", lambda: math.inf)

        answer = http.get("/__fake__/clock")

        assert answer.status_code == 500
        error = _strict_json(answer.content)["error"]
        assert error["code"] == "contract_violation" and error["type"] == "server_error"
        assert "at $.now" in error["message"] and "not a JSON number" in error["message"]
        assert [violation.json_path for violation in session.violations] == ["$.now"]
        # The state read digests its own body: the same catch, and the page's read fails cleanly.
        state = http.get("/__fake__/state")
        assert state.status_code == 500 and b"contract_violation" in state.content
        # The server still serves others.
        other = http.get(BATCH, headers={**KEY, "x-fake-session": "other"})
        assert other.status_code == 200
        assert http.get("/__fake__/clock", headers={"x-fake-session": "other"}).status_code == 200


# -- The state read ----------------------------------------------------------


def test_a_file_that_never_finishes_reads_as_never(gradual: tuple[Any, httpx.Client]) -> None:
    _, http = gradual

    files = _files(http)

    assert files["file-stuck"]["finishes_at"] == "never"
    assert files["file-quick"]["finishes_at"] == 1704067202
    assert files["file-done"]["finishes_at"] is None


def test_a_gradual_cancel_is_shown_before_and_after_it_lands(
    gradual: tuple[Any, httpx.Client],
) -> None:
    app, http = gradual
    cancel = http.post(BATCH + "/cancel", headers=KEY)
    assert cancel.status_code == 200 and cancel.json()["status"] == "in_progress"

    pending = _files(http)
    assert pending["file-stuck"]["outcome"] == "cancelled"
    assert pending["file-stuck"]["finishes_at"] == 1704067203
    assert pending["file-quick"]["outcome"] == "completed"

    assert http.post("/__fake__/clock/advance", json={"seconds": 5}).status_code == 200
    landed = _files(http)
    assert landed["file-stuck"]["status"] == "cancelled"
    assert http.get(BATCH, headers=KEY).json()["status"] == "cancelled"
    assert list(app.sessions.default.violations) == []


def test_the_admin_schema_allows_every_status_the_domain_has() -> None:
    """Fails when the domain gains a file status the hand-written admin schema lacks."""
    schemas = json.loads(schema_path("admin.json").read_text(encoding="utf-8"))["$defs"]
    domain = {status.value for status in FileStatus}
    state_file = schemas["StateFile"]["properties"]
    assert set(state_file["status"]["enum"]) == domain
    assert set(state_file["outcome"]["enum"]) >= domain - {"in_progress"}
    assert set(schemas["StateBatch"]["properties"]["status"]["enum"]) == domain


# -- serve --allowed-host ------------------------------------------------------


def test_serve_answers_the_names_it_is_told_and_refuses_others(tmp_path: Path) -> None:
    ready_file = tmp_path / "ready.json"
    process = subprocess.Popen(
        [
            *fake_server_command(),
            "serve",
            "--port",
            "0",
            "--ready-file",
            str(ready_file),
            "--allowed-host",
            "fake.docker",
            "--allowed-host",
            "second.name",
        ],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        deadline = time.monotonic() + 20
        while not ready_file.exists():
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.02)
        url = json.loads(ready_file.read_text(encoding="utf-8"))["url"]
        port = url.rsplit(":", 1)[1]
        with httpx.Client(base_url=url, timeout=10) as http:
            for host in ("fake.docker", f"second.name:{port}", f"localhost:{port}"):
                assert http.get("/__fake__/clock", headers={"host": host}).status_code == 200
            refused = http.get("/__fake__/requests", headers={"host": "attacker.example"})
            assert refused.status_code == 403
            assert refused.json()["error"]["code"] == "forbidden_host"
            assert http.get("/__fake__/health").status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=10)
