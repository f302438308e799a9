"""Runtime grants are bounded: an id no header could send, or one grant too many, is a 400."""

from __future__ import annotations

import pytest

from fake_server import defaults
from fake_server.testing.handle import FakeServer

PERMISSIONS = "/api/v1/llm/vector_stores/vs_abc123/permissions"


def test_a_user_id_longer_than_any_end_user_is_refused(fake_server_inprocess: FakeServer) -> None:
    with fake_server_inprocess.http_client() as http:
        too_long = "u" * (defaults.MAX_END_USER_CHARACTERS + 1)
        refused = http.post(PERMISSIONS, json={"role": "reader", "user_id": too_long})
        longest = "u" * defaults.MAX_END_USER_CHARACTERS
        granted = http.post(PERMISSIONS, json={"role": "reader", "user_id": longest})

        assert refused.status_code == 400
        assert refused.json()["error"]["param"] == "user_id"
        assert len(refused.json()["error"]["message"]) < 200
        assert granted.status_code == 200
        listed = http.get(PERMISSIONS).json()["data"]
        assert [entry.get("user_id") for entry in listed] == [longest]


@pytest.mark.parametrize("blank", ["", " ", "\t \u3000"])
def test_a_blank_user_id_no_header_could_send_is_refused(
    fake_server_inprocess: FakeServer, blank: str
) -> None:
    with fake_server_inprocess.http_client() as http:
        refused = http.post(PERMISSIONS, json={"role": "reader", "user_id": blank})

        assert refused.status_code == 400, refused.text
        assert refused.json()["error"]["param"] == "user_id"
        assert http.get(PERMISSIONS).json()["data"] == []


def test_a_store_holds_a_bounded_number_of_grants(fake_server_inprocess: FakeServer) -> None:
    limit = defaults.MAX_PERMISSIONS_PER_STORE
    with fake_server_inprocess.http_client() as http:
        for index in range(limit):  # bounded by the limit
            granted = http.post(PERMISSIONS, json={"role": "reader", "user_id": f"user-{index}"})
            assert granted.status_code == 200
        one_too_many = http.post(PERMISSIONS, json={"role": "reader", "user_id": "one-more"})
        changed_role = http.post(PERMISSIONS, json={"role": "writer", "user_id": "user-0"})

        assert one_too_many.status_code == 400
        assert one_too_many.json()["error"]["code"] == "too_many_permissions"
        # Changing a role someone already holds is no new grant.
        assert changed_role.status_code == 200
        # A full store still revokes: a user it does not grant is not found.
        not_granted = http.delete(PERMISSIONS + "/one-more")
        revoked = http.delete(PERMISSIONS + "/user-1")
        granted_again = http.post(PERMISSIONS, json={"role": "reader", "user_id": "one-more"})

        assert not_granted.status_code == 404, not_granted.text
        assert revoked.status_code == 200
        assert granted_again.status_code == 200


@pytest.mark.parametrize("user_id", ["alice, bob", "a,b", "a/b", "/", "team/x", "team"])
def test_a_user_id_no_header_or_path_could_name_is_refused(
    fake_server_inprocess: FakeServer, user_id: str
) -> None:
    # "alice, bob" is what a proxy makes of a repeated X-On-Behalf-Of; no
    # /permissions/{user_id} path reaches a user whose id holds a slash, and
    # /permissions/team is the team's.
    with fake_server_inprocess.http_client() as http:
        grant = {"grantee_type": "user", "role": "reader", "user_id": user_id}
        refused = http.post(PERMISSIONS, json=grant)

        assert refused.status_code == 400, refused.text
        assert refused.json()["error"]["param"] == "user_id"
        assert http.get(PERMISSIONS).json()["data"] == []
