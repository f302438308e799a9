"""``fake-server parity`` and ``replay`` refuse what they cannot use: a clear
message naming the file (and the field), exit 2, no traceback."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from fake_server.cli import main
from tests.helpers import fake_server_command

CASSETTE = {
    "format": "fake_server.cassette/1",
    "upstream": "http://127.0.0.1:9",
    "recorded_at": "2026-12-07T20:00:00Z",
    "exchanges": [],
}


def refusal(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(list(argv)) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "Traceback" not in captured.err
    return captured.err


@pytest.mark.parametrize("command", ["parity", "replay"])
def test_a_missing_cassette_is_named(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err = refusal(capsys, command, str(tmp_path / "nowhere.json"))
    missing = tmp_path / "nowhere.json"
    assert (
        err == f"fake-server: {missing}: no cassette there (give a cassette.json or its folder)\n"
    )
    # A folder without a cassette.json is named with the file looked for.
    err = refusal(capsys, command, str(tmp_path))
    assert f"{tmp_path / 'cassette.json'}: no cassette there" in err


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("{not json", "not a JSON cassette"),
        (json.dumps({**CASSETTE, "format": "other/1"}), "format"),
        (json.dumps({**CASSETTE, "exchanges": [{"seq": 0}]}), "exchanges[0]"),
    ],
    ids=["not-json", "another-format", "an-exchange-without-its-fields"],
)
def test_an_invalid_cassette_is_refused_with_the_field_named(
    text: str, words: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cassette.json"
    path.write_text(text, encoding="utf-8")
    for command in ("parity", "replay"):
        err = refusal(capsys, command, str(path))
        assert err.startswith(f"fake-server: {path}: ") and words in err


def test_an_invalid_scenario_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "cassette.json").write_text(json.dumps(CASSETTE), encoding="utf-8")
    (tmp_path / "scenario.yaml").write_text("vector_stores: 3\n", encoding="utf-8")
    err = refusal(capsys, "parity", str(tmp_path))
    assert "the scenario cannot be used" in err and "vector_stores" in err


def test_an_empty_recording_has_no_difference(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "cassette.json").write_text(json.dumps(CASSETTE), encoding="utf-8")
    assert main(["parity", str(tmp_path), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["same"] is True and result["scenario"] is None and result["exchanges"] == 0


def test_the_installed_command_exits_2(tmp_path: Path) -> None:
    done = subprocess.run(
        [*fake_server_command(), "parity", str(tmp_path / "missing")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("fake-server: ") and "Traceback" not in done.stderr
