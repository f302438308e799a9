"""The in-process transport: real SDKs, no socket, same behaviour."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import httpx
import httpx2
import openai
import pytest
from meetkai_mka1.utils import BackoffStrategy, RetryConfig

from fake_server import Contract, create_app, default_scenario, parse_scenario
from fake_server.testing.handle import FakeServer
from fake_server.testing.inprocess import InProcessTransport

CANCEL = "/v1/vector_stores/vs_abc123/file_batches/vsfb_abc123/cancel"


@pytest.fixture
def inprocess(contract: Contract) -> FakeServer:
    return FakeServer(
        create_app(default_scenario(), contract=contract), "http://fake.invalid", in_process=True
    )


def test_the_openai_sdk_runs_the_reference_example_in_process(inprocess: FakeServer) -> None:
    batch = inprocess.openai_client().vector_stores.file_batches.cancel(
        "vsfb_abc123", vector_store_id="vs_abc123"
    )
    assert batch.file_counts.cancelled == 3
    assert inprocess.requests()[0]["operation"] == "cancelVectorStoreFileBatch"


def test_the_mka1_sdk_runs_in_process(inprocess: FakeServer) -> None:
    sdk = inprocess.mka1_client()
    batch = sdk.llm.vector_stores.cancel_file_batch(
        vector_store_id="vs_abc123", batch_id="vsfb_abc123"
    )
    assert batch.status == "cancelled"


def test_the_mka1_sdks_async_methods_run_in_process_too(inprocess: FakeServer) -> None:
    sdk = inprocess.mka1_client()

    async def cancel() -> str:
        batch = await sdk.llm.vector_stores.cancel_file_batch_async(
            vector_store_id="vs_abc123", batch_id="vsfb_abc123"
        )
        return str(batch.status)

    assert asyncio.run(cancel()) == "cancelled"
    # The same state as the sync client's.
    batch = sdk.llm.vector_stores.get_file_batch(
        vector_store_id="vs_abc123", batch_id="vsfb_abc123"
    )
    assert batch.status == "cancelled"


def test_uploads_and_errors_in_process(inprocess: FakeServer) -> None:
    inprocess.reset(parse_scenario("clock: {mode: virtual, start: 0, advance_on_poll: 5}\n"))
    client = inprocess.openai_client()
    store = client.vector_stores.create(name="s")
    batch = client.vector_stores.file_batches.upload_and_poll(
        store.id, files=[("a.txt", b"a"), ("b.txt", b"b")]
    )
    assert batch.status == "completed"
    with pytest.raises(openai.NotFoundError):
        client.vector_stores.retrieve("vs_missing")


def test_a_dropped_connection_looks_like_one(inprocess: FakeServer) -> None:
    # As on a socket (tests/e2e/test_drops.py): reset before any status.
    inprocess.add_fault("cancelVectorStoreFileBatch", drop_connection=True, times=1)
    with pytest.raises(httpx.ReadError):
        inprocess.http_client().post(CANCEL)
    inprocess.add_fault("cancelVectorStoreFileBatch", drop_connection=True, times=1)
    batch = inprocess.openai_client(max_retries=1).vector_stores.file_batches.cancel(
        "vsfb_abc123", vector_store_id="vs_abc123"
    )
    assert batch.status == "cancelled"
    inprocess.add_fault("getVectorStoreFileBatch", drop_connection=True, times=1)
    fast = RetryConfig("backoff", BackoffStrategy(10, 50, 1.5, 2000), True)
    sdk = inprocess.mka1_client(retry_config=fast)
    assert sdk.llm.vector_stores.get_file_batch(vector_store_id="vs_abc123", batch_id="vsfb_abc123")
    assert [e["status"] for e in inprocess.requests()] == [None, None, 200, None, 200]


def test_a_body_cut_short_looks_like_one(inprocess: FakeServer) -> None:
    inprocess.add_fault("cancelVectorStoreFileBatch", drop_connection="mid_body", times=1)
    with inprocess.http_client() as client, client.stream("POST", CANCEL) as response:
        assert response.status_code == 200
        with pytest.raises(httpx.RemoteProtocolError):
            response.read()
    inprocess.add_fault("cancelVectorStoreFileBatch", drop_connection="mid_body", times=1)
    batch = inprocess.openai_client(max_retries=1).vector_stores.file_batches.cancel(
        "vsfb_abc123", vector_store_id="vs_abc123"
    )
    assert batch.status == "cancelled"


def test_the_transport_works_from_several_threads(inprocess: FakeServer) -> None:
    client = inprocess.http_client()
    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(lambda _: client.post(CANCEL).status_code, range(40)))
    assert statuses == [200] * 40


def test_async_clients_use_the_asgi_app_directly(contract: Contract) -> None:
    app = create_app(default_scenario(), contract=contract)

    async def scenario() -> tuple[str, str]:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://fake.invalid",
            headers={"Authorization": "Bearer k"},
        ) as client:
            raw = (await client.post(CANCEL)).json()["status"]
        sdk = openai.AsyncOpenAI(
            api_key="k",
            base_url="http://fake.invalid/v1",
            http_client=openai.DefaultAsyncHttpxClient(transport=httpx2.ASGITransport(app=app)),
            _strict_response_validation=True,
        )
        batch = await sdk.vector_stores.file_batches.retrieve(
            "vsfb_abc123", vector_store_id="vs_abc123"
        )
        return raw, batch.status

    assert asyncio.run(scenario()) == ("cancelled", "cancelled")


def test_close_releases_the_loop(contract: Contract) -> None:
    transport = InProcessTransport(create_app(default_scenario(), contract=contract))
    with httpx.Client(transport=transport, base_url="http://x") as client:  # type: ignore[arg-type]
        assert client.get("/__fake__/health").json() == {"status": "ok"}
