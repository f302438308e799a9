"""An upload's unknown form field is refused wherever it stands in the body:
before the file part, after it, or between the others."""

from __future__ import annotations

import httpx
import pytest

from fake_server.testing.handle import FakeServer

BOUNDARY = "fake-server-boundary"
FILE_PART = ("file", "a.txt", b"hello")
PURPOSE_PART = ("purpose", None, b"assistants")
# A field the upload does not know, and where the SDKs' bracket folding puts it.
UNKNOWN_FIELDS = [
    ("file[x]", "y"),
    ("purpose[x]", "y"),
    ("file[]", "y"),
    ("colour", "blue"),
    ("expires_after[anchor][x]", "created_at"),
]


def multipart(parts: list[tuple[str, str | None, bytes]]) -> bytes:
    """A multipart body with its parts in exactly this order (httpx puts fields first)."""
    body = b""
    for name, filename, value in parts:
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        body += f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode()
        body += value + b"\r\n"
    return body + f"--{BOUNDARY}--\r\n".encode()


def post(
    http: httpx.Client, prefix: str, parts: list[tuple[str, str | None, bytes]]
) -> httpx.Response:
    return http.post(
        f"{prefix}/files",
        content=multipart(parts),
        headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
    )


@pytest.fixture
def http(fake_server_inprocess: FakeServer) -> httpx.Client:
    return fake_server_inprocess.http_client()


def file_ids(http: httpx.Client, prefix: str) -> list[str]:
    return sorted(file["id"] for file in http.get(f"{prefix}/files").json()["data"])


@pytest.mark.parametrize("prefix", ["/v1", "/api/v1/llm"])
@pytest.mark.parametrize("position", [0, 1, 2])
@pytest.mark.parametrize(("name", "value"), UNKNOWN_FIELDS)
def test_an_unknown_field_is_refused_wherever_it_stands(
    http: httpx.Client, prefix: str, position: int, name: str, value: str
) -> None:
    before = file_ids(http, prefix)
    parts = [FILE_PART, PURPOSE_PART]
    parts.insert(position, (name, None, value.encode()))
    response = post(http, prefix, parts)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["type"] == "invalid_request_error"
    assert error["param"] == name
    assert name in error["message"]
    assert file_ids(http, prefix) == before, "nothing uploaded"
    # The server still takes a good upload, in the same order.
    good = post(http, prefix, [FILE_PART, PURPOSE_PART])
    assert good.status_code == 200, good.text
    assert len(file_ids(http, prefix)) == len(before) + 1


@pytest.mark.parametrize("position", [0, 2])
def test_a_long_unknown_field_is_named_cut_short(http: httpx.Client, position: int) -> None:
    name = "file[" + "k" * 900 + "]"
    parts = [FILE_PART, PURPOSE_PART]
    parts.insert(position, (name, None, b"y"))
    response = post(http, "/v1", parts)
    assert response.status_code == 400, response.text
    assert len(response.text) < 2000
    error = response.json()["error"]
    # As every echoed client text: the param is cut short or left out.
    assert error["param"] is None or len(error["param"]) <= 100
    assert "file[kkk" in error["message"] and len(error["message"]) <= 400


def test_the_sdks_bracketed_expiry_still_folds(http: httpx.Client) -> None:
    parts = [
        ("expires_after[anchor]", None, b"created_at"),
        FILE_PART,
        ("expires_after[seconds]", None, b"3600"),
        PURPOSE_PART,
    ]
    response = post(http, "/v1", parts)
    assert response.status_code == 200, response.text
    created = response.json()
    assert created["expires_at"] == created["created_at"] + 3600
