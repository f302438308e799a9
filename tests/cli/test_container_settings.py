"""What the container image relies on: a scenario directory, an open control plane
where the container decides who reaches it, and waiting for ready."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest

from fake_server import cli
from fake_server.cli import main
from fake_server.serve import options
from tests.helpers import REPO_ROOT, Sidecar, start_sidecar

AUTH = {"Authorization": "Bearer k"}


def test_a_scenario_directory_serves_its_scenario_yaml(
    tmp_path: Path, sidecars: list[Sidecar]
) -> None:
    mounted = tmp_path / "scenarios"
    mounted.mkdir()
    shutil.copy(REPO_ROOT / "scenarios" / "mixed.yaml", mounted / "scenario.yaml")
    sidecar = start_sidecar(tmp_path, "--port", "0", "--scenario", str(mounted))
    sidecars.append(sidecar)
    answer = httpx.get(f"{sidecar.url}/v1/vector_stores/vs_mixed", headers=AUTH)
    assert answer.status_code == 200


def test_an_empty_scenario_directory_serves_the_shipped_scenario(
    tmp_path: Path, sidecars: list[Sidecar]
) -> None:
    sidecar = start_sidecar(tmp_path, "--port", "0", env={"FAKE_SERVER_SCENARIO": str(tmp_path)})
    sidecars.append(sidecar)
    answer = httpx.get(f"{sidecar.url}/v1/vector_stores/vs_abc123", headers=AUTH)
    assert answer.status_code == 200


def test_a_public_address_needs_a_token_or_an_open_control_plane(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Refused before anything binds: no test listens beyond loopback.
    assert main(["serve", "--host", "0.0.0.0", "--port", "0"]) == 1
    assert "--open-control-plane" in capsys.readouterr().err
    parsed = cli._parser().parse_args(["serve", "--host", "0.0.0.0", "--open-control-plane"])
    assert options.serve_refusal(parsed) is None
    monkeypatch.setenv("FAKE_SERVER_OPEN_CONTROL_PLANE", "1")
    assert options.serve_refusal(cli._parser().parse_args(["serve", "--host", "0.0.0.0"])) is None
    monkeypatch.setenv("FAKE_SERVER_OPEN_CONTROL_PLANE", "0")
    assert options.serve_refusal(cli._parser().parse_args(["serve", "--host", "0.0.0.0"]))


def test_wait_ready_finds_the_port_in_the_environment(
    tmp_path: Path,
    sidecars: list[Sidecar],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sidecar = start_sidecar(tmp_path, "--port", "0")
    sidecars.append(sidecar)
    monkeypatch.delenv("FAKE_SERVER_URL", raising=False)
    monkeypatch.setenv("FAKE_SERVER_PORT", sidecar.url.rsplit(":", 1)[1])
    assert main(["wait", "--ready", "--timeout", "10"]) == 0
    assert f"fake_server at {sidecar.url} is ready" in capsys.readouterr().out


def test_wait_ready_gives_up_with_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["wait", "http://127.0.0.1:9", "--ready", "--timeout", "0.2"]) == 1
    assert "http://127.0.0.1:9 was not ready after 0.2 s" in capsys.readouterr().err
