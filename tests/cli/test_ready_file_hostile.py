"""The ready file under attack or on a bad path: a planted link is never followed,
and a path no file can be written at is one line on stderr and exit 2, before
anything serves."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import httpx
import pytest

from fake_server.serve import ready_file
from tests.helpers import fake_server_command, serve, stop, wait_for

REFUSAL_TIMEOUT_SECONDS = 60


def refused(tmp_path: Path, path: str) -> str:
    """Runs ``serve --ready-file path``; asserts exit 2 with one line on stderr."""
    result = subprocess.run(
        [*fake_server_command(), "serve", "--port", "0", "--ready-file", path],
        check=False,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=REFUSAL_TIMEOUT_SECONDS,
    )
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""  # never announced ready: it never started
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert lines[0].startswith("fake-server: --ready-file ")
    return lines[0]


def test_a_planted_link_at_the_old_temporary_name_is_left_alone(tmp_path: Path) -> None:
    folder = tmp_path / "run"
    folder.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    target = folder / "ready.json"
    process = serve(tmp_path, "--ready-file", str(target))
    try:
        planted = folder / f".ready.json.{process.pid}.tmp"
        planted.symlink_to(victim)
        ready = wait_for(target, process)
        assert httpx.get(f"{ready['url']}/__fake__/health").json() == {"status": "ok"}
    finally:
        stop(process)
    assert victim.read_text(encoding="utf-8") == "precious"
    assert planted.is_symlink()
    assert not target.exists()


def test_the_temporary_name_is_random_and_created_exclusively(tmp_path: Path) -> None:
    target = tmp_path / "ready.json"
    names = set()
    real_replace = os.replace

    def spy(source: str, destination: Path) -> None:
        names.add(Path(source).name)
        real_replace(source, destination)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "replace", spy)
        ready_file.write(str(target), "one\n")
        ready_file.write(str(target), "two\n")
    assert target.read_text(encoding="utf-8") == "two\n"
    assert len(names) == 2
    assert all(name.startswith(".ready.json.") and name.endswith(".tmp") for name in names)
    assert str(os.getpid()) not in "".join(names)
    assert [p.name for p in tmp_path.iterdir()] == ["ready.json"]


def test_a_missing_folder_is_refused(tmp_path: Path) -> None:
    line = refused(tmp_path, str(tmp_path / "missing" / "ready.json"))
    assert "No such file or directory".lower() in line.lower()
    assert not (tmp_path / "missing").exists()


def test_a_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "ready.json"
    folder.mkdir()
    line = refused(tmp_path, str(folder))
    assert "it is a folder" in line
    assert list(folder.iterdir()) == []


def test_a_path_under_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("x", encoding="utf-8")
    line = refused(tmp_path, str(tmp_path / "plain" / "ready.json"))
    assert "not a directory" in line.lower()
    assert (tmp_path / "plain").read_text(encoding="utf-8") == "x"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_a_folder_without_permission_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        line = refused(tmp_path, str(folder / "ready.json"))
    finally:
        folder.chmod(0o700)
    assert "permission denied" in line.lower()
    assert list(folder.iterdir()) == []


def test_a_long_path_is_echoed_cut_short(tmp_path: Path) -> None:
    line = refused(tmp_path, str(tmp_path / "missing" / ("x" * 5000)))
    assert len(line) < 400


def test_a_refused_path_leaves_a_good_one_working(tmp_path: Path) -> None:
    refused(tmp_path, str(tmp_path / "missing" / "ready.json"))
    target = tmp_path / "ready.json"
    process = serve(tmp_path, "--ready-file", str(target))
    try:
        ready = wait_for(target, process)
        assert httpx.get(f"{ready['url']}/__fake__/health").json() == {"status": "ok"}
    finally:
        stop(process)
