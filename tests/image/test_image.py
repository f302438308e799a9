"""The container image, built here and run with podman: the SDK's seed flow through a
published port, health and readiness, a quick clean stop, a non-root user on a
read-only root, a mounted scenario, and the recipe's size."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shlex
import subprocess
import time
from pathlib import Path

import httpx
import openai
import pytest

from fake_server.testing.handle import TEST_API_KEY
from tests.helpers import (
    REPO_ROOT,
    container_state,
    documented_file,
    podman,
    podman_env,
    running,
)

pytestmark = pytest.mark.image

MB = 1_000_000
# The targets: the recipe's own layers, the whole image on a slim base,
# container start to ready, and the stop.
OWN_LAYERS_MAX_BYTES = 60 * MB
IMAGE_MAX_BYTES = 200 * MB
START_TO_READY_MAX_SECONDS = 1.5
STOP_MAX_SECONDS = 1.0
WAIT_SECONDS = 20
SEED_SCENARIO = """
description: seed flow on a virtual clock
clock: {mode: virtual, start: 1704067200, advance_on_poll: 30}
defaults: {processing_seconds: 60}
"""


def mounted(tmp_path: Path, text: str, name: str = "scenario.yaml") -> Path:
    """A folder holding one scenario, readable by the image's user (not root)."""
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / name).write_text(text, encoding="utf-8")
    folder.chmod(0o755)
    (folder / name).chmod(0o644)
    return folder


def ready_statuses(url: str, seconds: float = WAIT_SECONDS) -> list[int]:
    """Every answer GET /__fake__/ready gave until it was 200 (0: no connection yet)."""
    seen: list[int] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            status = httpx.get(f"{url}/__fake__/ready", timeout=1).status_code
        except httpx.HTTPError:
            status = 0
        if not seen or seen[-1] != status:
            seen.append(status)
        if status == 200:
            return seen
        time.sleep(0.01)
    raise AssertionError(f"not ready after {seconds} s: {seen}")


def test_the_recipe_stays_small(image: str, base_image: str) -> None:
    size = int(podman("image", "inspect", image, "--format", "{{.Size}}"))
    base = int(podman("image", "inspect", base_image, "--format", "{{.Size}}"))
    print(f"image {size / MB:.1f} MB: base {base / MB:.1f} MB + own {(size - base) / MB:.1f} MB")
    assert size - base < OWN_LAYERS_MAX_BYTES
    assert size < IMAGE_MAX_BYTES


def test_the_openai_sdks_seed_flow_through_a_published_port(image: str, tmp_path: Path) -> None:
    scenarios = mounted(tmp_path, SEED_SCENARIO)
    # A read-only root: /tmp (podman mounts a tmpfs there) takes the 1.5 MB upload.
    with running(image, "--read-only", "-v", f"{scenarios}:/scenarios:ro") as container:
        ready_statuses(container.url)
        client = openai.OpenAI(api_key=TEST_API_KEY, base_url=f"{container.url}/v1", max_retries=0)
        store = client.vector_stores.create(name="docs")
        files = [(f"doc{i}.txt", io.BytesIO(b"hello world " * 10)) for i in range(3)]
        files.append(("big.txt", io.BytesIO(b"x" * 1_500_000)))
        batch = client.vector_stores.file_batches.upload_and_poll(store.id, files=files)
        assert batch.status == "completed"
        assert batch.file_counts.completed == 4
        journal = httpx.get(f"{container.url}/__fake__/requests").json()["requests"]
        assert [entry["operation"] for entry in journal].count("createFile") == 4


def test_healthy_once_ready_through_its_own_healthcheck(image: str) -> None:
    with running(image) as container:
        ready_statuses(container.url)
        podman("healthcheck", "run", container.id)
        assert container_state(container.id)["Health"]["Status"] == "healthy"


def test_ready_after_start_within_target_and_never_ready_before_healthy(image: str) -> None:
    times = []
    for _ in range(3):
        started = time.monotonic()
        with running(image) as container:
            seen = ready_statuses(container.url)
            times.append(time.monotonic() - started)
            # Connection refused, then maybe 503 (validators compiling), then 200.
            assert seen[-1] == 200
            assert set(seen) <= {0, 503, 200}, seen
            assert httpx.get(f"{container.url}/__fake__/health").json() == {"status": "ok"}
    print(f"container start to ready: {', '.join(f'{t:.2f}' for t in times)} s")
    assert min(times) < START_TO_READY_MAX_SECONDS


def test_sigterm_stops_it_within_a_second_with_exit_0(image: str) -> None:
    with running(image) as container:
        ready_statuses(container.url)
        started = time.monotonic()
        podman("kill", "--signal", "TERM", container.id)
        exit_code = podman("wait", container.id, timeout=10)
        elapsed = time.monotonic() - started
        print(f"SIGTERM to exit: {elapsed:.2f} s")
        assert exit_code == "0"
        assert elapsed < STOP_MAX_SECONDS
        assert "fake_server stopped:" in podman("logs", container.id)


def test_runs_as_non_root_on_a_read_only_root(image: str) -> None:
    with running(image, "--read-only") as container:
        ready_statuses(container.url)
        assert podman("exec", container.id, "id", "-u") != "0"
        with pytest.raises(AssertionError, match="Read-only file system"):
            podman("exec", container.id, "touch", "/opt/fake-server/x")
        # The one place a read-only root must leave writable: uploads over 1 MiB
        # are spooled there.
        podman("exec", container.id, "sh", "-c", 'touch "${TMPDIR:-/tmp}/probe"')


def test_a_mounted_scenario_is_served_and_settings_come_from_the_environment(
    image: str, tmp_path: Path
) -> None:
    scenarios = mounted(tmp_path, (REPO_ROOT / "scenarios" / "mixed.yaml").read_text())
    with running(
        image,
        "-v", f"{scenarios}:/scenarios:ro",
        "-e", "FAKE_SERVER_ALLOWED_HOST=fake-server",
        "-e", "FAKE_SERVER_LOG_FORMAT=json",
    ) as container:  # fmt: skip
        ready_statuses(container.url)
        auth = {"Authorization": f"Bearer {TEST_API_KEY}"}
        store = f"{container.url}/v1/vector_stores/vs_mixed"
        assert httpx.get(store, headers=auth).status_code == 200
        # Reached by its service name, as another container would.
        named = httpx.get(store, headers={**auth, "Host": "fake-server:8080"})
        assert named.status_code == 200
        other = httpx.get(store, headers={**auth, "Host": "elsewhere.example"})
        assert other.status_code == 403
        assert other.json()["error"]["code"] == "forbidden_host"
        lines = podman("logs", container.id).splitlines()
        assert json.loads(lines[0])["message"].startswith(
            "fake_server ready on http://0.0.0.0:8080"
        )


def test_a_bad_mounted_scenario_stops_it_with_the_reason(image: str, tmp_path: Path) -> None:
    scenarios = mounted(tmp_path, "vector_stores: [{id: vs_a, colour: red}]\n")
    container = podman("run", "-d", "-v", f"{scenarios}:/scenarios:ro", image)
    try:
        assert podman("wait", container, timeout=30) == "1"
        logs = subprocess.run(
            ["podman", "logs", container],
            capture_output=True,
            text=True,
            env=podman_env(),
            timeout=30,
            check=True,
        )
        assert "vector_stores[0].colour" in logs.stderr
    finally:
        podman("rm", "-f", container)


def test_the_commands_a_go_team_copies_run(image: str, tmp_path: Path) -> None:
    """docs/guides/in-ci.md's commands, with podman for docker, this run's image, a
    free port and a name of its own (the go test line is the team's)."""
    scenario = (REPO_ROOT / "scenarios" / "mixed.yaml").read_text()
    (tmp_path / "testdata").mkdir()
    mounted(tmp_path / "testdata", scenario).rename(tmp_path / "testdata" / "fake-server")
    name = f"fake-server-doc-{os.getpid()}"
    commands = [
        line
        for line in documented_file("guides/in-ci.md", "go-service.sh").splitlines()
        if line.startswith("docker ")
    ]
    assert [line.split()[1] for line in commands] == ["run", "exec", "stop"]
    try:
        for line in commands:
            words = shlex.split(line.replace("$PWD", str(tmp_path)))[1:]
            words = [
                name if before in ("--name", "exec", "stop") and word == "fake-server" else word
                for before, word in zip(["", *words[:-1]], words, strict=True)
            ]
            words = [
                {"fake-server:latest": image, "127.0.0.1:8080:8080": "127.0.0.1::8080"}.get(w, w)
                for w in words
            ]
            podman(*words)
            if words[0] == "exec":  # ready: the scenario is served through the port
                port = podman("port", name, "8080/tcp").rsplit(":", 1)[1]
                store = f"http://127.0.0.1:{port}/v1/vector_stores/vs_mixed"
                auth = {"Authorization": "Bearer sk-test"}
                assert httpx.get(store, headers=auth).status_code == 200
        assert container_state(name)["ExitCode"] == 0
    finally:
        with contextlib.suppress(AssertionError):
            podman("rm", "-f", name)
