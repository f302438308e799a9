"""A list page is kept finished (encoded, checked) per snapshot, and never served stale.

The same query of the same snapshot gives the same bytes, so the view cache
keeps the finished page. Whatever changes what a page shows (a cancel, a file
finishing on the clock, a reset) or who may see it (another end user, a
revoked grant) or what it must obey (another dialect's schemas, another
contract) must show at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from fake_server import Contract
from fake_server.testing.handle import FakeServer

SCENARIO = """
clock: {mode: virtual, start: 1000}
vector_stores:
  - id: vs_page
    owner: alice
    permissions:
      - {user_id: bob, role: reader}
    file_batches:
      - id: vsfb_page
        files:
          - {id: file-quick, processing_seconds: 10}
          - {id: file-slow, processing_seconds: 3600}
          - {id: file-done, status: completed}
"""
pytestmark = pytest.mark.fake_server_scenario(SCENARIO)

BATCH_FILES = "/vector_stores/vs_page/file_batches/vsfb_page/files"
STORE_FILES = "/vector_stores/vs_page/files"
CANCEL = "/v1/vector_stores/vs_page/file_batches/vsfb_page/cancel"
ALICE = {"X-On-Behalf-Of": "alice"}
# The literal spec's schemas only (not the openai set's): no file may be cancelled.
SPEC_NO_CANCELLED_FILE = {
    "id": "broken-on-purpose",
    "schema_sets": ["spec"],
    "document": "openai-spec.json",
    "pointer": "/$defs/VectorStoreFileObject/properties/status/enum",
    "expect": ["in_progress", "completed", "cancelled", "failed"],
    "replace": ["in_progress", "completed", "failed"],
}


@pytest.fixture
def contract_restored(fake_server_inprocess: FakeServer) -> Iterator[None]:
    """The session's contract as it was, whatever the test puts in its place."""
    session = fake_server_inprocess.state
    contract = session.contract
    yield
    session.contract = contract


def statuses(http: httpx.Client, path: str, **params: Any) -> dict[str, str]:
    answer = http.get(path, params=params, headers=ALICE)
    assert answer.status_code == 200, answer.text
    return {item["id"]: item["status"] for item in answer.json()["data"]}


@pytest.mark.parametrize("path", [BATCH_FILES, STORE_FILES])
def test_a_file_finishing_on_the_clock_shows_in_the_same_query_at_once(
    fake_server_inprocess: FakeServer, path: str
) -> None:
    with fake_server_inprocess.http_client() as http:
        before = statuses(http, "/v1" + path, limit=2, filter="in_progress")
        again = statuses(http, "/v1" + path, limit=2, filter="in_progress")
        fake_server_inprocess.advance(10)
        after = statuses(http, "/v1" + path, limit=2, filter="in_progress")
        completed = statuses(http, "/v1" + path, filter="completed")

    assert before == again == {"file-quick": "in_progress", "file-slow": "in_progress"}
    assert after == {"file-slow": "in_progress"}
    assert completed == {"file-quick": "completed", "file-done": "completed"}


@pytest.mark.parametrize("path", [BATCH_FILES, STORE_FILES])
def test_a_cancel_and_then_a_reset_show_in_the_same_query_at_once(
    fake_server_inprocess: FakeServer, path: str
) -> None:
    with fake_server_inprocess.http_client() as http:
        before = statuses(http, "/v1" + path)
        assert http.post(CANCEL, headers=ALICE).status_code == 200
        cancelled = statuses(http, "/v1" + path)
        fake_server_inprocess.reset()
        after_reset = statuses(http, "/v1" + path)

    assert (
        before
        == after_reset
        == {
            "file-quick": "in_progress",
            "file-slow": "in_progress",
            "file-done": "completed",
        }
    )
    assert cancelled == {
        "file-quick": "cancelled",
        "file-slow": "cancelled",
        "file-done": "completed",
    }


def test_every_end_user_is_judged_on_every_read_of_a_kept_page(
    fake_server_inprocess: FakeServer,
) -> None:
    path = "/api/v1/llm" + BATCH_FILES
    with fake_server_inprocess.http_client() as http:
        as_alice = http.get(path, headers=ALICE)
        as_bob = http.get(path, headers={"X-On-Behalf-Of": "bob"})
        as_stranger = http.get(path, headers={"X-On-Behalf-Of": "mallory"})
        revoked = http.delete("/api/v1/llm/vector_stores/vs_page/permissions/bob", headers=ALICE)
        as_bob_revoked = http.get(path, headers={"X-On-Behalf-Of": "bob"})

    assert as_alice.status_code == as_bob.status_code == 200
    assert as_bob.content == as_alice.content
    assert as_stranger.status_code == 404
    assert revoked.status_code == 200, revoked.text
    assert as_bob_revoked.status_code == 404


@pytest.mark.usefixtures("contract_restored")
def test_a_page_kept_for_one_dialect_is_checked_against_another_dialects_schemas(
    fake_server_inprocess: FakeServer,
) -> None:
    session = fake_server_inprocess.state
    with fake_server_inprocess.http_client() as http:
        assert http.post(CANCEL, headers=ALICE).status_code == 200
        session.contract = Contract.load(extra_corrections=[SPEC_NO_CANCELLED_FILE])
        openai_page = http.get("/v1" + BATCH_FILES, headers=ALICE)
        violations_after_openai = list(session.violations)
        spec_page = http.get("/spec/v1" + BATCH_FILES, headers=ALICE)
        violations = list(session.violations)
        session.violations.clear()

    assert openai_page.status_code == 200
    assert violations_after_openai == []
    assert spec_page.status_code == 500
    assert [violation.schema_set for violation in violations] == ["spec"]
    assert violations[0].rule == "enum"


@pytest.mark.usefixtures("contract_restored")
def test_a_page_kept_under_one_contract_is_checked_again_under_another(
    fake_server_inprocess: FakeServer,
) -> None:
    session = fake_server_inprocess.state
    with fake_server_inprocess.http_client() as http:
        assert http.post(CANCEL, headers=ALICE).status_code == 200
        first = http.get("/spec/v1" + BATCH_FILES, headers=ALICE)
        session.contract = Contract.load(extra_corrections=[SPEC_NO_CANCELLED_FILE])
        second = http.get("/spec/v1" + BATCH_FILES, headers=ALICE)
        violations = list(session.violations)
        session.violations.clear()

    assert first.status_code == 200
    assert second.status_code == 500
    assert [violation.schema_set for violation in violations] == ["spec"]


def test_a_bad_query_is_refused_every_time(fake_server_inprocess: FakeServer) -> None:
    with fake_server_inprocess.http_client() as http:
        answers = [
            http.get("/v1" + BATCH_FILES, params={"limit": "many"}, headers=ALICE) for _ in range(2)
        ]
        good = http.get("/v1" + BATCH_FILES, params={"limit": "1"}, headers=ALICE)

    assert [answer.status_code for answer in answers] == [400, 400]
    assert {answer.json()["error"]["param"] for answer in answers} == {"limit"}
    assert len(good.json()["data"]) == 1
