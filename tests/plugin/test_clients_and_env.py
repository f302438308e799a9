"""The async clients a FakeServer hands out, in process and over the socket, and
the ``openai_env`` fixture for code that builds its own ``openai.OpenAI()``."""

from __future__ import annotations

import asyncio

import pytest

from fake_server.testing.handle import FakeServer
from tests.helpers import write

BATCH = {"batch_id": "vsfb_abc123", "vector_store_id": "vs_abc123"}


@pytest.fixture(params=["socket", "in process"])
def either(request: pytest.FixtureRequest) -> FakeServer:
    name = "fake_server" if request.param == "socket" else "fake_server_inprocess"
    server: FakeServer = request.getfixturevalue(name)
    return server


def test_the_async_openai_client_reaches_the_fake(either: FakeServer) -> None:
    async def cancel_then_read() -> tuple[str, str]:
        async with either.async_openai_client() as client:
            batches = client.vector_stores.file_batches
            cancelled = await batches.cancel("vsfb_abc123", vector_store_id="vs_abc123")
            again = await batches.retrieve("vsfb_abc123", vector_store_id="vs_abc123")
            return cancelled.status, again.status

    assert asyncio.run(cancel_then_read()) == ("cancelled", "cancelled")
    # The same state the test's handle reads.
    assert [entry["operation"] for entry in either.requests()] == [
        "cancelVectorStoreFileBatch",
        "getVectorStoreFileBatch",
    ]


def test_the_async_mka1_client_reaches_the_fake(either: FakeServer) -> None:
    async def cancel() -> str:
        sdk = either.async_mka1_client()
        batch = await sdk.llm.vector_stores.cancel_file_batch_async(**BATCH)
        return str(batch.status)

    assert asyncio.run(cancel()) == "cancelled"
    assert either.requests()[0]["operation"] == "cancelVectorStoreFileBatch"


def test_openai_env_points_a_bare_client_at_the_fake_for_the_test_only(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTEST_ADDOPTS", "-p no:schemathesis -p no:anyio -p no:hypothesispytest")
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    write(
        pytester,
        "test_env.py",
        """
        import os

        import openai

        def test_a_bare_client(openai_env):
            client = openai.OpenAI()  # what an app under test builds for itself
            batch = client.vector_stores.file_batches.cancel(
                "vsfb_abc123", vector_store_id="vs_abc123")
            assert batch.status == "cancelled"
            assert openai_env.requests()[0]["operation"] == "cancelVectorStoreFileBatch"

        def test_after_it():
            assert "OPENAI_BASE_URL" not in os.environ
            assert "OPENAI_API_KEY" not in os.environ
        """,
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)
