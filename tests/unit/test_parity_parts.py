"""The parts of parity and replay on their own: ids, normalised comparison, tags,
and how replay tells a request from the recorded one."""

from __future__ import annotations

import hashlib

import pytest

from fake_server.contract.checker import Contract
from fake_server.recording.cassette import RecordedRequest, Upload
from fake_server.recording.parity import upload_content
from fake_server.recording.parity_compare import Answer, compare
from fake_server.recording.parity_ids import IdMap
from fake_server.recording.parity_tags import Judged, declares, tag
from fake_server.recording.replay import SeenRequest, SeenUpload, differences


def test_ids_are_learnt_side_by_side_and_rewritten_everywhere() -> None:
    ids = IdMap()
    ids.learn({"id": "vs_up", "name": "x"}, {"id": "vs_fake", "name": "x"})
    ids.learn({"data": [{"id": "file-up"}]}, {"data": [{"id": "file-fake"}]})
    assert ids.rewrite_path("/v1/vector_stores/vs_up/files/file-up") == (
        "/v1/vector_stores/vs_fake/files/file-fake"
    )
    assert ids.rewrite({"file_ids": ["file-up", "file-old"]}) == {
        "file_ids": ["file-fake", "file-old"]
    }, "an id never learnt stands for itself"


def test_list_items_are_paired_by_the_ids_they_stand_for() -> None:
    ids = IdMap()
    ids.learn({"id": "a-up"}, {"id": "a-fake"})
    upstream = {"data": [{"id": "a-up", "status": "completed"}, {"id": "b", "status": "failed"}]}
    fake = {"data": [{"id": "b", "status": "failed"}, {"id": "a-fake", "status": "completed"}]}
    assert compare(0, "op", Answer(200, {}, upstream), Answer(200, {}, fake), ids) == []


def test_what_only_the_service_decides_is_normalised_away() -> None:
    upstream = {"created_at": 1, "usage_bytes": 10, "error": {"message": "A", "code": "x"}}
    fake = {"created_at": 99, "usage_bytes": 0, "error": {"message": "B", "code": "x"}}
    headers_up = {"x-request-id": "1", "retry-after-ms": "59700"}
    headers_fake = {"x-request-id": "2", "retry-after-ms": "59690"}
    assert (
        compare(
            0, "op", Answer(429, headers_up, upstream), Answer(429, headers_fake, fake), IdMap()
        )
        == []
    )


def test_a_status_difference_is_one_difference_with_the_error_code() -> None:
    upstream = Answer(404, {}, {"error": {"code": "not_found"}})
    (found,) = compare(3, "op", upstream, Answer(200, {}, {"id": "x"}), IdMap())
    assert (found.where, found.upstream, found.fake) == ("status", "404 (not_found)", "200")


@pytest.fixture(scope="module")
def contract() -> Contract:
    return Contract.load()


def test_a_value_the_schema_refuses_is_an_overlay_candidate(contract: Contract) -> None:
    schema = contract.response_schema("openai", "getVectorStoreFileBatch", 200)
    assert schema is not None
    body = {
        "id": "vsfb_1",
        "object": "vector_store.files_batch",
        "created_at": 1,
        "vector_store_id": "vs_1",
        "status": "completed",
        "file_counts": {"in_progress": 0, "completed": 1, "failed": 0, "cancelled": 0, "total": 1},
    }
    fake_body = dict(body, object="vector_store.file_batch")
    upstream, fake = Answer(200, {}, body), Answer(200, {}, fake_body)
    (found,) = compare(0, "getVectorStoreFileBatch", upstream, fake, IdMap())
    assert tag(found, upstream, fake, Judged(body, schema), filtered=False) == "overlay"

    late = dict(fake_body, status="in_progress")
    (timing,) = compare(
        0, "getVectorStoreFileBatch", Answer(200, {}, fake_body), Answer(200, {}, late), IdMap()
    )
    assert (
        tag(
            timing,
            Answer(200, {}, fake_body),
            Answer(200, {}, late),
            Judged(fake_body, schema),
            filtered=False,
        )
        == "scenario"
    )


def test_declared_fields_are_read_through_references_and_unions(contract: Contract) -> None:
    schema = contract.response_schema("openai", "listVectorStores", 200)
    assert schema is not None
    assert declares(schema.schema, ["data", "*", "file_counts"])
    assert not declares(schema.schema, ["data", "*", "tier"])
    assert declares(schema.schema, ["data", "*", "metadata", "any_key"]), "an open map"


def _recorded(**fields: object) -> RecordedRequest:
    return RecordedRequest(**{"method": "POST", "path": "/v1/vector_stores", **fields})  # type: ignore[arg-type]


def test_replay_matches_method_path_query_in_any_order_and_body() -> None:
    recorded = _recorded(query=[("limit", "1"), ("order", "asc")], body={"name": "a"})
    same = SeenRequest(
        "POST", "/v1/vector_stores", [("order", "asc"), ("limit", "1")], {"name": "a"}
    )
    assert differences(recorded, same) == []
    assert differences(recorded, same._replace(body={"name": "b"})) == ["body fields name"]
    assert differences(recorded, same._replace(method="GET", query=[])) == ["method POST", "query"]


def test_replay_matches_an_upload_by_size_and_digest() -> None:
    digest = hashlib.sha256(b"abc").hexdigest()
    recorded = _recorded(path="/v1/files", upload=Upload("file", "a.txt", 3, digest))
    seen = SeenRequest("POST", "/v1/files", [], upload=SeenUpload(3, digest))
    assert differences(recorded, seen) == []
    other = seen._replace(upload=SeenUpload(3, hashlib.sha256(b"abd").hexdigest()))
    assert differences(recorded, other) == ["upload (a.txt, 3 bytes, by SHA-256)"]


def test_stand_in_content_has_the_size_and_differs_with_the_digest() -> None:
    one, two = "a" * 64, "b" * 64
    assert len(upload_content(1000, one, None)) == 1000
    assert upload_content(1000, one, None) == upload_content(1000, one, None)
    assert upload_content(1000, one, None) != upload_content(1000, two, None)
    assert upload_content(3, one, "YWJj") == b"abc"


def test_a_404_for_an_object_the_scenario_declares_is_the_scenarios() -> None:
    upstream, fake = Answer(404, {}, {"error": {"code": None}}), Answer(200, {}, {"id": "f"})
    (found,) = compare(0, "retrieveFile", upstream, fake, IdMap())
    judged = Judged(upstream.body, None)
    assert tag(found, upstream, fake, judged, filtered=False, names_declared=True) == "scenario"
    assert tag(found, upstream, fake, judged, filtered=False) == "defect"
