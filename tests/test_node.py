"""tests/node: the openai npm SDK against ``fake-server serve``, under ``node --test``.

Skipped, loudly, where Node 20 or newer is missing; under CI (``CI`` set) a
missing Node fails instead, so CI always runs it. ``.ci/run`` installs Node,
and ``make test`` the npm packages (``npm ci``, pinned by the lockfile); a
bare ``pytest`` installs them too if they are missing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import REPO_ROOT, fake_server_command

NODE_DIR = REPO_ROOT / "tests" / "node"
MINIMUM_NODE = 20
NODE_SUITE_TIMEOUT_SECONDS = 300
READY_TIMEOUT_SECONDS = 20


def node_major() -> int | None:
    node = shutil.which("node")
    if node is None:
        return None
    version = subprocess.run(
        [node, "--version"], capture_output=True, text=True, timeout=30, check=False
    ).stdout
    found = re.match(r"v(\d+)\.", version)
    return int(found[1]) if found else None


def require_node() -> str:
    major = node_major()
    if major is not None and major >= MINIMUM_NODE:
        node = shutil.which("node")
        assert node is not None
        return node
    found = "no node on PATH" if major is None else f"node {major}"
    message = f"tests/node NOT RUN: it needs Node >= {MINIMUM_NODE} ({found})"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def installed_openai_version() -> str | None:
    package = NODE_DIR / "node_modules" / "openai" / "package.json"
    if not package.exists():
        return None
    version: str = json.loads(package.read_text(encoding="utf-8"))["version"]
    return version


def ensure_npm_packages() -> None:
    lock = json.loads((NODE_DIR / "package-lock.json").read_text(encoding="utf-8"))
    if installed_openai_version() == lock["packages"]["node_modules/openai"]["version"]:
        return
    npm = shutil.which("npm")
    assert npm is not None, "npm is needed to install tests/node's packages"
    subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR, check=True, timeout=300)


@pytest.fixture
def sidecar_url(tmp_path: Path) -> Iterator[str]:
    """``fake-server serve`` on a free port, as a user starts it, for the README example."""
    ready_file = tmp_path / "ready.json"
    process = subprocess.Popen(
        [*fake_server_command(), "serve", "--port", "0", "--ready-file", str(ready_file)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while not ready_file.exists():
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "fake-server serve never became ready"
            time.sleep(0.01)
        yield json.loads(ready_file.read_text(encoding="utf-8"))["url"]
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=10)


def test_the_node_suite_passes(sidecar_url: str) -> None:
    node = require_node()
    ensure_npm_packages()
    started = time.monotonic()
    result = subprocess.run(
        [node, "--test", "--test-reporter=tap"],
        cwd=NODE_DIR,
        capture_output=True,
        text=True,
        timeout=NODE_SUITE_TIMEOUT_SECONDS,
        check=False,
        env={
            **os.environ,
            "FAKE_SERVER_URL": sidecar_url,
            "FAKE_SERVER_COMMAND": fake_server_command()[0],
            "NO_COLOR": "1",
        },
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert re.search(r"^# fail 0$", output, re.M), output
    passed = re.search(r"^# pass (\d+)$", output, re.M)
    assert passed and int(passed[1]) >= 10, output
    print(f"tests/node: {passed[1]} passed in {time.monotonic() - started:.1f} s")
