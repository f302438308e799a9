"""What `fake-server serve` loads to start and answer its health check.

Start-up time is part of the contract with a harness that spawns the server
per test run: modules only a test, a failure or a page needs must not load
on the way to the first healthy answer. Checked in a fresh interpreter that
does what ``serve`` does (the CLI, the default scenario, the app) and then
answers ``GET /__fake__/health`` through the app itself.
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.helpers import REPO_ROOT

SERVE_AND_ANSWER_HEALTH = """
import asyncio, json, sys
import fake_server.cli
from fake_server.http.app import create_app
from fake_server.scenario.loading import default_scenario

app = create_app(default_scenario())
sent = []

async def receive():
    return {"type": "http.request", "body": b"", "more_body": False}

async def send(message):
    sent.append(message)

scope = {
    "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
    "scheme": "http", "path": "/__fake__/health", "raw_path": b"/__fake__/health",
    "query_string": b"", "root_path": "", "headers": [(b"host", b"127.0.0.1")],
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


def test_serving_the_default_scenario_loads_no_test_client_or_explainer() -> None:
    result = subprocess.run(
        [sys.executable, "-c", SERVE_AND_ANSWER_HEALTH],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    answer = json.loads(result.stdout)
    assert answer["status"] == 200
    loaded = [
        name
        for name in answer["modules"]
        if any(name == unwanted or name.startswith(unwanted + ".") for unwanted in NOT_FOR_SERVING)
    ]
    assert loaded == []
