"""The files API as the real one answers it: which purposes download, and how a
missing file is named (OpenAI dialect); MKA1 keeps its documented downloads."""

from __future__ import annotations

import httpx
import pytest

from fake_server.contract.dialects import OPENAI
from fake_server.testing.handle import FakeServer

# The purposes a client may upload with (the spec's CreateFileRequest enum).
UPLOAD_PURPOSES = ["assistants", "batch", "fine-tune", "vision", "user_data", "evals"]


@pytest.fixture
def http(fake_server_inprocess: FakeServer) -> httpx.Client:
    return fake_server_inprocess.http_client()


def upload(http: httpx.Client, prefix: str, purpose: str, content: bytes = b"alpha") -> str:
    created = http.post(
        f"{prefix}/files", files={"file": ("a.txt", content)}, data={"purpose": purpose}
    )
    assert created.status_code == 200, created.text
    file_id: str = created.json()["id"]
    return file_id


@pytest.mark.parametrize("purpose", UPLOAD_PURPOSES)
def test_openai_downloads_only_the_purposes_the_real_api_does(
    http: httpx.Client, purpose: str
) -> None:
    file_id = upload(http, "/v1", purpose, b"alpha\x00\xff")
    answer = http.get(f"/v1/files/{file_id}/content")
    assert OPENAI.downloadable_purposes is not None
    if purpose in OPENAI.downloadable_purposes:
        assert answer.status_code == 200, answer.text
        assert answer.content == b"alpha\x00\xff"
        return
    assert answer.status_code == 400, answer.text
    assert answer.json() == {
        "error": {
            "message": f"Not allowed to download files of purpose: {purpose}",
            "type": "invalid_request_error",
            "param": None,
            "code": None,
        }
    }
    # Nothing changed: the file is still there, and a batch file still downloads.
    assert http.get(f"/v1/files/{file_id}").json()["purpose"] == purpose
    other = upload(http, "/v1", "batch", b"beta")
    assert http.get(f"/v1/files/{other}/content").content == b"beta"


def test_the_recorded_answers_hold() -> None:
    # Recorded against the real API: user_data and assistants are refused, batch downloads.
    assert OPENAI.downloadable_purposes is not None
    assert "batch" in OPENAI.downloadable_purposes
    assert not {"assistants", "user_data"} & OPENAI.downloadable_purposes


@pytest.mark.parametrize("purpose", ["assistants", "user_data", "batch"])
def test_mka1_downloads_every_purpose(http: httpx.Client, purpose: str) -> None:
    file_id = upload(http, "/api/v1/llm", purpose)
    answer = http.get(f"/api/v1/llm/files/{file_id}/content")
    assert answer.status_code == 200, answer.text
    assert answer.content == b"alpha"


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/files/{}"), ("GET", "/files/{}/content"), ("DELETE", "/files/{}")],
)
def test_a_missing_file_is_named_as_the_real_api_names_it(
    http: httpx.Client, method: str, path: str
) -> None:
    answer = http.request(method, "/v1" + path.format("fake_id"))
    assert answer.status_code == 404, answer.text
    assert answer.json() == {
        "error": {
            "message": "No such File object: fake_id",
            "type": "invalid_request_error",
            "param": "id",
            "code": None,
        }
    }
    # MKA1 keeps its wording.
    mka1 = http.request(method, "/api/v1/llm" + path.format("fake_id")).json()["error"]
    assert mka1["message"] == "No such File object: 'fake_id'"
    assert mka1["param"] == "file_id"
    assert http.get("/v1/files").status_code == 200


def test_a_deleted_file_is_missing_in_the_same_words(http: httpx.Client) -> None:
    file_id = upload(http, "/v1", "batch")
    assert http.delete(f"/v1/files/{file_id}").status_code == 200
    error = http.get(f"/v1/files/{file_id}/content").json()["error"]
    assert (error["message"], error["param"]) == (f"No such File object: {file_id}", "id")


def test_a_long_missing_id_is_named_cut_short(http: httpx.Client) -> None:
    answer = http.get("/v1/files/" + "f" * 10_000)
    assert answer.status_code == 404
    assert len(answer.json()["error"]["message"]) < 400


DECLARED = """
files:
  - {id: file-sized, bytes: 1000, purpose: batch}
  - {id: file-other, bytes: 1000, purpose: batch}
  - {id: file-empty, bytes: 0, purpose: batch}
  - {id: file-huge, bytes: 67108865, purpose: batch}
  - {id: file-told, content: "told", purpose: batch}
"""


@pytest.mark.fake_server_scenario(DECLARED)
@pytest.mark.parametrize("prefix", ["/v1", "/api/v1/llm"])
def test_a_file_declared_by_its_size_downloads_as_that_many_bytes(
    http: httpx.Client, prefix: str
) -> None:
    first = http.get(f"{prefix}/files/file-sized/content")
    assert first.status_code == 200, first.text
    assert len(first.content) == 1000
    assert first.content.startswith(b"file-sized\nfile-sized\n")
    assert set(first.content) <= set(b"file-sized\n")
    assert http.get(f"{prefix}/files/file-sized/content").content == first.content
    other = http.get(f"{prefix}/files/file-other/content").content
    assert len(other) == 1000 and other != first.content
    assert http.get(f"{prefix}/files/file-empty/content").content == b""
    assert http.get(f"{prefix}/files/file-told/content").content == b"told"


@pytest.mark.fake_server_scenario(DECLARED)
def test_a_declared_size_beyond_what_a_session_holds_is_refused_not_cut(
    http: httpx.Client,
) -> None:
    answer = http.get("/v1/files/file-huge/content")
    assert answer.status_code == 400, answer.text[:300]
    error = answer.json()["error"]
    assert error["code"] == "declared_size_too_large"
    assert "67108865" in error["message"]
    assert http.get("/v1/files/file-huge").json()["bytes"] == 67108865  # nothing changed
    assert len(http.get("/v1/files/file-sized/content").content) == 1000
