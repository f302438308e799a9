"""``fake-server check`` and ``serve --scenario`` on hostile scenarios: the installed
console script reports the problems and exits 1, never with a traceback."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.cases.hostile_scenarios import ALL, BOMBS, NESTING, NON_JSON, NUMBERS
from tests.helpers import fake_server_command, run_check

TIMEOUT_SECONDS = 300  # for every case at once; a hang or a runaway fails the test


def test_check_reports_every_hostile_scenario_and_exits_1(tmp_path: Path) -> None:
    paths = {}
    for index, name in enumerate(ALL):
        path = tmp_path / f"hostile-{index:03d}.yaml"
        path.write_text(ALL[name].text, encoding="utf-8")
        paths[name] = path
    result = run_check(*paths.values(), timeout=TIMEOUT_SECONDS)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stdout == "", "no hostile scenario is ok"
    for name, path in paths.items():
        case = ALL[name]
        place = f"{path}:{case.line}: " if case.line is not None else f"{path}"
        reported = [line for line in result.stderr.splitlines() if line.startswith(place)]
        assert any(case.words in line for line in reported), (name, reported[:3])


SERVED = {
    "bomb": BOMBS["laughs, 7 levels of 9 (430 bytes)"],
    "deep": NESTING["block lists, 500 levels"],
    "date": NON_JSON["a date"],
    "nan": NUMBERS["YAML .nan"],
    "huge": NUMBERS["YAML huge int"],
}


@pytest.mark.parametrize("name", list(SERVED))
def test_serve_refuses_a_hostile_scenario_before_listening(tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.yaml"
    path.write_text(SERVED[name].text, encoding="utf-8")
    result = subprocess.run(
        [*fake_server_command(), "serve", "--scenario", str(path), "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "scenario refused" in result.stderr
    assert SERVED[name].words in result.stderr
    assert "Traceback" not in result.stderr


def test_check_escapes_control_characters_of_keys_and_values(tmp_path: Path) -> None:
    # Double-quoted YAML carries any character: an escape sequence, a line
    # break that would forge a report line, a NUL, a Unicode line separator.
    path = tmp_path / "controls.yaml"
    path.write_text(
        'vector_stores:\n  - {id: "vs_\\e[2J\\nforged: ok", "\\e[31mkey\\r\\0\\L": 1}\n',
        encoding="utf-8",
    )
    result = run_check(path)
    assert result.returncode == 1
    assert not any(char in result.stderr for char in "\x1b\r\x00\u2028"), result.stderr
    lines = result.stderr.splitlines()
    assert lines and all(line.startswith(f"{path}:2: ") for line in lines), lines
    assert "\\x1b[31mkey\\x0d\\x00\\u2028" in result.stderr
