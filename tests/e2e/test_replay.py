"""``fake-server replay``: the openai SDK's recorded lifecycle passes against the
recording alone, and a changed request is refused loudly (404 unrecorded_request)."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from fake_server.recording.cassette import load_cassette
from fake_server.recording.replay import Replay
from fake_server.recording.replay_server import ReplayApp
from fake_server.serve.thread import ServerThread
from tests.cases.lifecycle import lifecycle
from tests.cases.parity_runs import openai_client, record_lifecycle
from tests.helpers import STOP_TIMEOUT_SECONDS, fake_server_command


class Replaying:
    def __init__(self, process: subprocess.Popen[str], url: str) -> None:
        self.process, self.url = process, url

    def report(self) -> dict[str, object]:
        answer = httpx.get(self.url + "/__fake__/report", timeout=5)
        assert answer.status_code == 200
        report: dict[str, object] = answer.json()
        return report

    def stop(self) -> tuple[int, str, str]:
        self.process.send_signal(signal.SIGTERM)
        out, err = self.process.communicate(timeout=STOP_TIMEOUT_SECONDS)
        return self.process.returncode, out, err


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    """One recording for the module's tests (each replays it afresh)."""
    folder = tmp_path_factory.mktemp("recording")
    return folder, record_lifecycle(folder)


@pytest.fixture
def replaying(
    recording: tuple[Path, dict[str, object]],
) -> Iterator[tuple[Replaying, dict[str, object]]]:
    folder, seen = recording
    process = subprocess.Popen(
        [*fake_server_command(), "replay", str(folder), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line.startswith("fake_server replay ready on http://127.0.0.1:"), line
    assert "12 recorded requests" in line
    replay = Replaying(process, line.split()[4])
    yield replay, seen
    if process.poll() is None:
        process.kill()
        process.communicate(timeout=STOP_TIMEOUT_SECONDS)


def test_the_recorded_sdk_lifecycle_passes_against_the_replay(
    replaying: tuple[Replaying, dict[str, object]],
) -> None:
    replay, recorded = replaying
    assert lifecycle(openai_client(replay.url + "/v1")) == recorded
    report = replay.report()
    assert report["complete"] is True and report["served"] == report["recorded"] == 12

    code, out, err = replay.stop()
    assert code == 0, err
    assert "12 of 12 recorded requests answered, 0 unrecorded" in out


def test_a_changed_request_is_refused_loudly_and_reported(
    replaying: tuple[Replaying, dict[str, object]],
) -> None:
    import openai  # noqa: PLC0415

    replay, _ = replaying
    with pytest.raises(openai.NotFoundError) as refused:
        lifecycle(openai_client(replay.url + "/v1"), name="Another name")
    error = refused.value.body
    assert isinstance(error, dict) and error["code"] == "unrecorded_request"
    assert error["type"] == "invalid_request_error"
    message = error["message"]
    assert "No recorded answer for POST /v1/vector_stores" in message
    assert "the next recorded request is #2 POST /v1/vector_stores (differs: body fields name)" in (
        message
    )
    assert message.count("#2 POST /v1/vector_stores") == 2, "expected next, and the closest"

    report = replay.report()
    assert report["served"] == 2 and report["unrecorded_count"] == 1
    unrecorded = report["unrecorded"]
    assert isinstance(unrecorded, list)
    (entry,) = unrecorded
    assert entry["request"] == {"method": "POST", "path": "/v1/vector_stores", "query": []}
    assert entry["closest"]["differs"] == ["body fields name"]

    # A rewind starts the recording over: the recorded lifecycle passes again.
    assert httpx.post(replay.url + "/__fake__/reset", timeout=5).status_code == 200
    lifecycle(openai_client(replay.url + "/v1"))
    code, out, _ = replay.stop()
    assert code == 0, "the rewind forgot the refused request"
    assert "12 of 12 recorded requests answered, 0 unrecorded" in out


def test_an_upload_is_matched_by_its_bytes(
    replaying: tuple[Replaying, dict[str, object]],
) -> None:
    replay, _ = replaying
    client = openai_client(replay.url + "/v1")
    import openai  # noqa: PLC0415

    with pytest.raises(openai.NotFoundError) as refused:
        client.files.create(file=("doc0.txt", b"text 9\n"), purpose="assistants")
    assert "upload (doc0.txt, 7 bytes, by SHA-256)" in refused.value.message
    code, _, err = replay.stop()
    assert code == 1
    assert "unrecorded request: No recorded answer for POST /v1/files" in err


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"--x\r\nbroken", "multipart/form-data; boundary=x"),
        (b"garbage", "multipart/form-data"),
        (b"\xff\xfe{", "application/json"),
        (b"[1, 2", "application/json"),
    ],
    ids=["cut-multipart", "no-boundary", "not-utf8", "cut-json"],
)
def test_a_body_replay_cannot_read_is_unrecorded_never_a_500(
    recording: tuple[Path, dict[str, object]], content: bytes, content_type: str
) -> None:
    replay = Replay(load_cassette(recording[0] / "cassette.json"))
    with ServerThread(ReplayApp(replay)) as server:
        answer = httpx.post(
            server.url + "/v1/files",
            content=content,
            headers={"content-type": content_type},
            timeout=5,
        )
        assert answer.status_code == 404, answer.text
        assert answer.json()["error"]["code"] == "unrecorded_request"
        two_files = {"file": ("a.txt", b"a"), "other": ("b.txt", b"b")}
        assert httpx.post(server.url + "/v1/files", files=two_files, timeout=5).status_code == 404
        unknown = httpx.get(server.url + "/__fake__/journal", timeout=5)
        assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "unknown_route"
    assert replay.report()["unrecorded_count"] == 2
