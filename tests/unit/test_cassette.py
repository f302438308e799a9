"""The cassette format: a dump loads back equal, and a broken cassette is refused
with the field named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fake_server.recording.cassette import (
    Cassette,
    CassetteError,
    Download,
    Exchange,
    RecordedRequest,
    RecordedResponse,
    Upload,
    dump_cassette,
    load_cassette,
)

DIGEST = "0" * 64


def sample() -> Cassette:
    upload = Upload("file", "a.txt", 3, DIGEST, None, {"purpose": "assistants"})
    return Cassette(
        upstream="http://127.0.0.1:9001/base",
        recorded_at="2026-12-07T20:00:00Z",
        redactions={"secrets": 1, "end_users": 0},
        exchanges=[
            Exchange(
                0,
                0.01,
                0.002,
                RecordedRequest("POST", "/v1/files", [], {}, None, upload),
                RecordedResponse(200, {"content-type": "application/json"}, {"id": "file-1"}),
            ),
            Exchange(
                1,
                0.5,
                0.001,
                RecordedRequest("GET", "/v1/files/file-1/content", [("limit", "2")]),
                RecordedResponse(200, {}, None, Download(3, DIGEST, "YWJj")),
            ),
        ],
    )


def test_a_dump_loads_back_equal(tmp_path: Path) -> None:
    path = tmp_path / "cassette.json"
    dump_cassette(sample(), path)
    assert load_cassette(path) == sample()
    assert json.loads(path.read_text())["format"] == "fake_server.cassette/1"
    assert [p.name for p in tmp_path.iterdir()] == ["cassette.json"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            lambda d: d["exchanges"][1]["request"].update(method="FETCH"),
            "exchanges[1].request.method",
        ),
        (lambda d: d["exchanges"][0]["response"].pop("status"), "exchanges[0].response"),
        (lambda d: d["exchanges"][0]["request"]["upload"].update(size=-1), "upload.size"),
        (lambda d: d.update(format="other/1"), "format"),
    ],
)
def test_a_broken_cassette_names_the_field(tmp_path: Path, change: object, field: str) -> None:
    path = tmp_path / "cassette.json"
    dump_cassette(sample(), path)
    document = json.loads(path.read_text())
    change(document)  # type: ignore[operator]
    path.write_text(json.dumps(document))
    with pytest.raises(CassetteError, match=field.replace("[", r"\[").replace("]", r"\]")):
        load_cassette(path)


def test_not_json_and_missing_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "cassette.json"
    path.write_text("{nope")
    with pytest.raises(CassetteError, match="not a JSON cassette"):
        load_cassette(path)
    with pytest.raises(CassetteError, match="cannot read"):
        load_cassette(tmp_path / "missing.json")
