"""``fake-server check`` and ``serve --scenario`` on files that are not scenario
files (a device, a FIFO, a directory, a link loop, a name too long, content
files that cannot be read): one line each naming the file, exit 1, in
bounded time, never a traceback."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.helpers import fake_server_command, run_check

TIMEOUT_SECONDS = 60  # a hang (a FIFO waiting for a writer) or a runaway read fails


def test_check_refuses_what_is_no_scenario_file_one_line_each(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo.yaml")
    (tmp_path / "dir.yaml").mkdir()
    (tmp_path / "loop.yaml").symlink_to("loop.yaml")
    paths = [
        Path("/dev/zero"),
        tmp_path / "fifo.yaml",
        tmp_path / "dir.yaml",
        tmp_path / "loop.yaml",
        tmp_path / "missing.yaml",
        tmp_path / ("n" * 5000),
    ]
    result = run_check(*paths, timeout=TIMEOUT_SECONDS)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == len(paths), lines
    for path, line in zip(paths, lines, strict=True):
        assert line.startswith(f"{path}: cannot read: "), line
    assert lines[0] == "/dev/zero: cannot read: not a regular file (a character device)"


def test_check_names_each_content_file_problem_with_its_line(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "loop").symlink_to("loop")
    (tmp_path / "zero").symlink_to("/dev/zero")
    path = tmp_path / "scenario.yaml"
    path.write_text(
        "files:\n"
        "  - {id: file-a, content_file: loop}\n"
        '  - {id: file-b, content_file: "a\\0b"}\n'
        f"  - {{id: file-c, content_file: {'x' * 5000}}}\n"
        "  - {id: file-d, content_file: fifo}\n"
        "  - {id: file-e, content_file: zero}\n",
        encoding="utf-8",
    )
    result = run_check(path, timeout=TIMEOUT_SECONDS)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert [line.split(": ", 2)[1] for line in lines] == [
        f"files[{index}].content_file" for index in range(5)
    ]
    assert [line.split(": ", 1)[0] for line in lines] == [f"{path}:{n}" for n in range(2, 7)]
    assert all(len(line) < len(str(path)) + 200 for line in lines), "names cut short"


def test_serve_refuses_dev_zero_before_listening() -> None:
    result = subprocess.run(
        [*fake_server_command(), "serve", "--scenario", "/dev/zero", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    assert result.returncode == 1
    assert "scenario refused" in result.stderr
    assert "/dev/zero: cannot read: not a regular file (a character device)" in result.stderr
    assert "Traceback" not in result.stderr
