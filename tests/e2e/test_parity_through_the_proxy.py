"""Issue 34's whole loop: an openai SDK lifecycle recorded through ``fake-server
record`` from an upstream fake_server configured otherwise than the default
(slow files, a gradual cancel, a rate limit, a failed file), then ``fake-server
parity`` of the scenario the recording inferred against the recording: no
difference. Runs once the recording proxy is part of the package."""

from __future__ import annotations

import importlib.util
import signal
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.cases.lifecycle import PROCESSING, UPSTREAM_SCENARIO, lifecycle
from tests.cases.parity_runs import openai_client
from tests.helpers import STOP_TIMEOUT_SECONDS, Sidecar, fake_server_command, start_sidecar

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("fake_server.recording.proxy") is None,
    reason="the recording proxy (fake-server record) is not in this tree",
)


def test_parity_of_the_inferred_scenario_shows_no_difference(
    tmp_path: Path, sidecars: list[Sidecar]
) -> None:
    upstream_scenario = tmp_path / "upstream.yaml"
    upstream_scenario.write_text(UPSTREAM_SCENARIO, encoding="utf-8")
    upstream = start_sidecar(tmp_path, "--port", "0", "--scenario", str(upstream_scenario))
    sidecars.append(upstream)
    out = tmp_path / "recording"
    options = ["--upstream", upstream.url, "--out", str(out), "--port", "0"]
    recorder = subprocess.Popen(
        [*fake_server_command(), "record", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert recorder.stdout is not None
        ready = recorder.stdout.readline()
        assert ready.startswith("fake_server recording on http://127.0.0.1:"), ready
        seen = lifecycle(openai_client(ready.split()[3] + "/v1"))
        assert seen["done"] == ("completed", 2, 1) and seen["cancelled"] == "cancelled"
    finally:
        recorder.send_signal(signal.SIGINT)
        _, err = recorder.communicate(timeout=STOP_TIMEOUT_SECONDS)
    assert recorder.returncode == 0, err
    # The uploads' time, read off the batch's counts (the failed file was read on
    # its own): polled at once and WAIT later, the middle lands near the upstream's.
    inferred = yaml.safe_load((out / "scenario.yaml").read_text(encoding="utf-8"))
    assert PROCESSING / 2 <= inferred["defaults"]["processing_seconds"] <= PROCESSING * 1.5

    shown = subprocess.run(
        [*fake_server_command(), "parity", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert shown.returncode == 0, shown.stdout + shown.stderr + (out / "scenario.yaml").read_text()
    assert "exchanges replayed, no difference" in shown.stdout
