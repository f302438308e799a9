"""The contract module: schema sets, overlay, violations."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from typing import Any

import jsonschema_rs
import pytest

from fake_server import Contract
from fake_server.contract.dialects import DIALECTS
from fake_server.contract.loading import SCHEMA_SETS, ContractLoadError, load
from fake_server.contract.resources import schema_path
from fake_server.contract.validation import check_schema, only_reachable
from tests.helpers import REPO_ROOT

BATCH: dict[str, Any] = {
    "id": "vsfb_abc123",
    "object": "vector_store.file_batch",
    "created_at": 1704067200,
    "vector_store_id": "vs_abc123",
    "status": "cancelled",
    "file_counts": {"in_progress": 0, "completed": 0, "failed": 0, "cancelled": 3, "total": 3},
}
OP = "cancelVectorStoreFileBatch"


def with_changes(**changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(BATCH)
    body.update(changes)
    return body


def test_openai_and_mka1_accept_the_corrected_object_name(contract: Contract) -> None:
    assert contract.check("openai", OP, 200, BATCH) is None
    assert contract.check("mka1", OP, 200, BATCH) is None


def test_the_literal_spec_set_wants_the_spec_spelling(contract: Contract) -> None:
    violation = contract.check("spec", OP, 200, BATCH)
    assert violation is not None
    assert violation.json_path == "$.object"
    assert violation.rule == "enum"
    assert contract.check("spec", OP, 200, with_changes(object="vector_store.files_batch")) is None


def test_mka1_rejects_the_spec_spelling(contract: Contract) -> None:
    violation = contract.check("mka1", OP, 200, with_changes(object="vector_store.files_batch"))
    assert violation is not None
    assert (violation.json_path, violation.rule) == ("$.object", "const")


@pytest.mark.parametrize(
    ("body", "path", "rule"),
    [
        (with_changes(status="cancelling"), "$.status", "enum"),
        (with_changes(created_at="yesterday"), "$.created_at", "type"),
        ({k: v for k, v in BATCH.items() if k != "file_counts"}, "$", "required"),
        (with_changes(file_counts={"in_progress": 0}), "$.file_counts", "required"),
    ],
)
def test_violations_name_the_json_path_and_rule(
    contract: Contract, body: dict[str, Any], path: str, rule: str
) -> None:
    for schema_set in ("openai", "mka1"):
        violation = contract.check(schema_set, OP, 200, body)
        assert violation is not None, schema_set
        assert (violation.json_path, violation.rule) == (path, rule)
        assert path in str(violation) and f"rule: {rule}" in str(violation)


def test_undeclared_error_statuses_are_checked_against_the_envelope(contract: Contract) -> None:
    envelope = {
        "error": {"message": "x", "type": "invalid_request_error", "param": None, "code": None}
    }
    for schema_set in ("openai", "mka1", "spec"):
        assert contract.check(schema_set, OP, 404, envelope) is None
        violation = contract.check(schema_set, OP, 404, {"error": {"message": "x"}})
        assert violation is not None and violation.rule == "required"


def test_an_undeclared_success_status_is_a_violation(contract: Contract) -> None:
    violation = contract.check("openai", OP, 201, BATCH)
    assert violation is not None and violation.rule == "responses"


def test_an_overlay_entry_that_no_longer_matches_fails_loudly() -> None:
    stale = {
        "id": "stale",
        "schema_sets": ["openai"],
        "document": "openai-spec.json",
        "pointer": "/$defs/VectorStoreFileBatchObject/properties/object/enum",
        "expect": ["something.else"],
        "replace": ["x"],
    }
    with pytest.raises(ContractLoadError, match="stale"):
        Contract.load(extra_corrections=[stale])


def test_an_overlay_pointer_that_does_not_resolve_fails_loudly() -> None:
    lost = {
        "id": "lost",
        "schema_sets": ["openai"],
        "document": "openai-spec.json",
        "pointer": "/$defs/NoSuchSchema/properties/object",
        "expect": None,
        "replace": None,
    }
    with pytest.raises(ContractLoadError, match="does not resolve"):
        Contract.load(extra_corrections=[lost])


@pytest.mark.parametrize(
    ("schema_sets", "document", "reason"),
    [
        (["mka1"], "openai-spec.json", "which reads mka1.json"),
        (["openai", "nonesuch"], "openai-spec.json", "which is not a schema set"),
    ],
)
def test_an_overlay_entry_for_a_set_that_reads_another_document_fails_loudly(
    schema_sets: list[str], document: str, reason: str
) -> None:
    # Such an entry would otherwise correct nothing, silently.
    misplaced = {
        "id": "misplaced",
        "schema_sets": schema_sets,
        "document": document,
        "pointer": "/$defs/VectorStoreFileBatchObject/properties/object/enum",
        "expect": ["vector_store.files_batch"],
        "replace": ["x"],
    }
    with pytest.raises(ContractLoadError, match=f"'misplaced'.*{reason}"):
        Contract.load(extra_corrections=[misplaced])


def test_every_dialect_reads_a_schema_set_and_every_set_borrows_from_a_set() -> None:
    names = {schema_set.name for schema_set in SCHEMA_SETS}
    assert {dialect.schema_set for dialect in DIALECTS} == names
    for schema_set in SCHEMA_SETS:
        assert {schema_set.errors_from, schema_set.requests_from or schema_set.name} <= names


def test_mka1_borrows_the_specs_request_schemas_and_error_envelope(contract: Contract) -> None:
    # The multipart upload has no MKA1 model: the spec's checks it.
    upload = {"purpose": "nonesuch"}
    spec_problem = contract.check_request("spec", "createFile", upload)
    assert spec_problem is not None
    assert contract.check_request("mka1", "createFile", upload) == spec_problem
    error = {"error": {"message": "x", "type": "y", "param": None, "code": None}}
    assert contract.check("mka1", OP, 404, error) is None
    assert contract.check("mka1", OP, 404, {"error": "x"}) is not None


def test_list_responses_are_checked(contract: Contract) -> None:
    page = {"object": "list", "data": [], "first_id": "", "last_id": "", "has_more": False}
    for schema_set in ("openai", "mka1"):
        assert contract.check(schema_set, "listFilesInVectorStoreBatch", 200, page) is None
    violation = contract.check(
        "mka1", "listFilesInVectorStoreBatch", 200, {**page, "first_id": None}
    )
    assert violation is not None and violation.json_path == "$.first_id"


def test_every_schema_document_is_a_valid_json_schema(contract: Contract) -> None:
    for name in contract.documents:
        check_schema({"$defs": contract.document(name)["$defs"]})  # its part included
    admin = json.loads(schema_path("admin.json").read_text())
    check_schema({"$defs": admin["$defs"]})
    check_schema(json.loads(schema_path("scenario.schema.json").read_text()))


def test_every_validator_compiles() -> None:
    # Validators compile on first use; this compiles all of them.
    assert Contract.load().compile_all() > 100


def test_the_fast_and_the_explaining_validators_agree(contract: Contract) -> None:
    good, bad = BATCH, with_changes(status="cancelling")
    for schema_set in ("openai", "mka1"):
        assert contract.check(schema_set, OP, 200, good) is None
        assert contract.check(schema_set, OP, 200, bad) is not None


FILE: dict[str, Any] = {
    "id": "file-abc123",
    "object": "vector_store.file",
    "usage_bytes": 0,
    "created_at": 1704067200,
    "vector_store_id": "vs_abc123",
    "status": "in_progress",
    "last_error": None,
    "chunking_strategy": {
        "type": "static",
        "static": {"max_chunk_size_tokens": 800, "chunk_overlap_tokens": 400},
    },
}
LIST_OP = "listFilesInVectorStoreBatch"


def envelope(**changes: Any) -> dict[str, Any]:
    page = {"object": "list", "data": [], "first_id": "", "last_id": "", "has_more": False}
    return {**page, **changes}


def encoded(**changes: Any) -> bytes:
    return json.dumps({**FILE, **changes}).encode()


@pytest.mark.parametrize("schema_set", ["openai", "mka1", "spec"])
def test_a_list_page_is_checked_item_by_item_and_the_bad_one_is_named(
    schema_set: str,
) -> None:
    contract = Contract.load()  # a fresh memory of valid items
    good, bad = encoded(), encoded(id="file-bad", status="processing")
    assert contract.check_list(schema_set, LIST_OP, 200, envelope(), [good, good]) is None
    violation = contract.check_list(schema_set, LIST_OP, 200, envelope(), [good, good, bad])
    assert violation is not None
    assert (violation.json_path, violation.rule) == ("$.data[2].status", "enum")


def test_a_remembered_valid_item_does_not_excuse_a_different_one(contract: Contract) -> None:
    good = encoded()
    assert contract.check_list("openai", LIST_OP, 200, envelope(), [good]) is None
    # The same file, one field off: different bytes, so it is checked again.
    violation = contract.check_list(
        "openai", LIST_OP, 200, envelope(), [good, encoded(usage_bytes="0")]
    )
    assert violation is not None and violation.json_path == "$.data[1].usage_bytes"


def test_a_bad_page_envelope_is_named_even_with_good_items(contract: Contract) -> None:
    violation = contract.check_list("mka1", LIST_OP, 200, envelope(first_id=None), [encoded()])
    assert violation is not None and violation.json_path == "$.first_id"


@pytest.mark.parametrize(
    "item",
    [
        FILE,
        {**FILE, "status": "done"},
        {**FILE, "last_error": {"code": "server_error"}},
        {k: v for k, v in FILE.items() if k != "created_at"},
        {**FILE, "usage_bytes": None},
    ],
)
@pytest.mark.parametrize("schema_set", ["openai", "mka1", "spec"])
def test_checking_a_page_by_items_agrees_with_checking_it_whole(
    contract: Contract, schema_set: str, item: dict[str, Any]
) -> None:
    items = [json.dumps(FILE).encode(), json.dumps(item).encode()]
    whole = contract.check(schema_set, LIST_OP, 200, envelope(data=[FILE, item]))
    by_items = contract.check_list(schema_set, LIST_OP, 200, envelope(), items)
    assert (whole is None) == (by_items is None)
    if whole is not None and by_items is not None:
        assert (by_items.json_path, by_items.rule) == (whole.json_path, whole.rule)


@pytest.mark.parametrize("with_value", [True, False])
def test_an_encoded_body_is_checked_like_its_value(with_value: bool) -> None:
    contract = Contract.load()
    for body in (BATCH, with_changes(status="cancelling"), BATCH, with_changes(created_at="x")):
        data = json.dumps(body).encode()
        value = body if with_value else None
        expected = contract.check("openai", OP, 200, body)
        got = contract.check_encoded("openai", OP, 200, data, value)
        assert (got is None) == (expected is None)
        if got is not None and expected is not None:
            assert (got.json_path, got.rule) == (expected.json_path, expected.rule)


@pytest.mark.parametrize(
    ("state_schema", "spec_schema"),
    [
        ("StateVectorStore", "VectorStoreObject"),
        ("StateBatch", "VectorStoreFileBatchObject"),
        ("StateFile", "VectorStoreFileObject"),
    ],
)
def test_the_state_read_allows_every_status_the_spec_does(
    state_schema: str, spec_schema: str
) -> None:
    # The inspector polls the state; a status it cannot show breaks the page.
    admin = json.loads(schema_path("admin.json").read_text())["$defs"]
    spec = json.loads(schema_path("openai-spec.json").read_text())["$defs"]
    allowed = set(admin[state_schema]["properties"]["status"]["enum"])
    assert allowed == set(spec[spec_schema]["properties"]["status"]["enum"])


def test_every_purpose_a_scenario_may_give_is_one_a_client_may_upload_with(
    contract: Contract,
) -> None:
    # Both dialects read the same uploads, so each purpose must suit both file objects.
    scenario = json.loads(schema_path("scenario.schema.json").read_text())
    allowed = scenario["$defs"]["upload"]["properties"]["purpose"]["enum"]
    spec = contract.documents["spec"]["$defs"]
    assert set(allowed) == set(spec["CreateFileRequest"]["properties"]["purpose"]["enum"])
    mka1 = contract.documents["mka1"]["$defs"]
    assert set(allowed) <= set(mka1["File"]["properties"]["purpose"]["enum"])
    assert set(allowed) <= set(spec["OpenAIFile"]["properties"]["purpose"]["enum"])


def test_a_validator_is_compiled_with_only_the_definitions_it_reaches() -> None:
    defs = {
        "Batch": {"properties": {"counts": {"$ref": "#/$defs/Counts"}}},
        "Counts": {"type": "object", "additionalProperties": {"$ref": "#/$defs/Count"}},
        "Count": {"type": "integer"},
        "a/b": {"type": "string"},
        "Unused": {"$ref": "#/$defs/Count"},
    }
    reached = only_reachable({"$ref": "#/$defs/Batch", "$defs": defs})
    assert sorted(reached["$defs"]) == ["Batch", "Count", "Counts"]
    escaped = only_reachable({"items": [{"$ref": "#/$defs/a~1b"}], "$defs": defs})
    assert sorted(escaped["$defs"]) == ["a/b"]


@pytest.mark.parametrize(
    "ref", ["#", "#/properties/x", "#/$defs/Missing", "other.json#/$defs/Count", "#anchor"]
)
def test_a_reference_not_followed_leaves_the_schema_whole(ref: str) -> None:
    schema = {"$ref": "#/$defs/Count", "properties": {"x": {"$ref": ref}}, "$defs": {"Count": {}}}
    assert only_reachable(schema) is schema


def test_trimmed_and_whole_validators_agree() -> None:
    # Trimmed as compiled, whole as the explaining validator reads them.
    responses = load().responses
    for schema_set in SCHEMA_SETS:
        validator = responses[(schema_set.name, OP, 200)]
        whole = jsonschema_rs.validator_for(validator.schema)
        for body in (
            BATCH,
            with_changes(status="x"),
            with_changes(object="vector_store.files_batch"),
        ):
            assert validator.is_valid(body) == whole.is_valid(body)


FIRST_CANCEL = """
import asyncio, json, sys
from fake_server.http.app import create_app
from fake_server.scenario.loading import default_scenario

app = create_app(default_scenario())
sent = []

async def receive():
    return {"type": "http.request", "body": b"", "more_body": False}

async def send(message):
    sent.append(message)

path = "/v1/vector_stores/vs_abc123/file_batches/vsfb_abc123/cancel"
scope = {
    "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
    "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
    "root_path": "", "headers": [(b"host", b"127.0.0.1"), (b"authorization", b"Bearer t")],
    "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8080),
}
asyncio.run(app(scope, receive, send))
print(json.dumps({"status": sent[0]["status"], "modules": sorted(sys.modules)}))
"""


def test_a_first_cancel_loads_no_request_messages_or_explainer() -> None:
    # Start-up counts until the first provider answer: what only a bad or a
    # bodied request needs stays unloaded until one comes.
    result = subprocess.run(
        [sys.executable, "-c", FIRST_CANCEL],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    answer = json.loads(result.stdout.splitlines()[-1])
    assert answer["status"] == 200
    unwanted = ("fake_server.contract.request_problems", "jsonschema", "yaml")
    loaded = [
        name
        for name in answer["modules"]
        if any(name == prefix or name.startswith(prefix + ".") for prefix in unwanted)
    ]
    assert loaded == []


def test_the_responses_part_is_read_on_its_first_check() -> None:
    contract = Contract.load()
    assert "openai" not in contract._parts  # a start reads none of it
    deleted = {"id": "resp_1", "object": "response", "deleted": True}
    assert contract.check("openai", "deleteResponse", 200, deleted) is None
    assert "openai" in contract._parts and "mka1" not in contract._parts
    # MKA1 borrows the spec's request schemas: its part reads the spec's too.
    assert contract.check_request("mka1", "createResponse", {"model": "m", "input": 1}) is not None
    assert {"mka1", "spec"} <= set(contract._parts)
