"""The commands a new user meets first: --version, init, check --help, run as
users run them: the installed console script."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from tests.helpers import READY_TIMEOUT_SECONDS, REPO_ROOT, fake_server_command

STARTER = ("scenario.yaml", "test_fake_server_example.py")


def _fake_server(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*fake_server_command(), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
        check=False,
    )


def test_version_is_the_installed_distributions() -> None:
    result = _fake_server("--version")
    assert result.returncode == 0
    assert result.stdout == f"fake-server {version('vector-store-fake')}\n"


def test_check_help_says_what_file_is() -> None:
    result = _fake_server("check", "--help")
    assert result.returncode == 0
    assert "a scenario file, YAML or JSON (as serve --scenario)" in result.stdout


def test_init_writes_a_starter_that_passes_as_written(tmp_path: Path) -> None:
    project = tmp_path / "project"
    result = _fake_server("init", str(project))
    assert result.returncode == 0, result.stderr
    assert sorted(path.name for path in project.iterdir()) == sorted(STARTER)
    assert "# " in (project / "scenario.yaml").read_text()  # commented for a reader
    assert _fake_server("check", "scenario.yaml", cwd=project).returncode == 0
    # The example as a user runs it: pytest in the new folder, no conftest.
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist"],
        capture_output=True,
        text=True,
        cwd=project,
        timeout=120,
        check=False,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "3 passed" in tests.stdout
    assert "warning" not in tests.stdout


def test_init_into_the_current_folder_by_default(tmp_path: Path) -> None:
    result = _fake_server("init", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert all((tmp_path / name).is_file() for name in STARTER)


def test_init_never_overwrites(tmp_path: Path) -> None:
    mine = tmp_path / "scenario.yaml"
    mine.write_text("description: mine\n")
    result = _fake_server("init", str(tmp_path))
    assert result.returncode == 1
    assert result.stderr == (
        f"fake-server: {mine} already exists; init never overwrites a file (nothing was written)\n"
    )
    assert mine.read_text() == "description: mine\n"
    assert not (tmp_path / "test_fake_server_example.py").exists()


def test_the_ready_line_names_a_scenario_without_description_by_its_file(
    tmp_path: Path,
) -> None:
    scenario = tmp_path / "nameless.yaml"
    scenario.write_text("vector_stores:\n  - id: vs_a\n")
    process = subprocess.Popen(
        [*fake_server_command(), "serve", "--port", "0", "--scenario", str(scenario)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=READY_TIMEOUT_SECONDS)
    assert "(scenario: nameless.yaml, inspector: " in line, line
    assert str(tmp_path) not in line


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize(
    ("variables", "served"),
    [
        ((), "serve --host 127.0.0.1 --port 8080"),
        (("PORT=9001",), "serve --host 127.0.0.1 --port 9001"),
        (("PORT=9001", "HOST=127.0.0.2"), "serve --host 127.0.0.2 --port 9001"),
    ],
)
def test_make_run_takes_the_port_and_host(variables: tuple[str, ...], served: str) -> None:
    # -n: what make would run, without running it. Under `make test` the
    # parent's MAKEFLAGS would make this make print the directories it enters.
    outer = {"MAKEFLAGS", "MFLAGS", "MAKELEVEL"}
    result = subprocess.run(
        ["make", "--no-print-directory", "-n", "run", *variables],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=60,
        check=False,
        env={name: value for name, value in os.environ.items() if name not in outer},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].endswith(f"fake-server {served}")
