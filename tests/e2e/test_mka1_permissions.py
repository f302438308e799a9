"""MKA1 vector store permissions agree with the X-On-Behalf-Of isolation."""

from __future__ import annotations

import httpx
import pytest
from meetkai_mka1 import errors

from fake_server.testing.handle import TEST_API_KEY
from tests.helpers import StartServer

SCENARIO = """
clock: {mode: virtual, start: 1704067200}
vector_stores:
  - {id: vs_alice, name: Alice's, owner: alice}
  - id: vs_shared
    owner: alice
    permissions: [{user_id: erin, role: writer}]
"""


def status_of(call: object) -> int:
    with pytest.raises(errors.SDKError) as raised:
        call()  # type: ignore[operator]
    return int(raised.value.status_code)


def test_a_grant_lets_an_end_user_see_the_store_until_revoked(start_server: StartServer) -> None:
    server = start_server(SCENARIO)
    stores = server.mka1_client().llm.vector_stores

    def bob_gets() -> object:
        return stores.get(vector_store_id="vs_alice", x_on_behalf_of="bob")

    assert status_of(bob_gets) == 404
    granted = stores.create_permission(
        vector_store_id="vs_alice",
        body={"grantee_type": "user", "user_id": "bob", "role": "reader"},
        x_on_behalf_of="alice",
    )
    assert (granted.user_id, granted.role) == ("bob", "reader")
    assert stores.get(vector_store_id="vs_alice", x_on_behalf_of="bob").id == "vs_alice"
    listed = stores.list(x_on_behalf_of="bob").data
    assert [store.id for store in listed] == ["vs_alice"]

    rows = stores.list_permissions(vector_store_id="vs_alice", x_on_behalf_of="bob").data
    assert [(row.user_id, row.role) for row in rows] == [("alice", "owner"), ("bob", "reader")]
    effective = stores.get_permission(
        vector_store_id="vs_alice", user_id="bob", x_on_behalf_of="bob"
    )
    assert (effective.role, effective.source) == ("reader", "grant")
    carol = stores.get_permission(vector_store_id="vs_alice", user_id="carol")
    assert (carol.role, carol.source) == (None, "none")

    # Only the owner (or the whole account) changes permissions.
    assert (
        status_of(
            lambda: stores.delete_permission(
                vector_store_id="vs_alice", user_id="bob", x_on_behalf_of="bob"
            )
        )
        == 403
    )
    deleted = stores.delete_permission(
        vector_store_id="vs_alice", user_id="bob", x_on_behalf_of="alice"
    )
    assert deleted.deleted and deleted.user_id == "bob"
    assert status_of(bob_gets) == 404
    assert stores.list(x_on_behalf_of="bob").data == []
    assert (
        status_of(lambda: stores.delete_permission(vector_store_id="vs_alice", user_id="bob"))
        == 404
    )


def test_a_team_grant_reaches_every_end_user(start_server: StartServer) -> None:
    server = start_server(SCENARIO)
    stores = server.mka1_client().llm.vector_stores
    team = stores.create_permission(
        vector_store_id="vs_alice", body={"grantee_type": "team", "role": "writer"}
    )
    assert (team.grantee_type, team.user_id, team.role) == ("team", None, "writer")
    assert stores.get(vector_store_id="vs_alice", x_on_behalf_of="dave").id == "vs_alice"
    assert stores.get_permission(vector_store_id="vs_alice", user_id="dave").source == "team"
    stores.delete_permission(vector_store_id="vs_alice", user_id="team")
    assert status_of(lambda: stores.get(vector_store_id="vs_alice", x_on_behalf_of="dave")) == 404


def test_the_owner_role_is_fixed_and_permissions_are_mka1_only(start_server: StartServer) -> None:
    server = start_server(SCENARIO)
    stores = server.mka1_client().llm.vector_stores
    assert (
        status_of(
            lambda: stores.create_permission(
                vector_store_id="vs_alice",
                body={"grantee_type": "user", "user_id": "alice", "role": "reader"},
            )
        )
        == 400
    )
    response = httpx.get(
        f"{server.url}/v1/vector_stores/vs_alice/permissions",
        headers={"Authorization": f"Bearer {TEST_API_KEY}"},
    )
    assert response.status_code == 404
    assert response.json()["error"]["message"].startswith("Invalid URL")


def test_a_scenario_declares_permissions(start_server: StartServer) -> None:
    stores = start_server(SCENARIO).mka1_client().llm.vector_stores
    assert [s.id for s in stores.list(x_on_behalf_of="erin").data] == ["vs_shared"]
    rows = stores.list_permissions(vector_store_id="vs_shared").data
    assert [(row.user_id, row.role) for row in rows] == [("alice", "owner"), ("erin", "writer")]
