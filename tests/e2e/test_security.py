"""Auth keys and end-user isolation (X-On-Behalf-Of)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import openai
import pytest
from meetkai_mka1.errors import SDKDefaultError

from fake_server.testing.handle import FakeServer
from tests.helpers import StartServer

KEYS = """
auth: {api_keys: [sk-test-right-key-1234]}
vector_stores: [{id: vs_k, file_batches: [{id: vsfb_k, files: [{}]}]}]
"""
OWNED = """
clock: {mode: virtual, start: 0}
files:
  - {id: file-alice, owner: alice}
  - {id: file-shared}
vector_stores:
  - id: vs_alice
    owner: alice
    file_batches: [{id: vsfb_alice, files: [{id: file-a1}]}]
  - id: vs_team
    file_batches: [{id: vsfb_team, files: [{id: file-t1}]}]
"""


def test_only_the_scenarios_keys_are_accepted(start_server: StartServer) -> None:
    server = start_server(KEYS)
    url = f"{server.url}/v1/vector_stores/vs_k/file_batches/vsfb_k"
    assert httpx.get(url, headers={"Authorization": "Bearer sk-test-right-key-1234"}).is_success

    wrong = httpx.get(url, headers={"Authorization": "Bearer sk-test-wrong-key-9876"})

    assert wrong.status_code == 401
    error = wrong.json()["error"]
    assert error["code"] == "invalid_api_key"
    assert "sk-test-wrong-key-9876" not in error["message"]
    assert error["message"].endswith("9876.")

    huge = httpx.get(url, headers={"Authorization": "Bearer sk-" + "x" * 50_000 + "9876"})
    assert huge.status_code == 401
    assert len(huge.json()["error"]["message"]) < 200  # not a 50 KB row of stars


def test_the_sdks_see_a_wrong_key_as_an_authentication_error(start_server: StartServer) -> None:
    server = start_server(KEYS)
    client = openai.OpenAI(api_key="sk-nope", base_url=f"{server.url}/v1", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as raised:
        client.vector_stores.file_batches.cancel("vsfb_k", vector_store_id="vs_k")
    assert raised.value.code == "invalid_api_key"
    sdk = server.mka1_client(bearer_auth="sk-nope")
    with pytest.raises(SDKDefaultError) as mka1_raised:
        sdk.llm.vector_stores.get_file_batch(vector_store_id="vs_k", batch_id="vsfb_k")
    assert mka1_raised.value.status_code == 401


@pytest.fixture
def owned(start_server: StartServer) -> FakeServer:
    return start_server(OWNED)


def mka1_status(call: Callable[[], object]) -> int:
    try:
        call()
    except SDKDefaultError as error:
        return error.status_code
    return 200


@pytest.mark.parametrize(
    ("user", "expected"),
    [("alice", 200), (None, 200), ("bob", 404)],
    ids=["the owner", "the account", "another end user"],
)
def test_every_operation_hides_another_users_store(
    owned: FakeServer, user: str | None, expected: int
) -> None:
    stores = owned.mka1_client(bearer_auth="k").llm.vector_stores
    calls = [
        lambda: stores.get(vector_store_id="vs_alice", x_on_behalf_of=user),
        lambda: stores.get_file_batch(
            vector_store_id="vs_alice", batch_id="vsfb_alice", x_on_behalf_of=user
        ),
        lambda: stores.list_files_in_batch(
            vector_store_id="vs_alice", batch_id="vsfb_alice", x_on_behalf_of=user
        ),
        lambda: stores.cancel_file_batch(
            vector_store_id="vs_alice", batch_id="vsfb_alice", x_on_behalf_of=user
        ),
        lambda: stores.list_files(vector_store_id="vs_alice", x_on_behalf_of=user),
    ]
    assert [mka1_status(call) for call in calls] == [expected] * len(calls)
    if expected == 404:
        # bob's cancel changed nothing
        assert (
            stores.get_file_batch(vector_store_id="vs_alice", batch_id="vsfb_alice").status
            == "in_progress"
        )


def test_creating_a_batch_in_another_users_store_is_not_found(owned: FakeServer) -> None:
    response = httpx.post(
        f"{owned.url}/api/v1/llm/vector_stores/vs_alice/file_batches",
        json={"file_ids": ["file-shared"]},
        headers={"Authorization": "Bearer k", "X-On-Behalf-Of": "bob"},
    )
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "No vector store found with id 'vs_alice'."


def test_listing_shows_only_what_the_user_may_see(owned: FakeServer) -> None:
    def ids(user: str | None) -> list[str]:
        headers = {"Authorization": "Bearer k"} | ({"X-On-Behalf-Of": user} if user else {})
        body = httpx.get(f"{owned.url}/v1/vector_stores?order=asc", headers=headers).json()
        return [store["id"] for store in body["data"]]

    assert ids(None) == ["vs_alice", "vs_team"]
    assert ids("alice") == ["vs_alice", "vs_team"]
    assert ids("bob") == ["vs_team"]


def test_what_a_user_creates_is_theirs(owned: FakeServer) -> None:
    carol = owned.mka1_client(bearer_auth="k").llm
    upload = carol.files.upload(
        file={"file_name": "c.txt", "content": b"c"}, purpose="assistants", x_on_behalf_of="carol"
    )
    store = carol.vector_stores.create(name="carol's", x_on_behalf_of="carol")
    batch = carol.vector_stores.create_file_batch(
        vector_store_id=store.id, file_ids=[upload.id], x_on_behalf_of="carol"
    )
    auth = {"Authorization": "Bearer k", "X-On-Behalf-Of": "dave"}
    base = f"{owned.url}/api/v1/llm"
    assert httpx.get(f"{base}/vector_stores/{store.id}", headers=auth).status_code == 404
    assert httpx.get(f"{base}/files/{upload.id}", headers=auth).status_code == 404
    assert (
        httpx.get(
            f"{base}/vector_stores/{store.id}/file_batches/{batch.id}", headers=auth
        ).status_code
        == 404
    )
    # Another user cannot put carol's file in a store of their own either.
    dave_store = httpx.post(f"{base}/vector_stores", json={"name": "d"}, headers=auth).json()
    refused = httpx.post(
        f"{base}/vector_stores/{dave_store['id']}/file_batches",
        json={"file_ids": [upload.id]},
        headers=auth,
    )
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "file_not_found"


def test_the_control_plane_can_require_its_own_token(start_server: StartServer) -> None:
    server = start_server(admin_token="admin-s3cret")
    admin = f"{server.url}/__fake__"
    assert httpx.get(f"{admin}/health").json() == {"status": "ok"}
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Bearer k"}):
        refused = httpx.post(f"{admin}/reset", headers=headers)
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] == "invalid_admin_token"
    assert httpx.get(f"{admin}/requests").status_code == 401
    allowed = httpx.post(f"{admin}/reset", headers={"Authorization": "Bearer admin-s3cret"})
    assert allowed.status_code == 200
    # The provider API keeps its own auth: the admin token is not required there.
    batch = httpx.get(
        f"{server.url}/v1/vector_stores/vs_abc123/file_batches/vsfb_abc123",
        headers={"Authorization": "Bearer any"},
    )
    assert batch.status_code == 200
