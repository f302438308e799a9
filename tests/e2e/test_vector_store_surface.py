"""The whole vector-store surface through the real SDKs: every operation, every field kept."""

from __future__ import annotations

import asyncio
import hashlib

import httpx
import openai
import pytest
from openai.types import StaticFileChunkingStrategyObjectParam

from fake_server.testing.handle import TEST_API_KEY, FakeServer
from tests.helpers import StartServer

AUTH = {"Authorization": f"Bearer {TEST_API_KEY}"}
VIRTUAL = """
clock: {mode: virtual, start: 1704067200, advance_on_poll: 30}
defaults: {processing_seconds: 60}
"""
STATIC: StaticFileChunkingStrategyObjectParam = {
    "type": "static",
    "static": {"max_chunk_size_tokens": 100, "chunk_overlap_tokens": 20},
}


def advance(server: FakeServer, seconds: float) -> None:
    response = httpx.post(f"{server.url}/__fake__/clock/advance", json={"seconds": seconds})
    assert response.status_code == 200, response.text


def test_files_are_listed_downloaded_and_deleted(start_server: StartServer) -> None:
    client = start_server(VIRTUAL).openai_client()
    first = client.files.create(file=("a.txt", b"alpha\x00\xff"), purpose="assistants")
    second = client.files.create(
        file=("b.txt", b"beta"),
        purpose="user_data",
        expires_after={"anchor": "created_at", "seconds": 3600},
    )

    assert second.expires_at == second.created_at + 3600
    assert client.files.retrieve(second.id).expires_at == second.expires_at
    listed = client.files.list(limit=1)
    assert [file.id for file in listed] == [second.id, first.id]  # auto-paginating, newest first
    assert [file.id for file in client.files.list(purpose="assistants")] == [first.id]
    # The real API serves no download of an upload-only purpose (issue 30).
    with pytest.raises(openai.BadRequestError, match="purpose: assistants"):
        client.files.content(first.id)

    deleted = client.files.delete(first.id)
    assert deleted.deleted and deleted.id == first.id
    with pytest.raises(openai.NotFoundError):
        client.files.retrieve(first.id)
    assert [file.id for file in client.files.list()] == [second.id]


def test_an_uploaded_file_expires_on_the_clock(start_server: StartServer) -> None:
    server = start_server(VIRTUAL)
    client = server.openai_client()
    upload = client.files.create(
        file=("a.txt", b"a"),
        purpose="assistants",
        expires_after={"anchor": "created_at", "seconds": 3600},
    )
    advance(server, 3600)
    with pytest.raises(openai.NotFoundError):
        client.files.retrieve(upload.id)
    assert list(client.files.list()) == []


def test_bracketed_expiry_out_of_range_is_refused(start_server: StartServer) -> None:
    server = start_server(VIRTUAL)
    response = httpx.post(
        f"{server.url}/v1/files",
        headers=AUTH,
        data={
            "purpose": "assistants",
            "expires_after[anchor]": "created_at",
            "expires_after[seconds]": "10",
        },
        files={"file": ("a.txt", b"a")},
    )
    assert response.status_code == 400, response.text
    assert "expires_after" in (response.json()["error"]["param"] or "")


def test_a_vector_store_keeps_and_modifies_its_fields(start_server: StartServer) -> None:
    server = start_server(VIRTUAL)
    client = server.openai_client()
    store = client.vector_stores.create(
        name="docs",
        description="all of them",
        metadata={"team": "a"},
        expires_after={"anchor": "last_active_at", "days": 1},
    )
    assert store.expires_after is not None and store.expires_after.days == 1
    assert store.last_active_at == 1704067200
    assert store.expires_at == 1704067200 + 86400

    advance(server, 600)
    changed = client.vector_stores.update(store.id, name="renamed", metadata={"team": "b"})
    assert (changed.name, changed.metadata) == ("renamed", {"team": "b"})
    assert changed.last_active_at == 1704067200 + 600
    assert changed.expires_at == 1704067200 + 600 + 86400
    again = client.vector_stores.retrieve(store.id)
    assert (again.name, again.metadata, again.expires_at) == (
        "renamed",
        {"team": "b"},
        changed.expires_at,
    )
    assert again.model_dump()["description"] == "all of them"

    advance(server, 86400)
    assert client.vector_stores.retrieve(store.id).status == "expired"
    assert client.vector_stores.update(store.id, expires_after=None).status == "completed"


def test_a_single_file_attach_keeps_its_fields_and_finishes_on_a_virtual_clock(
    start_server: StartServer,
) -> None:
    client = start_server(VIRTUAL).openai_client()
    store = client.vector_stores.create(name="docs")
    upload = client.files.create(file=("a.txt", b"alpha"), purpose="assistants")

    created = client.vector_stores.files.create(
        vector_store_id=store.id,
        file_id=upload.id,
        attributes={"lang": "en"},
        chunking_strategy=STATIC,
    )
    assert created.status == "in_progress"
    polled = client.vector_stores.files.poll(upload.id, vector_store_id=store.id)
    assert polled.status == "completed" and polled.attributes == {"lang": "en"}
    assert polled.chunking_strategy is not None
    assert polled.chunking_strategy.model_dump() == STATIC

    uploaded = client.vector_stores.files.upload_and_poll(
        vector_store_id=store.id, file=("b.txt", b"beta")
    )
    assert uploaded.status == "completed"
    another = client.files.create(file=("c.txt", b"gamma"), purpose="assistants")
    done = client.vector_stores.files.create_and_poll(
        file_id=another.id, vector_store_id=store.id, attributes={"n": 2}
    )
    assert done.status == "completed" and done.attributes == {"n": 2}
    assert client.vector_stores.retrieve(store.id).file_counts.completed == 3


def test_batch_attributes_and_chunking_are_kept_per_file(start_server: StartServer) -> None:
    client = start_server(VIRTUAL).openai_client()
    store = client.vector_stores.create(name="docs")
    a = client.files.create(file=("a.txt", b"a"), purpose="assistants")
    b = client.files.create(file=("b.txt", b"b"), purpose="assistants")
    batch = client.vector_stores.file_batches.create(
        store.id,
        files=[
            {"file_id": a.id, "attributes": {"own": True}, "chunking_strategy": STATIC},
            {"file_id": b.id},
        ],
        attributes={"shared": "yes"},
    )
    files = {
        file.id: file
        for file in client.vector_stores.file_batches.list_files(batch.id, vector_store_id=store.id)
    }
    assert files[a.id].attributes == {"own": True}
    assert files[b.id].attributes == {"shared": "yes"}
    strategy = files[a.id].chunking_strategy
    assert strategy is not None and strategy.model_dump() == STATIC
    single = client.vector_stores.files.retrieve(b.id, vector_store_id=store.id)
    assert single.attributes == {"shared": "yes"}


def test_mutations_update_batch_and_store_views(start_server: StartServer) -> None:
    """Each mutation route changes what the (cached) batch and file views show."""
    server = start_server(VIRTUAL)
    client = server.openai_client()
    store = client.vector_stores.create(name="docs")
    ids = [client.files.create(file=(f"{n}.txt", b"x"), purpose="assistants").id for n in "abc"]
    batch = client.vector_stores.file_batches.create(store.id, file_ids=ids)

    def batch_counts() -> tuple[str, int, int]:
        view = client.vector_stores.file_batches.retrieve(batch.id, vector_store_id=store.id)
        return view.status, view.file_counts.in_progress, view.file_counts.total

    def listed() -> list[str]:
        pages = client.vector_stores.file_batches.list_files(batch.id, vector_store_id=store.id)
        return sorted(file.id for file in pages)

    httpx.delete(f"{server.url}/__fake__/requests")
    # Read first, so the views are cached before each change.
    assert listed() == sorted(ids)
    assert client.vector_stores.files.list(store.id).data
    client.vector_stores.files.update(ids[0], vector_store_id=store.id, attributes={"k": "v"})
    files = client.vector_stores.file_batches.list_files(batch.id, vector_store_id=store.id)
    assert {file.id: file.attributes for file in files}[ids[0]] == {"k": "v"}

    client.vector_stores.files.delete(ids[1], vector_store_id=store.id)
    assert listed() == sorted([ids[0], ids[2]])
    assert [f.id for f in client.vector_stores.files.list(store.id)].count(ids[1]) == 0
    _, _, total = batch_counts()
    assert total == 2
    assert client.vector_stores.retrieve(store.id).file_counts.total == 2

    client.files.delete(ids[2])
    assert listed() == [ids[0]]
    assert batch_counts()[2] == 1
    assert client.vector_stores.retrieve(store.id).file_counts.total == 1
    with pytest.raises(openai.NotFoundError):
        client.vector_stores.files.retrieve(ids[2], vector_store_id=store.id)

    client.vector_stores.update(store.id, name="renamed")
    assert client.vector_stores.retrieve(store.id).name == "renamed"
    single = client.files.create(file=("d.txt", b"y"), purpose="assistants")
    client.vector_stores.files.create(vector_store_id=store.id, file_id=single.id)
    assert single.id in [file.id for file in client.vector_stores.files.list(store.id)]
    assert client.vector_stores.retrieve(store.id).file_counts.total == 2
    assert listed() == [ids[0]]  # a single attach belongs to no batch
    client.vector_stores.files.delete(single.id, vector_store_id=store.id)
    # The last file finishes: the batch's derived status and counts add up.
    advance(server, 60)
    assert batch_counts() == ("completed", 0, 1)
    client.vector_stores.files.delete(ids[0], vector_store_id=store.id)
    assert batch_counts()[2] == 0
    assert listed() == []


def test_parsed_content_and_search(start_server: StartServer) -> None:
    server = start_server(VIRTUAL)
    client = server.openai_client()
    store = client.vector_stores.create(name="docs")
    text = b"The cat sat on the mat; the cat slept."
    cat = client.files.create(file=("cat.txt", text), purpose="assistants")
    dog = client.files.create(file=("dog.txt", b"A dog barks at the cat."), purpose="assistants")
    later = client.files.create(file=("late.txt", b"cat cat cat"), purpose="assistants")
    client.vector_stores.files.create_and_poll(
        file_id=cat.id, vector_store_id=store.id, attributes={"kind": "feline", "year": 2024}
    )
    client.vector_stores.files.create_and_poll(
        file_id=dog.id, vector_store_id=store.id, attributes={"kind": "canine", "year": 2020}
    )
    client.vector_stores.files.create(vector_store_id=store.id, file_id=later.id)  # in progress

    content = client.vector_stores.files.content(cat.id, vector_store_id=store.id)
    assert [part.text for part in content] == ["The cat sat on the mat; the cat slept."]

    results = client.vector_stores.search(store.id, query="cat")
    assert [hit.file_id for hit in results] == [cat.id, dog.id]  # never the in-progress file
    assert results.data[0].score == 1.0 and 0 < results.data[1].score < 1
    assert results.data[0].filename == "cat.txt"
    assert results.data[0].attributes == {"kind": "feline", "year": 2024}
    assert results.data[0].content[0].text == "The cat sat on the mat; the cat slept."

    canine = client.vector_stores.search(
        store.id, query="cat", filters={"type": "eq", "key": "kind", "value": "canine"}
    )
    assert [hit.file_id for hit in canine] == [dog.id]
    compound = client.vector_stores.search(
        store.id,
        query="cat",
        filters={
            "type": "or",
            "filters": [
                {"type": "gte", "key": "year", "value": 2023},
                {"type": "in", "key": "kind", "value": ["none"]},
            ],
        },
    )
    assert [hit.file_id for hit in compound] == [cat.id]
    assert [
        h.file_id for h in client.vector_stores.search(store.id, query="cat", max_num_results=1)
    ] == [cat.id]
    strict = client.vector_stores.search(
        store.id, query="cat", ranking_options={"score_threshold": 0.99}
    )
    assert [hit.file_id for hit in strict] == [cat.id]
    rewritten = client.vector_stores.search(store.id, query="Where is the Dog?", rewrite_query=True)
    assert rewritten.model_dump()["search_query"] == ["dog"]
    assert [hit.file_id for hit in rewritten] == [dog.id]
    assert list(client.vector_stores.search(store.id, query="zebra")) == []


def test_async_openai_sdk(start_server: StartServer) -> None:
    server = start_server(VIRTUAL)

    async def run() -> None:
        client = openai.AsyncOpenAI(
            api_key=TEST_API_KEY,
            base_url=f"{server.url}/v1",
            max_retries=0,
            _strict_response_validation=True,
        )
        async with client:
            store = await client.vector_stores.create(name="docs")
            upload = await client.files.create(file=("a.txt", b"alpha beta"), purpose="assistants")
            attached = await client.vector_stores.files.create_and_poll(
                file_id=upload.id, vector_store_id=store.id, attributes={"a": "1"}
            )
            assert attached.status == "completed" and attached.attributes == {"a": "1"}
            uploaded = await client.vector_stores.files.upload_and_poll(
                vector_store_id=store.id, file=("b.txt", b"gamma")
            )
            assert uploaded.status == "completed"
            ids = [file.id async for file in client.files.list(limit=1)]
            assert ids == [uploaded.id, upload.id]
            with pytest.raises(openai.BadRequestError, match="purpose: assistants"):
                await client.files.content(upload.id)  # upload-only (issue 30)
            updated = await client.vector_stores.files.update(
                upload.id, vector_store_id=store.id, attributes={"a": "2"}
            )
            assert updated.attributes == {"a": "2"}
            found = [
                hit.file_id async for hit in client.vector_stores.search(store.id, query="alpha")
            ]
            assert found == [upload.id]
            parts = [
                part.text
                async for part in client.vector_stores.files.content(
                    upload.id, vector_store_id=store.id
                )
            ]
            assert parts == ["alpha beta"]
            modified = await client.vector_stores.update(store.id, metadata={"x": "y"})
            assert modified.metadata == {"x": "y"}
            assert (
                await client.vector_stores.files.delete(uploaded.id, vector_store_id=store.id)
            ).deleted
            assert (await client.files.delete(upload.id)).deleted
            assert (await client.vector_stores.retrieve(store.id)).file_counts.total == 0

    asyncio.run(run())


def test_mka1_sdk_drives_every_operation(start_server: StartServer) -> None:
    server = start_server(VIRTUAL)
    sdk = server.mka1_client().llm
    upload = sdk.files.upload(
        file={"file_name": "a.txt", "content": b"alpha beta cat"}, purpose="assistants"
    )
    assert [file.id for file in sdk.files.list().data] == [upload.id]
    held = sdk.files.get(file_id=upload.id).sha256
    assert held == hashlib.sha256(b"alpha beta cat").hexdigest()
    assert [file.id for file in sdk.files.list(sha256=held).data] == [upload.id]
    assert sdk.files.list(sha256="0" * 64).data == []
    content = sdk.files.content(file_id=upload.id)
    assert content.headers["content-type"] == "text/plain" and content.read() == b"alpha beta cat"

    store = sdk.vector_stores.create(name="docs")
    changed = sdk.vector_stores.update(vector_store_id=store.id, name="new", metadata={"a": "b"})
    assert (changed.name, changed.metadata) == ("new", {"a": "b"})
    attached = sdk.vector_stores.create_file(
        vector_store_id=store.id, file_id=upload.id, attributes={"k": "v"}
    )
    assert attached.status == "in_progress" and attached.attributes == {"k": "v"}
    advance(server, 60)
    updated = sdk.vector_stores.update_file(
        vector_store_id=store.id, file_id=upload.id, attributes={"k": "w"}
    )
    assert updated.status == "completed" and updated.attributes == {"k": "w"}
    parsed = sdk.vector_stores.get_file_content(vector_store_id=store.id, file_id=upload.id)
    assert parsed.filename == "a.txt"
    assert [item.text for item in parsed.content] == ["alpha beta cat"]
    results = sdk.vector_stores.search(
        vector_store_id=store.id, query="cat", filters={"type": "eq", "key": "k", "value": "w"}
    )
    assert results.search_query == "cat" and [hit.file_id for hit in results.data] == [upload.id]
    removed = sdk.vector_stores.delete_file(vector_store_id=store.id, file_id=upload.id)
    assert removed.deleted
    assert sdk.files.delete(file_id=upload.id).deleted
    assert sdk.files.list().data == []


def test_new_operations_are_journaled_and_fault_injectable(start_server: StartServer) -> None:
    server = start_server(VIRTUAL)
    client = server.openai_client()
    store = client.vector_stores.create(name="docs")
    httpx.delete(f"{server.url}/__fake__/requests")
    for operation in ("searchVectorStore", "listFiles", "modifyVectorStore"):
        rule = {"operation": operation, "status": 503, "times": 1}
        assert httpx.post(f"{server.url}/__fake__/faults", json=rule).status_code in (200, 201)
    with pytest.raises(openai.InternalServerError):
        client.vector_stores.search(store.id, query="x")
    assert list(client.vector_stores.search(store.id, query="x")) == []
    with pytest.raises(openai.InternalServerError):
        client.files.list()
    with pytest.raises(openai.InternalServerError):
        client.vector_stores.update(store.id, name="n")
    journal = httpx.get(f"{server.url}/__fake__/requests").json()["requests"]
    assert [(entry["operation"], entry["status"]) for entry in journal] == [
        ("searchVectorStore", 503),
        ("searchVectorStore", 200),
        ("listFiles", 503),
        ("modifyVectorStore", 503),
    ]


TOO_MUCH_OVERLAP = {
    "type": "static",
    "static": {"max_chunk_size_tokens": 200, "chunk_overlap_tokens": 101},
}
# Where a request may carry a static strategy: (path under the store, body, param).
OVERLAP_PLACES = [
    (
        "/file_batches",
        {"file_ids": ["{file}"], "chunking_strategy": TOO_MUCH_OVERLAP},
        "chunking_strategy.static.chunk_overlap_tokens",
    ),
    (
        "/file_batches",
        {
            "files": [
                {"file_id": "{file}"},
                {"file_id": "{other}", "chunking_strategy": TOO_MUCH_OVERLAP},
            ]
        },
        "files.1.chunking_strategy.static.chunk_overlap_tokens",
    ),
    (
        "/files",
        {"file_id": "{file}", "chunking_strategy": TOO_MUCH_OVERLAP},
        "chunking_strategy.static.chunk_overlap_tokens",
    ),
]


@pytest.mark.parametrize("base", ["/v1", "/api/v1/llm"])
@pytest.mark.parametrize(("place", "body", "param"), OVERLAP_PLACES)
def test_an_overlap_beyond_half_the_chunk_is_refused_not_cut(
    start_server: StartServer, base: str, place: str, body: dict[str, object], param: str
) -> None:
    server = start_server(VIRTUAL)
    client = httpx.Client(base_url=f"{server.url}{base}", headers=AUTH)
    sent = httpx.Request("POST", "/", json=body).content
    for name in (b"{file}", b"{other}"):
        text = {"file": ("a.txt", name)}  # distinct: MKA1 indexes each content once
        upload = client.post("/files", data={"purpose": "assistants"}, files=text)
        sent = sent.replace(name, upload.json()["id"].encode())
    store = client.post("/vector_stores", json={"name": "docs"}).json()["id"]
    content = {"Content-Type": "application/json"}
    refused = client.post(f"/vector_stores/{store}{place}", content=sent, headers=content)
    assert refused.status_code == 400, refused.text
    error = refused.json()["error"]
    assert (error["type"], error["param"]) == ("invalid_request_error", param)
    assert "must not exceed half of max_chunk_size_tokens (200)" in error["message"]
    # Nothing was attached, in either dialect's view of the store.
    assert client.get(f"/vector_stores/{store}/files").json()["data"] == []
    exactly_half = sent.replace(b'"chunk_overlap_tokens":101', b'"chunk_overlap_tokens":100')
    kept = client.post(f"/vector_stores/{store}{place}", content=exactly_half, headers=content)
    assert kept.status_code == 200, kept.text


def test_an_auto_strategy_is_not_judged_by_a_static_block_it_carries(
    start_server: StartServer,
) -> None:
    # MKA1's request model lets an auto strategy carry a static block, which
    # the strategy does not use: its sizes are not the request's to break.
    server = start_server(VIRTUAL)
    client = httpx.Client(base_url=f"{server.url}/api/v1/llm", headers=AUTH)
    upload = client.post("/files", data={"purpose": "assistants"}, files={"file": ("a", b"a")})
    auto = {"type": "auto", "static": TOO_MUCH_OVERLAP["static"]}
    store = client.post("/vector_stores", json={"name": "docs"}).json()["id"]
    created = client.post(
        f"/vector_stores/{store}/file_batches",
        json={"file_ids": [upload.json()["id"]], "chunking_strategy": auto},
    )
    assert created.status_code == 200, created.text


def test_a_new_vector_store_refuses_too_much_overlap_through_the_sdk(
    start_server: StartServer,
) -> None:
    client = start_server(VIRTUAL).openai_client()
    with pytest.raises(openai.BadRequestError) as raised:
        client.vector_stores.create(
            name="docs",
            chunking_strategy={
                "type": "static",
                "static": {"max_chunk_size_tokens": 800, "chunk_overlap_tokens": 401},
            },
        )
    assert raised.value.param == "chunking_strategy.static.chunk_overlap_tokens"
    assert list(client.vector_stores.list()) == []
