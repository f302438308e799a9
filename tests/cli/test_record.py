"""fake-server record: an SDK lifecycle through the recording proxy to a second
fake_server playing the real service (slower processing, a gradual cancel, a
rate limit, a failed file), then the cassette, the scenario it shows, and no
secret anywhere under the output folder."""

from __future__ import annotations

import hashlib
import json
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import meetkai_mka1
import openai
import pytest
import yaml

from fake_server.recording.cassette import Cassette, load_cassette
from tests.helpers import (
    STOP_TIMEOUT_SECONDS,
    Sidecar,
    fake_server_command,
    run_check,
    start_recorder,
    start_sidecar,
)

KEY = "sk-test-recording-5f2a9c1e77d0"
WRONG_KEY = "sk-wrong-recording-0b9d44e1aa"
END_USER = "alice-7781"
GRANTEE = "carol-5512"
# Secrets a body or a query holds: a secret-named field, shapes, a query credential.
FIELD_SECRET = "plain-secret-value-1"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
RK = "rk-live-0123456789abcdef"
QUERY_SECRET = "query-secret-0042"
SECRETS = (KEY, WRONG_KEY, "Bearer", END_USER, GRANTEE, FIELD_SECRET, JWT, RK, QUERY_SECRET)
# The "real service": every timing differs from the fake's defaults.
UPSTREAM = f"""\
description: The upstream a recording test talks to
clock: {{poll_after_ms: 100}}
defaults: {{processing_seconds: 1.5}}
cancel: {{mode: gradual, delay_seconds: 0.6}}
limits: {{attached_files_per_minute: 5}}
auth: {{api_keys: [{KEY}]}}
files:
  - id: file-bad
    filename: scan.pdf
    content: a scanned page
    processing_seconds: 0.4
    outcome: failed
    error: {{code: unsupported_file, message: Scanned PDF}}
vector_stores:
  - id: vs_old
    name: Old docs
    file_batches:
      - id: vsfb_old
        files: [{{id: file-old1, status: completed}}]
"""


@pytest.fixture
def upstream(tmp_path: Path, sidecars: list[Sidecar]) -> str:
    scenario = tmp_path / "upstream.yaml"
    scenario.write_text(UPSTREAM, encoding="utf-8")
    sidecar = start_sidecar(tmp_path, "--port", "0", "--scenario", str(scenario))
    sidecars.append(sidecar)
    return sidecar.url


def stop_recording(recorder: Sidecar, sig: signal.Signals = signal.SIGINT) -> str:
    recorder.process.send_signal(sig)
    out, err = recorder.process.communicate(timeout=STOP_TIMEOUT_SECONDS)
    assert recorder.process.returncode == 0, err
    return out


def lifecycle(proxy: str) -> dict[str, Any]:
    """Upload, batch with a failing file, poll, list, cancel, a 429, search,
    download, MKA1 permissions, a wrong key: what a client does to an account."""
    client = openai.OpenAI(
        api_key=KEY, base_url=f"{proxy}/v1", default_headers={"X-On-Behalf-Of": END_USER}
    )
    stores, batches = client.vector_stores, client.vector_stores.file_batches
    one = client.files.create(file=("a.txt", b"refunds are paid in 14 days"), purpose="assistants")
    two = client.files.create(file=("b.txt", b"shipping takes 3 days"), purpose="assistants")
    stores.list(extra_query={"apikey": QUERY_SECRET})
    store = stores.create(
        name="Docs",
        metadata={
            "note": f"Bearer {KEY}",
            "client_secret": FIELD_SECRET,
            "jwt": JWT,
            "rk": RK,
            "echo": f"the gateway's {QUERY_SECRET}",
        },
    )
    first = batches.create_and_poll(store.id, file_ids=[one.id, two.id, "file-bad"])
    assert (first.file_counts.completed, first.file_counts.failed) == (2, 1)
    listed = {f.id: f.status for f in batches.list_files(first.id, vector_store_id=store.id)}
    three = client.files.create(file=("c.txt", b"third"), purpose="assistants")
    four = client.files.create(file=("d.txt", b"fourth"), purpose="assistants")
    second = batches.create(store.id, file_ids=[three.id, four.id])
    answer = batches.cancel(second.id, vector_store_id=store.id)
    assert answer.status == "in_progress"  # gradual
    assert batches.poll(second.id, vector_store_id=store.id).file_counts.cancelled == 2
    with pytest.raises(openai.RateLimitError):
        client.with_options(max_retries=0).vector_stores.file_batches.create(
            store.id, file_ids=[two.id]
        )
    stores.search(store.id, query="refunds")
    assert stores.retrieve("vs_old").name == "Old docs"
    old = batches.retrieve("vsfb_old", vector_store_id="vs_old")
    assert [f.id for f in batches.list_files("vsfb_old", vector_store_id="vs_old")] == ["file-old1"]
    data = b"id,total\n1,9\n" * 100
    report = client.files.create(file=("r.csv", data), purpose="batch")
    assert client.files.content(report.id).content == data
    mka1 = meetkai_mka1.SDK(bearer_auth=KEY, server_url=proxy, retry_config=None)
    mka1_stores = mka1.llm.vector_stores
    mine = mka1_stores.create(name="Mine", x_on_behalf_of=END_USER)
    granted = mka1_stores.create_permission(
        vector_store_id=mine.id,
        body={"grantee_type": "user", "user_id": GRANTEE, "role": "reader"},
        x_on_behalf_of=END_USER,
    )
    assert (granted.user_id, granted.role) == (GRANTEE, "reader")
    effective = mka1_stores.get_permission(
        vector_store_id=mine.id, user_id=GRANTEE, x_on_behalf_of=GRANTEE
    )
    assert effective.role == "reader"
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(api_key=WRONG_KEY, base_url=f"{proxy}/v1", max_retries=0).files.list()
    return {"listed": listed, "old": old.status, "report": report.id, "data": data}


def exchanges_of(cassette: Cassette, method: str, ending: str) -> list[Any]:
    return [
        e
        for e in cassette.exchanges
        if e.request.method == method and e.request.path.endswith(ending)
    ]


@pytest.fixture(scope="module")
def recorded(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Path, dict[str, Any], str]]:
    """One recorded lifecycle, shared by the tests that read it."""
    folder = tmp_path_factory.mktemp("recorded")
    scenario = folder / "upstream.yaml"
    scenario.write_text(UPSTREAM, encoding="utf-8")
    upstream = start_sidecar(folder, "--port", "0", "--scenario", str(scenario))
    try:
        out = folder / "recording"
        recorder = start_recorder(folder, "--upstream", upstream.url, "--out", str(out))
        try:
            seen = lifecycle(recorder.url)
        finally:
            stopped = stop_recording(recorder)
        yield out, seen, stopped
    finally:
        upstream.process.kill()
        upstream.process.communicate(timeout=STOP_TIMEOUT_SECONDS)


def test_a_recorded_lifecycle_is_a_cassette(recorded: tuple[Path, dict[str, Any], str]) -> None:
    out, seen, stopped = recorded
    assert "fake_server recording stopped: " in stopped
    cassette = load_cassette(out / "cassette.json")
    assert cassette.upstream.startswith("http://127.0.0.1:")
    assert [e.seq for e in cassette.exchanges] == list(range(len(cassette.exchanges)))
    times = [e.t for e in cassette.exchanges]
    assert times == sorted(times)
    upload = exchanges_of(cassette, "POST", "/v1/files")[0].request.upload
    assert upload.filename == "a.txt" and upload.size == len(b"refunds are paid in 14 days")
    assert upload.sha256 == hashlib.sha256(b"refunds are paid in 14 days").hexdigest()
    assert upload.fields == {"purpose": "assistants"} and upload.content_b64 is None
    (download,) = exchanges_of(cassette, "GET", f"/files/{seen['report']}/content")
    assert download.response.download.sha256 == hashlib.sha256(seen["data"]).hexdigest()
    (limited,) = [e for e in cassette.exchanges if e.response.status == 429]
    assert {"retry-after", "retry-after-ms"} <= set(limited.response.headers)
    assert limited.response.body["error"]["code"] == "rate_limit_exceeded"
    polls = exchanges_of(cassette, "GET", "/file_batches/" + limited.request.path.split("/")[3])
    assert all("authorization" not in e.request.headers for e in cassette.exchanges)
    assert any(e.request.path.startswith("/api/v1/llm/") for e in cassette.exchanges)
    assert polls == [] or polls[0].response.headers["openai-poll-after-ms"] == "100"
    # The key-shaped metadata, in the request and in the answer; the wrong
    # key's 401 message, which quotes it.
    assert cassette.redactions["secrets"] >= 3
    assert cassette.redactions["end_users"] == 2
    (created,) = exchanges_of(cassette, "POST", "/v1/vector_stores")
    hidden = dict.fromkeys(("note", "client_secret", "jwt", "rk", "echo"), "[redacted]")
    assert created.request.body["metadata"] == hidden
    assert created.response.body["metadata"] == hidden
    (listing,) = [e for e in exchanges_of(cassette, "GET", "/v1/vector_stores") if e.request.query]
    assert listing.request.query == [("apikey", "[redacted]")]
    assert created.request.headers["x-on-behalf-of"] == "end-user-1"
    grant = exchanges_of(cassette, "POST", "/permissions")[0]
    assert grant.request.body["user_id"] == "end-user-2"
    assert exchanges_of(cassette, "GET", "/permissions/end-user-2")


def test_no_secret_reaches_the_output_folder(recorded: tuple[Path, dict[str, Any], str]) -> None:
    out, _, stopped = recorded
    files = [path for path in out.rglob("*") if path.is_file()]
    assert sorted(path.name for path in files) == ["cassette.json", "scenario.yaml"]
    for path in files:
        text = path.read_text(encoding="utf-8")
        for secret in SECRETS:
            assert secret not in text, f"{secret} in {path.name}"
    for secret in SECRETS:
        assert secret not in stopped


def test_the_scenario_shows_the_upstream(recorded: tuple[Path, dict[str, Any], str]) -> None:
    out, _, _ = recorded
    checked = run_check(out / "scenario.yaml")
    assert checked.returncode == 0, checked.stderr
    scenario = yaml.safe_load((out / "scenario.yaml").read_text(encoding="utf-8"))
    assert scenario["clock"] == {"poll_after_ms": 100}
    assert 1.2 <= scenario["defaults"]["processing_seconds"] <= 1.8
    assert "outcome" not in scenario["defaults"]
    assert scenario["cancel"]["mode"] == "gradual"
    assert 0.3 <= scenario["cancel"]["delay_seconds"] <= 1.0
    assert scenario["limits"] == {"attached_files_per_minute": 5}
    (bad,) = scenario["files"]
    assert bad["id"] == "file-bad" and bad["outcome"] == "failed"
    assert bad["error"]["code"] == "unsupported_file"
    assert 0.1 <= bad["processing_seconds"] <= 0.8
    (old,) = [store for store in scenario["vector_stores"] if store["id"] == "vs_old"]
    assert old == {
        "id": "vs_old",
        "name": "Old docs",
        "file_batches": [{"id": "vsfb_old", "files": [{"id": "file-old1", "status": "completed"}]}],
    }
    assert "auth" not in scenario


def test_sigterm_writes_the_files_too(tmp_path: Path, upstream: str) -> None:
    out = tmp_path / "rec"
    recorder = start_recorder(tmp_path, "--upstream", upstream + "/", "--out", str(out))
    assert httpx.get(f"{recorder.url}/__fake__/health").json() == {"status": "ok"}
    control = httpx.get(f"{recorder.url}/__fake__/requests")
    assert control.status_code == 404 and control.json()["error"]["code"] == "not_forwarded"
    stop_recording(recorder, signal.SIGTERM)
    assert json.loads((out / "cassette.json").read_text())["exchanges"] == []
    assert run_check(out / "scenario.yaml").returncode == 0


def test_a_base_path_is_kept_in_front(tmp_path: Path, upstream: str) -> None:
    """The upstream's own prefix: /v1 on the client side lands at /base/v1 there
    (the fake answers an unknown route 404, which is what is recorded)."""
    out = tmp_path / "rec"
    recorder = start_recorder(tmp_path, "--upstream", upstream + "/base", "--out", str(out))
    answer = httpx.get(f"{recorder.url}/v1/files", headers={"Authorization": f"Bearer {KEY}"})
    stop_recording(recorder)
    assert answer.status_code == 404
    (exchange,) = load_cassette(out / "cassette.json").exchanges
    assert exchange.request.path == "/v1/files" and exchange.response.status == 404
    assert load_cassette(out / "cassette.json").upstream.endswith("/base")


@pytest.mark.parametrize(
    ("upstream_url", "message"),
    [
        ("ftp://example.test", "not an http:// or https:// URL"),
        ("http://user:pw@127.0.0.1:9", "holds credentials"),
        ("http://127.0.0.1:9/?key=1", "query or fragment"),
    ],
)
def test_a_bad_upstream_is_refused(tmp_path: Path, upstream_url: str, message: str) -> None:
    import subprocess  # noqa: PLC0415

    done = subprocess.run(
        [*fake_server_command(), "record", "--upstream", upstream_url, "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 1 and message in done.stderr
    assert "Traceback" not in done.stderr


def test_an_earlier_recording_is_never_overwritten(tmp_path: Path) -> None:
    import subprocess  # noqa: PLC0415

    (tmp_path / "cassette.json").write_text("{}")
    done = subprocess.run(
        [*fake_server_command(), "record", "--upstream", "http://127.0.0.1:9", "--out", "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 1 and "already holds cassette.json" in done.stderr


MIB = 1024 * 1024
UPLOAD_MIB = 64
# What the proxy's resident memory may grow by while 64 MiB pass through it.
MAX_GROWTH_MIB = 24


def memory_mib(pid: int, field: str) -> float:
    """VmRSS (now) or VmHWM (the peak so far) of a process, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no {field} for {pid}")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_a_64_mib_upload_and_download_stream_through_the_proxy(
    tmp_path: Path, sidecars: list[Sidecar]
) -> None:
    scenario = tmp_path / "big.yaml"
    scenario.write_text(f"limits: {{bytes_per_upload: {100 * MIB}}}\n", encoding="utf-8")
    upstream = start_sidecar(tmp_path, "--port", "0", "--scenario", str(scenario))
    sidecars.append(upstream)
    out = tmp_path / "rec"
    recorder = start_recorder(tmp_path, "--upstream", upstream.url, "--out", str(out))
    sidecars.append(recorder)
    headers = {"Authorization": f"Bearer {KEY}"}
    assert httpx.get(f"{recorder.url}/v1/files", headers=headers).status_code == 200
    before = memory_mib(recorder.process.pid, "VmRSS")

    block = hashlib.sha256(b"block").digest() * (MIB // 32)
    boundary = "recording-boundary-64"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nbatch\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    def body() -> Iterator[bytes]:
        yield head
        for _ in range(UPLOAD_MIB):
            yield block
        yield tail

    answer = httpx.post(
        f"{recorder.url}/v1/files",
        content=body(),
        headers={
            **headers,
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Content-Length": str(len(head) + UPLOAD_MIB * MIB + len(tail)),
        },
        timeout=120,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["bytes"] == UPLOAD_MIB * MIB
    downloaded = hashlib.sha256()
    with httpx.stream(
        "GET", f"{recorder.url}/v1/files/{answer.json()['id']}/content", headers=headers
    ) as download:
        for chunk in download.iter_bytes():
            downloaded.update(chunk)
    peak = memory_mib(recorder.process.pid, "VmHWM")
    growth = peak - before
    print(f"proxy RSS before {before:.1f} MiB, peak {peak:.1f} MiB, growth {growth:.1f} MiB")
    assert growth < MAX_GROWTH_MIB, f"the proxy grew by {growth:.1f} MiB for a 64 MiB upload"

    stop_recording(recorder)
    cassette = load_cassette(out / "cassette.json")
    upload = exchanges_of(cassette, "POST", "/v1/files")[0]
    (download_exchange,) = exchanges_of(cassette, "GET", "/content")
    digest = hashlib.sha256()
    for _ in range(UPLOAD_MIB):
        digest.update(block)
    assert upload.request.upload.size == UPLOAD_MIB * MIB
    assert upload.request.upload.sha256 == digest.hexdigest() == downloaded.hexdigest()
    assert download_exchange.response.download.size == UPLOAD_MIB * MIB
    assert download_exchange.response.download.sha256 == digest.hexdigest()


def test_keep_content_and_keep_end_users(tmp_path: Path, upstream: str) -> None:
    out = tmp_path / "rec"
    recorder = start_recorder(
        tmp_path, "--upstream", upstream, "--out", str(out), "--keep-content", "--keep-end-users"
    )
    client = openai.OpenAI(
        api_key=KEY, base_url=f"{recorder.url}/v1", default_headers={"X-On-Behalf-Of": END_USER}
    )
    made = client.files.create(file=("r.csv", b"a,b\n1,2\n"), purpose="batch")
    assert client.files.content(made.id).content == b"a,b\n1,2\n"
    stop_recording(recorder)
    upload, download = load_cassette(out / "cassette.json").exchanges
    assert upload.request.upload is not None and upload.request.upload.content_b64 == "YSxiCjEsMgo="
    assert download.response.download is not None
    assert download.response.download.content_b64 == "YSxiCjEsMgo="
    assert upload.request.headers["x-on-behalf-of"] == END_USER
    assert KEY not in (out / "cassette.json").read_text()


def test_an_answer_the_upstream_breaks_off_is_not_recorded(tmp_path: Path, upstream: str) -> None:
    batch = "/v1/vector_stores/vs_old/file_batches/vsfb_old"
    for drop in ("mid_body", True):
        fault = {"operation": "getVectorStoreFileBatch", "drop_connection": drop, "times": 1}
        httpx.post(f"{upstream}/__fake__/faults", json=fault).raise_for_status()
    out = tmp_path / "rec"
    recorder = start_recorder(tmp_path, "--upstream", upstream, "--out", str(out))
    headers = {"Authorization": f"Bearer {KEY}"}
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.get(recorder.url + batch, headers=headers)
    refused = httpx.get(recorder.url + batch, headers=headers)
    assert refused.status_code == 502
    assert refused.json()["error"]["code"] == "upstream_unreachable"
    assert httpx.get(recorder.url + batch, headers=headers).status_code == 200
    stopped = stop_recording(recorder)
    assert "the upstream broke off its answer" in stopped
    assert "2 requests the upstream did not answer" in stopped
    (kept,) = load_cassette(out / "cassette.json").exchanges
    assert kept.response.status == 200
