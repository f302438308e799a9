"""The ``fake-server`` command, run as users run it: the installed console script."""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from fake_server.cli import main
from fake_server.contract.resources import shipped_scenarios
from tests.helpers import READY_TIMEOUT_SECONDS, REPO_ROOT, fake_server_command, run_check

BAD_SCENARIO = (
    "vector_stores:\n  - id: vs_a\n    file_batches:\n      - id: vsfb_a\n        files: 7\n"
)
READY_LINE = re.compile(
    r"fake_server ready on (?P<url>http://127\.0\.0\.1:\d+) "
    r"\(scenario: (?P<scenario>.+?), inspector: (?P=url)/__fake__/ui(?P<query>\S*)\)\n"
)


@pytest.fixture
def bad_scenario(tmp_path: Path) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text(BAD_SCENARIO)
    return path


@pytest.mark.parametrize("path", shipped_scenarios(), ids=lambda path: path.name)
def test_every_shipped_scenario_passes_check(path: Path) -> None:
    assert main(["check", str(path)]) == 0


def test_check_accepts_the_shipped_scenarios(capsys: pytest.CaptureFixture[str]) -> None:
    paths = [str(path) for path in sorted((REPO_ROOT / "scenarios").glob("*.yaml"))]
    assert main(["check", *paths]) == 0
    out = capsys.readouterr().out
    assert "default.yaml: ok (1 vector stores, 1 file batches, 3 files)" in out


def test_check_refuses_a_bad_scenario_naming_line_and_field(
    bad_scenario: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", str(bad_scenario)]) == 1
    err = capsys.readouterr().err
    assert (
        f"{bad_scenario}:5: vector_stores[0].file_batches[0].files: expected a list, got 7" in err
    )


def test_check_with_a_missing_file_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", str(tmp_path / "nope.yaml")]) == 1
    assert "cannot read" in capsys.readouterr().err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["serve", "--port", "not-a-port"])
    assert raised.value.code == 2
    with pytest.raises(SystemExit) as raised:
        main(["serve", "--port", "70000"])
    assert raised.value.code == 2
    with pytest.raises(SystemExit) as raised:
        main([])
    assert raised.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


def test_check_as_a_subprocess(bad_scenario: Path) -> None:
    good = run_check(REPO_ROOT / "scenarios" / "default.yaml")
    assert good.returncode == 0, good.stderr
    bad = run_check(bad_scenario)
    assert bad.returncode == 1
    assert ":5: vector_stores[0].file_batches[0].files:" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_serve_with_a_bad_scenario_exits_non_zero_with_the_error(bad_scenario: Path) -> None:
    result = subprocess.run(
        [*fake_server_command(), "serve", "--scenario", str(bad_scenario), "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert (
        f"{bad_scenario}:5: vector_stores[0].file_batches[0].files: expected a list"
        in result.stderr
    )
    assert "Traceback" not in result.stderr


@pytest.fixture
def serving(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    # Run from an unrelated folder: the package must find its own data.
    process = subprocess.Popen(
        [*fake_server_command(), "serve", "--port", "0", "--log-level", "warning"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # the readiness line, printed once listening
        ready = READY_LINE.fullmatch(line)
        assert ready is not None, line
        # The default scenario by its description, not its path in the package.
        assert ready["scenario"] == "Reference example, one in-progress batch of three files"
        yield process, ready["url"]
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=READY_TIMEOUT_SECONDS)


def test_serve_on_port_0_announces_its_url_and_serves_the_default_scenario(
    serving: tuple[subprocess.Popen[str], str],
) -> None:
    _, url = serving
    assert httpx.get(f"{url}/__fake__/health").json() == {"status": "ok"}
    batch = httpx.post(
        f"{url}/v1/vector_stores/vs_abc123/file_batches/vsfb_abc123/cancel",
        headers={"Authorization": "Bearer k"},
    ).json()
    assert batch["file_counts"]["cancelled"] == 3


def test_with_an_admin_token_a_log_that_is_no_terminal_never_holds_it(
    tmp_path: Path,
) -> None:
    token = "s3cret-token"
    process = subprocess.Popen(
        [*fake_server_command(), "serve", "--port", "0", "--admin-token", token],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        ready = READY_LINE.fullmatch(process.stdout.readline())
        # A pipe (a CI job's log, kept as an artifact): the URL without the token.
        assert ready is not None and ready["query"] == ""
        with httpx.Client(base_url=ready["url"]) as browser:
            first = browser.get(f"/__fake__/ui?token={token}")
            assert first.status_code == 303 and first.headers["location"] == "/__fake__/ui"
            assert "HttpOnly" in first.headers["set-cookie"]
            # httpx keeps the cookie, as a browser does; no bearer token is sent.
            assert browser.get("/__fake__/ui").status_code == 200
            assert browser.get("/__fake__/state").json()["unchanged"] is False
            assert httpx.get(f"{ready['url']}/__fake__/state").status_code == 401
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=READY_TIMEOUT_SECONDS)
    assert "GET /__fake__/ui 303 fakeInspector" in out
    assert "GET /__fake__/state 200 fakeGetState" in out
    assert token not in out + err


def test_at_a_terminal_the_inspector_url_carries_the_admin_token_once(tmp_path: Path) -> None:
    token = "s3cret-token"
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [*fake_server_command(), "serve", "--port", "0", "--admin-token", token],
        cwd=tmp_path,
        stdout=follower,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    os.close(follower)
    seen = b""
    try:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while b"\n" not in seen and time.monotonic() < deadline:
            readable, _, _ = select.select([leader], [], [], 0.2)
            if readable:
                seen += os.read(leader, 4096)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=READY_TIMEOUT_SECONDS)
        os.close(leader)
    line = seen.decode().splitlines()[0] + "\n"
    ready = READY_LINE.fullmatch(line)
    assert ready is not None and ready["query"] == f"?token={token}", line


def test_serve_stops_cleanly_on_sigterm(serving: tuple[subprocess.Popen[str], str]) -> None:
    process, _ = serving
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=READY_TIMEOUT_SECONDS) == 0


def test_serve_on_a_busy_port_fails_clearly(serving: tuple[subprocess.Popen[str], str]) -> None:
    _, url = serving
    port = url.rsplit(":", 1)[1]
    result = subprocess.run(
        [*fake_server_command(), "serve", "--port", port],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


def test_serve_refuses_a_journal_size_below_one(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["serve", "--port", "0", "--journal-size", "0"])
    assert raised.value.code == 2
    assert "not a whole number of at least 1" in capsys.readouterr().err


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.1", "example.invalid"])
def test_serve_refuses_a_non_loopback_host_without_an_admin_token(
    host: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Refused before anything is bound: no traffic leaves the machine.
    assert main(["serve", "--host", host, "--port", "0"]) == 1
    assert "set --admin-token" in capsys.readouterr().err
