"""An end user's id no header can carry (surrounding spaces, control or
invisible characters, line breaks) is refused as a grant, as a header and as
a scenario's owner or grant: a 400 in the envelope, nothing listed."""

from __future__ import annotations

import json

import pytest

from fake_server.scenario.loading import parse_scenario
from fake_server.scenario.problems import ScenarioError
from fake_server.testing.handle import FakeServer

PERMISSIONS = "/api/v1/llm/vector_stores/vs_abc123/permissions"
UNSENDABLE = [
    "bob ",
    " bob",
    "bob\t",
    "bob\r\nX-Evil: 1",
    "\u0000",
    "bob\u200b",
    "b\u2028ob",
    "\u202ebob",
    "bob\u00a0",
]


@pytest.mark.parametrize("user_id", UNSENDABLE)
def test_a_grant_to_an_id_no_header_can_carry_is_refused(
    fake_server_inprocess: FakeServer, user_id: str
) -> None:
    with fake_server_inprocess.http_client() as http:
        refused = http.post(PERMISSIONS, json={"role": "reader", "user_id": user_id})
        assert refused.status_code == 400, refused.text
        error = refused.json()["error"]
        assert set(error) == {"message", "type", "param", "code"}
        assert error["type"] == "invalid_request_error"
        assert error["param"] == "user_id"
        assert error["message"].startswith("Invalid 'user_id': ")
        assert error["message"].isprintable(), "the refusal escapes what it names"
        assert http.get(PERMISSIONS).json()["data"] == [], "nothing granted"
        # The server still grants a good id.
        granted = http.post(PERMISSIONS, json={"role": "reader", "user_id": "bob"})
        assert granted.status_code == 200, granted.text
        assert [row.get("user_id") for row in http.get(PERMISSIONS).json()["data"]] == ["bob"]


@pytest.mark.parametrize("end_user", ["bob\t", "a\tb", "bob\x7f", "b\x01ob"])
def test_a_header_with_a_control_character_is_refused(
    fake_server_inprocess: FakeServer, end_user: str
) -> None:
    with fake_server_inprocess.http_client() as http:
        refused = http.get(
            "/api/v1/llm/vector_stores", headers={b"X-On-Behalf-Of": end_user.encode("latin-1")}
        )
        assert refused.status_code == 400, refused.text
        error = refused.json()["error"]
        assert error["param"] == "X-On-Behalf-Of"
        assert error["message"].startswith("Invalid 'X-On-Behalf-Of' header: it ")
        assert error["message"].isprintable()
        assert http.get("/api/v1/llm/vector_stores", headers={"X-On-Behalf-Of": "bob"}).is_success


@pytest.mark.parametrize("user_id", UNSENDABLE)
@pytest.mark.parametrize(
    "template",
    [
        "files:\n  - {{id: file-a, owner: {value}}}\n",
        "vector_stores:\n  - {{id: vs_a, owner: {value}}}\n",
        "vector_stores:\n  - id: vs_a\n    permissions: [{{user_id: {value}, role: reader}}]\n",
    ],
)
def test_a_scenario_cannot_name_an_id_no_header_can_carry(user_id: str, template: str) -> None:
    # A JSON string is a YAML string with every escape spelled out.
    with pytest.raises(ScenarioError, match="must name an end user"):
        parse_scenario(template.format(value=json.dumps(user_id)))
