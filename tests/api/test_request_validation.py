"""Request bodies are checked against the request schemas; a bad one changes nothing.

In process; tests/e2e/test_request_validation.py keeps a few through a real server.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from fake_server.testing.handle import FakeServer

SCENARIO = """
clock: {mode: virtual, start: 0}
files: [{id: file-a}, {id: file-b}]
vector_stores: [{id: vs_v}]
"""
pytestmark = pytest.mark.fake_server_scenario(SCENARIO)

BAD_CREATE_BODIES = {
    "too many": ({"file_ids": ["file-a"] * 2001}, "file_ids", "maximum length 2000"),
    "empty": ({"file_ids": []}, "file_ids", "minimum length 1"),
    "unknown field": (
        {"file_ids": ["file-a"], "colour": "blue"},
        "colour",
        "Unrecognized request argument",
    ),
    "neither": ({}, None, "'file_ids' or 'files'"),
    "wrong type": ({"file_ids": "file-a"}, "file_ids", "expected array"),
    "both": (
        {"file_ids": ["file-a"], "files": [{"file_id": "file-b"}]},
        "files",
        "mutually exclusive",
    ),
    "unknown id": ({"file_ids": ["file-nope"]}, "file_ids", "'file-nope' was not found"),
    "unknown id in files": (
        {"files": [{"file_id": "file-nope"}]},
        "files",
        "'file-nope' was not found",
    ),
    "twice": ({"file_ids": ["file-a", "file-a"]}, "file_ids", "listed twice"),
}


@pytest.fixture
def http(fake_server_inprocess: FakeServer) -> httpx.Client:
    return fake_server_inprocess.http_client()


def assert_nothing_changed(http: httpx.Client) -> None:
    store = http.get("/v1/vector_stores/vs_v").json()
    assert store["file_counts"]["total"] == 0, "a refused request changes nothing"


@pytest.mark.parametrize("prefix", ["/v1", "/api/v1/llm"])
@pytest.mark.parametrize("case", list(BAD_CREATE_BODIES))
def test_bad_create_batch_bodies_get_a_400_naming_the_parameter(
    http: httpx.Client, prefix: str, case: str
) -> None:
    body, param, words = BAD_CREATE_BODIES[case]
    response = http.post(f"{prefix}/vector_stores/vs_v/file_batches", json=body)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["param"] == param
    if prefix == "/v1":  # MKA1's request model words some refusals its own way
        assert words in error["message"]
    assert_nothing_changed(http)


@pytest.mark.parametrize(
    ("content", "content_type", "code"),
    [
        (b"{not json", "application/json", "invalid_json"),
        (b"[1, 2]", "application/json", "invalid_json"),
        (b"42", "application/json", "invalid_json"),
        (b"\xff\xfe", "application/json", "invalid_json"),
        (b'{"file_ids": ["file-a"]}', "text/plain", "invalid_content_type"),
    ],
)
def test_malformed_bodies_are_refused(
    http: httpx.Client, content: bytes, content_type: str, code: str
) -> None:
    response = http.post(
        "/v1/vector_stores/vs_v/file_batches",
        content=content,
        headers={"Content-Type": content_type},
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert_nothing_changed(http)


@pytest.mark.parametrize(
    "content_type",
    [None, "", "application/json", "Application/JSON; charset=utf-8", "application/vnd.x+json"],
)
def test_a_json_body_is_read_without_a_content_type_or_with_any_json_one(
    http: httpx.Client, content_type: str | None
) -> None:
    headers = {} if content_type is None else {"Content-Type": content_type}
    response = http.post(
        "/v1/vector_stores/vs_v/file_batches", content=b'{"file_ids": ["file-a"]}', headers=headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["file_counts"]["total"] == 1


def test_a_body_of_another_type_is_refused_naming_the_type_sent(http: httpx.Client) -> None:
    response = http.post(
        "/v1/vector_stores/vs_v/file_batches",
        content=b'{"file_ids": ["file-a"]}',
        headers={"Content-Type": "text/plain; charset=" + "x" * 200},
    )
    assert response.status_code == 400
    message = response.json()["error"]["message"]
    assert message.startswith("Invalid Content-Type header (text/plain; charset=xxx")
    assert message.endswith("), expected application/json.")
    assert len(message) < 200  # the type sent, cut short
    assert_nothing_changed(http)


@pytest.mark.parametrize(
    ("files", "data", "param"),
    [
        ({"file": ("a.txt", b"a")}, {}, "purpose"),
        ({"file": ("a.txt", b"a")}, {"purpose": "homework"}, "purpose"),
        ({"purpose": (None, "assistants")}, {}, "file"),
    ],
)
def test_bad_uploads_are_refused(
    http: httpx.Client, files: Any, data: dict[str, str], param: str
) -> None:
    response = http.post("/v1/files", files=files, data=data)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == param


@pytest.mark.parametrize("prefix", ["/v1", "/api/v1/llm"])
@pytest.mark.parametrize(
    ("data", "param"),
    [
        ({"purpose": ["assistants", "batch"]}, "purpose"),
        (
            {
                "purpose": "assistants",
                "expires_after[seconds]": ["3600", "7200"],
                "expires_after[anchor]": "created_at",
            },
            "expires_after[seconds]",
        ),
    ],
)
def test_an_upload_field_given_twice_is_refused_not_read_as_the_last(
    http: httpx.Client, prefix: str, data: dict[str, Any], param: str
) -> None:
    response = http.post(f"{prefix}/files", files={"file": ("a.txt", b"a")}, data=data)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["param"] == param and "given 2 times" in error["message"]
    listed = http.get(f"{prefix}/files").json()["data"]
    assert sorted(file["id"] for file in listed) == ["file-a", "file-b"], "nothing uploaded"


LONG = "k" * 100_000
# Bodies that carry a long text of the client's where the refusal names it.
ECHOING_BODIES = {
    "unknown field": ("/vector_stores/vs_v/file_batches", {"file_ids": ["file-a"], LONG: 1}),
    "many unknown fields": (
        "/vector_stores/vs_v/file_batches",
        {"file_ids": ["file-a"], **{f"{i}{LONG[:1000]}": 1 for i in range(100)}},
    ),
    "unknown field in files": (
        "/vector_stores/vs_v/file_batches",
        {"files": [{"file_id": "file-a", LONG: 1}]},
    ),
    "unknown id": ("/vector_stores/vs_v/file_batches", {"file_ids": ["file-" + LONG]}),
    "too many attributes": (
        "/vector_stores/vs_v/file_batches",
        {"file_ids": ["file-a"], "attributes": {f"{i}{LONG[:60]}": LONG[:500] for i in range(17)}},
    ),
    "attribute key too long": (
        "/vector_stores/vs_v/file_batches",
        {"file_ids": ["file-a"], "attributes": {LONG: "v"}},
    ),
    "attribute of no type": (
        "/vector_stores/vs_v/file_batches",
        {"file_ids": ["file-a"], "attributes": {"k": {LONG: LONG}}},
    ),
    "unknown chunking type": ("/vector_stores", {"chunking_strategy": {"type": LONG}}),
    "unknown expiry anchor": ("/vector_stores", {"expires_after": {"anchor": LONG, "days": 1}}),
    "query of no type": ("/vector_stores/vs_v/search", {"query": {LONG: LONG}}),
    "unknown ranker": (
        "/vector_stores/vs_v/search",
        {"query": "a", "ranking_options": {"ranker": LONG}},
    ),
    "array for an object": ("/vector_stores", {"chunking_strategy": [LONG[:5000]] * 100}),
}


@pytest.mark.parametrize("prefix", ["/v1", "/api/v1/llm"])
@pytest.mark.parametrize("case", list(ECHOING_BODIES))
def test_a_refusal_echoes_the_clients_text_cut_short(
    http: httpx.Client, prefix: str, case: str
) -> None:
    path, body = ECHOING_BODIES[case]
    response = http.post(prefix + path, json=body)
    if response.status_code == 200:  # MKA1's schema leaves some of these open
        assert prefix == "/api/v1/llm", response.text
        return
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert len(error["message"]) <= 400, error["message"][:500]
    assert error["param"] is None or len(error["param"]) <= 100
    assert LONG[:100] not in error["message"]
    assert_nothing_changed(http)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"file_ids": ["file-a"], "attributes": {f"a{i}": i for i in range(17)}},
            "Invalid 'attributes': object too large. Expected an object of at most 16 "
            "properties, but got an object with 17 properties instead.",
        ),
        (
            {"file_ids": ["file-a"], "attributes": {"k" * 65: 1}},
            "Invalid 'attributes': key too long. Expected a key with maximum length 64, "
            "but got a key with length 65 instead.",
        ),
        (
            {"file_ids": ["file-a"], "attributes": {"k": "v" * 513}},
            "Invalid 'attributes.k': string too long. Expected a string with maximum "
            "length 512, but got a string with length 513 instead.",
        ),
        (
            {"file_ids": ["file-a"], **{f"extra{i}": 1 for i in range(5)}},
            "Unrecognized request argument supplied: extra0, extra1, extra2 and 2 more",
        ),
    ],
)
def test_a_size_refusal_says_the_sizes_not_the_value(
    http: httpx.Client, body: dict[str, Any], message: str
) -> None:
    response = http.post("/v1/vector_stores/vs_v/file_batches", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["message"] == message


def test_an_unknown_route_names_a_long_path_cut_short(http: httpx.Client) -> None:
    response = http.get(f"/v1/nowhere/{LONG[:60_000]}")  # httpx's own limit is 65,536
    assert response.status_code == 404
    message = response.json()["error"]["message"]
    assert message.startswith("Invalid URL (GET /v1/nowhere/k") and len(message) <= 200


@pytest.mark.parametrize(
    "body",
    [
        {"expires_after": {"anchor": "a\nb\u2028\x1b[2J\u202e\u200b\u200f\ufeff", "days": 1}},
        {"name": "docs", "colour\r\n\x1b[31m": 1},
    ],
    ids=["a value", "a field name"],
)
def test_a_refusal_writes_the_clients_control_characters_as_escapes(
    http: httpx.Client, body: dict[str, Any]
) -> None:
    response = http.post("/v1/vector_stores", json=body)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    for text in (error["message"], error["param"] or ""):
        assert not any(char in text for char in "\n\r\x1b\u2028\u202e\u200b\u200f\ufeff"), text
    assert "\\x1b" in error["message"]


@pytest.mark.parametrize("path", ["/v1/vector_stores", "/v1/vector_stores/vs_v"])
@pytest.mark.parametrize(
    ("metadata", "param", "words"),
    [
        ({f"k{i}": "v" for i in range(17)}, "metadata", "at most 16 properties"),
        ({"k" * 65: "v"}, "metadata", "key too long"),
        ({"k": "v" * 513}, "metadata.k", "maximum length 512"),
    ],
    ids=["17 keys", "a 65-character key", "a 513-character value"],
)
def test_metadata_beyond_the_documented_bounds_is_refused(
    http: httpx.Client, path: str, metadata: dict[str, str], param: str, words: str
) -> None:
    response = http.post(path, json={"metadata": metadata})
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["param"] == param and words in error["message"], error
    assert http.get("/v1/vector_stores/vs_v").json()["metadata"] == {}
    widest = {f"{i:02d}" + "k" * 62: "v" * 512 for i in range(16)}
    assert http.post(path, json={"metadata": widest}).status_code == 200


def test_metadata_stored_through_mka1_still_reads_on_v1(http: httpx.Client) -> None:
    # MKA1's schema bounds no metadata; the state is shared, so /v1 must show it.
    wide = {"k" * 70: "v" * 600}
    created = http.post("/api/v1/llm/vector_stores", json={"name": "m", "metadata": wide})
    assert created.status_code == 200, created.text
    store = created.json()["id"]
    read = http.get(f"/v1/vector_stores/{store}")
    assert read.status_code == 200, read.text
    assert read.json()["metadata"] == wide
    assert http.get("/v1/vector_stores").status_code == 200
    renamed = http.post(f"/v1/vector_stores/{store}", json={"name": "n"})
    assert renamed.status_code == 200, renamed.text


@pytest.mark.parametrize("prefix", ["/v1", "/api/v1/llm"])
@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/vector_stores", b'{"metadata": {"\\ud800": "v"}}'),
        ("/vector_stores", b'{"\\udfff": 1}'),
        ("/vector_stores/vs_v/file_batches", b'{"file_ids": ["file-a"], "\\ud800x": 1}'),
        ("/vector_stores", b'{"name": "\\udfff"}'),
        ("/vector_stores", b'{"name": "\xed\xa0\x80"}'),  # a surrogate in UTF-8's form
        ("/vector_stores/vs_v/file_batches", b'{"file_ids": ["file-\\ud800"]}'),
    ],
)
def test_a_key_with_a_lone_surrogate_is_a_400_not_a_500(
    http: httpx.Client, prefix: str, path: str, body: bytes
) -> None:
    response = http.post(prefix + path, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    for text in (error["message"], error["param"] or ""):  # written as escapes, never raw
        assert not any("\ud800" <= char <= "\udfff" for char in text), text
    assert_nothing_changed(http)


# A value under "one of these shapes" is refused by the rule of the shape it
# was meant as (its "type" says which), not by another shape's enum.
MEANT_SHAPES = [
    (
        "/v1/vector_stores",
        {"chunking_strategy": {"type": "auto", "x": 1}},
        "x",
        "Unrecognized request argument supplied: x",
    ),
    (
        "/v1/vector_stores",
        {"chunking_strategy": {"type": "static"}},
        "chunking_strategy.static",
        "Missing required parameter: 'chunking_strategy.static'.",
    ),
    (
        "/v1/vector_stores/vs_v/search",
        {"query": "a", "filters": {"type": "eq", "key": "a"}},
        "filters.value",
        "Missing required parameter: 'filters.value'.",
    ),
    (
        "/v1/vector_stores/vs_v/search",
        {"query": "a", "filters": {"type": "and", "filters": [{"type": "eq", "key": "a"}]}},
        "filters.filters.0.value",
        "Missing required parameter: 'filters.filters.0.value'.",
    ),
    (
        "/v1/vector_stores/vs_v",
        {"name": 5},
        "name",
        "Invalid 'name': expected string or null, but got integer instead.",
    ),
    (
        "/api/v1/llm/vector_stores/vs_v/permissions",
        {"grantee_type": "user", "user_id": "u1", "role": "bad"},
        "role",
        "Invalid 'role': 'bad' is not one of ['writer', 'reader']",
    ),
]


@pytest.mark.parametrize(("path", "body", "param", "message"), MEANT_SHAPES)
def test_a_refusal_names_the_rule_of_the_shape_the_value_was_meant_as(
    http: httpx.Client, path: str, body: dict[str, Any], param: str, message: str
) -> None:
    response = http.post(path, json=body)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert (error["param"], error["message"]) == (param, message)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        (
            "POST",
            "/__fake__/faults",
            b'{"operation": "cancelVectorStoreFileBatch", "status": 500, "\\ud800": 1}',
        ),
        ("PUT", "/__fake__/scenario", b'{"files": [{"id": "file-a", "owner": "\\ud800"}]}'),
    ],
)
def test_the_control_plane_refuses_a_lone_surrogate_too(
    http: httpx.Client, method: str, path: str, body: bytes
) -> None:
    json_type = {"content-type": "application/json"}
    response = http.request(method, path, content=body, headers=json_type)
    assert response.status_code == 400, response.text
    assert http.get("/__fake__/faults").json()["faults"] == []
    assert_nothing_changed(http)
    paired = http.post("/v1/vector_stores", json={"name": "\U0001f600"})  # a pair is text
    assert paired.status_code == 200 and paired.json()["name"] == "\U0001f600"
