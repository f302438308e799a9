"""Shared fixtures: real uvicorn servers on loopback ports, real SDK clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import openai
import pytest
from meetkai_mka1 import SDK

from fake_server import Contract, ServerThread, create_app, parse_scenario
from fake_server.scenario.parsing import Scenario, default_scenario, load_scenario

REPO_ROOT = Path(__file__).resolve().parent.parent
API_KEY = "sk-test-fake-server"

StartServer = Callable[..., ServerThread]


@pytest.fixture(scope="session")
def contract() -> Contract:
    return Contract.load()


@pytest.fixture
def start_server(contract: Contract) -> Iterator[StartServer]:
    """Start a real server on a free loopback port; every one is stopped after the test."""
    started: list[ServerThread] = []

    def start(
        scenario: Scenario | str | None = None,
        *,
        strict: bool = True,
        server_contract: Contract | None = None,
    ) -> ServerThread:
        if isinstance(scenario, str):
            scenario = parse_scenario(scenario, "<test scenario>")
        app = create_app(
            scenario or default_scenario(), strict=strict, contract=server_contract or contract
        )
        server = ServerThread(app).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def server(start_server: StartServer) -> ServerThread:
    """A server with the shipped default scenario."""
    return start_server()


@pytest.fixture
def mixed_server(start_server: StartServer) -> ServerThread:
    return start_server(load_scenario(REPO_ROOT / "scenarios" / "mixed.yaml"))


@pytest.fixture
def http(server: ServerThread) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {API_KEY}"}
    ) as client:
        yield client


def openai_client(server: ServerThread, *, retries: int = 0) -> openai.OpenAI:
    return openai.OpenAI(
        api_key=API_KEY,
        base_url=f"{server.url}/v1",
        max_retries=retries,
        _strict_response_validation=True,
    )


def mka1_client(server: ServerThread) -> SDK:
    # Retries off: a test about an error status wants the first answer.
    return SDK(bearer_auth=API_KEY, server_url=server.url, retry_config=None)
