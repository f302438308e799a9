"""What `fake-server serve` loads to start and answer its health check or a first cancel.

Start-up time is part of the contract with a harness that spawns the server
per test run: modules only a test, a failure or a page needs must not load
on the way to the first healthy answer. Checked in a fresh interpreter that
does what ``serve`` does (the CLI, the default scenario, the app) and then
answers ``GET /__fake__/health`` (or a provider's cancel) through the app itself.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable
from typing import Any

from tests.helpers import REPO_ROOT

SERVE_AND_ANSWER = """
import asyncio, json, sys
import fake_server.cli
from fake_server.http.app import create_app
from fake_server.scenario.loading import default_scenario

METHOD, PATH = sys.argv[1:3]
app = create_app(default_scenario())
sent = []

async def receive():
    return {"type": "http.request", "body": b"", "more_body": False}

async def send(message):
    sent.append(message)

scope = {
    "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": METHOD,
    "scheme": "http", "path": PATH, "raw_path": PATH.encode(),
    "query_string": b"", "root_path": "",
    "headers": [(b"host", b"127.0.0.1"), (b"authorization", b"Bearer key")],
    "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8080),
}
asyncio.run(app(scope, receive, send))
print(json.dumps({"status": sent[0]["status"], "modules": sorted(sys.modules)}))
"""

# The reference validator explains failures only; PyYAML reads YAML scenarios
# (the default one and the overlay are read from their JSON twins); the rest
# belong to tests, clients or the inspector page.
NOT_FOR_SERVING = (
    "jsonschema",
    "yaml",
    "httpx",
    "openai",
    "hypothesis",
    "schemathesis",
    "pytest",
    "importlib.resources",
)


# What a first cancel never calls: the other handler modules (loaded on the
# first request routed to them, see http/binding.py) and the inspector's read.
NOT_FOR_A_CANCEL = (
    "fake_server.http.control.admin",
    "fake_server.http.control.inspector",
    "fake_server.http.provider.vector_stores",
    "fake_server.http.provider.files",
    "fake_server.http.provider.permissions",
    "fake_server.contract.openapi",
    "fake_server.domain.inspection",
)
CANCEL = "/v1/vector_stores/vs_abc123/file_batches/vsfb_abc123/cancel"


def not_for_serving(modules: Iterable[str]) -> list[str]:
    return sorted(
        name
        for name in modules
        if any(name == unwanted or name.startswith(unwanted + ".") for unwanted in NOT_FOR_SERVING)
    )


def serve_and_answer(method: str, path: str) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-c", SERVE_AND_ANSWER, method, path],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    answer: dict[str, Any] = json.loads(result.stdout)
    assert answer["status"] == 200
    return answer


def test_serving_the_default_scenario_loads_no_test_client_or_explainer() -> None:
    answer = serve_and_answer("GET", "/__fake__/health")
    assert not_for_serving(answer["modules"]) == []


def test_a_first_cancel_loads_no_handler_module_it_does_not_call() -> None:
    loaded = set(serve_and_answer("POST", CANCEL)["modules"])
    assert "fake_server.http.provider.batches" in loaded
    assert loaded.isdisjoint(NOT_FOR_A_CANCEL)
    assert not_for_serving(loaded) == []
