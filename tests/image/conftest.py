"""The image's fixtures: podman set up as these machines need, the image built once
per run (the base image cached in podman's store), podman's Docker API.

podman that cannot run at all fails these tests under CI=true and skips them
with the reason elsewhere.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import REPO_ROOT, podman, podman_env

IMAGE = "localhost/fake-server:test"
BUILD_TIMEOUT_SECONDS = 600
SOCKET_WAIT_SECONDS = 20


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"the image tests cannot run under CI: {reason}", pytrace=False)
    pytest.skip(f"image tests skipped: {reason}")


@pytest.fixture(scope="session")
def podman_ready() -> None:
    """podman runs containers here, or the image tests skip (fail under CI)."""
    if shutil.which("podman") is None:
        _unavailable("podman is not installed (apt-get install podman buildah runc)")
    try:
        podman("info", "--format", "{{.Host.OCIRuntime.Name}}")
    except (AssertionError, subprocess.TimeoutExpired) as error:
        _unavailable(f"podman cannot run here: {error}")


def _run(command: list[str], what: str) -> str:
    done = subprocess.run(
        command,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        # A make run inside make test would inherit the outer make's flags.
        env={key: value for key, value in podman_env().items() if not key.startswith("MAKE")},
        timeout=BUILD_TIMEOUT_SECONDS,
        check=False,
    )
    assert done.returncode == 0, f"{what} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="session")
def base_image(podman_ready: None) -> str:
    """A slim Debian with Python from Debian's packages (tools/image-base.sh): no
    image registry is reachable here. Made once a month, kept in podman's store."""
    if os.geteuid() != 0 or shutil.which("debootstrap") is None:
        _unavailable("making the base image needs root and debootstrap")
    return _run([str(REPO_ROOT / "tools" / "image-base.sh")], "the base image").split()[-1]


@pytest.fixture(scope="session")
def image(base_image: str) -> str:
    """The image, built once per run by `make image` on the base above."""
    python = podman(
        "run", "--rm", base_image, "python3", "-c",
        "import sys; print('%d.%d' % sys.version_info[:2])",
    )  # fmt: skip
    try:
        before = podman("image", "inspect", IMAGE, "--format", "{{.Id}}")
    except AssertionError:
        before = None
    started = time.monotonic()
    _run(
        [
            "make", "image", f"BASE={base_image}", f"IMAGE_PYTHON={python}", f"IMAGE={IMAGE}",
            # Every run builds anew (its own wheel): keep no stage, and drop the
            # last run's image, so the machine's store does not grow run by run.
            "IMAGE_BUILD_FLAGS=--layers=false",
        ],
        "make image",
    )  # fmt: skip
    print(f"make image took {time.monotonic() - started:.1f} s on {base_image}")
    if before is not None and before != podman("image", "inspect", IMAGE, "--format", "{{.Id}}"):
        with contextlib.suppress(AssertionError):
            podman("rmi", before)
    return IMAGE


@pytest.fixture(scope="session")
def docker_host(podman_ready: None) -> Iterator[str]:
    """podman's Docker-compatible API on a unix socket, for Testcontainers."""
    folder = Path(tempfile.mkdtemp(prefix="fake-server-podman-"))
    socket = folder / "podman.sock"
    service = subprocess.Popen(
        ["podman", "system", "service", "--time=0", f"unix://{socket}"],
        env=podman_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + SOCKET_WAIT_SECONDS
        while not socket.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert socket.exists(), "podman system service made no socket"
        yield f"unix://{socket}"
    finally:
        service.terminate()
        try:
            service.wait(timeout=10)
        except subprocess.TimeoutExpired:
            service.kill()
            service.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)
