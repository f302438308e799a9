"""The GitHub Actions (action.yml, actions/save/action.yml), tested without GitHub:
their shell steps (actions/fake-server.sh) run as they are, with stand-in
GITHUB_ENV, GITHUB_OUTPUT and GITHUB_PATH files."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest
import yaml

from tests.helpers import REPO_ROOT, STOP_TIMEOUT_SECONDS

SCRIPT = REPO_ROOT / "actions" / "fake-server.sh"
ACTIONS = {"start": REPO_ROOT / "action.yml", "save": REPO_ROOT / "actions" / "save" / "action.yml"}
INSTALL_TIMEOUT_SECONDS = 300
STEP_TIMEOUT_SECONDS = 60


def read_pairs(path: Path) -> dict[str, str]:
    """A GITHUB_ENV or GITHUB_OUTPUT file's NAME=value lines."""
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return dict(line.split("=", 1) for line in lines)


class Runner:
    """A job's stand-in: its temporary folder and its GitHub files, its environment."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.temp = root / "runner-temp"
        self.temp.mkdir()
        self.files = {name: root / name for name in ("env", "output", "path")}

    def step(self, command: str, timeout: float = STEP_TIMEOUT_SECONDS, **inputs: str) -> str:
        env = {
            **os.environ,
            **read_pairs(self.files["env"]),
            "RUNNER_TEMP": str(self.temp),
            "GITHUB_ENV": str(self.files["env"]),
            "GITHUB_OUTPUT": str(self.files["output"]),
            "GITHUB_PATH": str(self.files["path"]),
            **{f"INPUT_{name.upper()}": value for name, value in inputs.items()},
        }
        self.files["output"].unlink(missing_ok=True)  # each step has its own
        done = subprocess.run(
            [str(SCRIPT), command],
            cwd=self.root,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runner]:
    """The install step, once: this checkout into a virtual environment of its own."""
    runner = Runner(tmp_path_factory.mktemp("action"))
    started = time.monotonic()
    said = runner.step("install", timeout=INSTALL_TIMEOUT_SECONDS)
    print(f"the action's install step took {time.monotonic() - started:.1f} s")
    assert said.startswith("fake-server.sh: installed fake-server ")
    (venv_bin,) = runner.files["path"].read_text().splitlines()
    assert Path(venv_bin, "fake-server").exists()
    yield runner


def test_start_exports_the_urls_and_save_writes_the_files(installed: Runner) -> None:
    scenario = REPO_ROOT / "scenarios" / "mixed.yaml"
    said = installed.step("start", scenario=str(scenario), port="0")
    outputs = read_pairs(installed.files["output"])
    pid = int(outputs["pid"])
    try:
        env = read_pairs(installed.files["env"])
        url = env["FAKE_SERVER_URL"]
        assert url.startswith("http://127.0.0.1:") and url in said
        assert env["OPENAI_BASE_URL"] == outputs["openai-base-url"] == f"{url}/v1"
        assert env["OPENAI_API_KEY"] == outputs["openai-api-key"]
        assert outputs["url"] == url
        assert httpx.get(f"{url}/__fake__/ready").json() == {"status": "ready"}
        # A later step: the SDK finds the fake through the exported environment alone.
        client = openai.OpenAI(
            base_url=env["OPENAI_BASE_URL"], api_key=env["OPENAI_API_KEY"], max_retries=0
        )
        assert client.vector_stores.retrieve("vs_mixed").name == "Product manuals"
        named = openai.OpenAI(
            base_url=env["OPENAI_BASE_URL"],
            api_key=env["OPENAI_API_KEY"],
            max_retries=0,
            default_headers={"X-Fake-Session": "job:2"},
        )
        named.vector_stores.create(name="job two's")

        saved = installed.root / "report"
        installed.step("save", path=str(saved))
        assert read_pairs(installed.files["output"]) == {"path": str(saved)}
        names = sorted(path.name for path in saved.iterdir())
        assert names == [
            "fake-server.log",
            "journal-job%3A2.json",
            "journal.json",
            "report-job%3A2.json",
            "report.json",
        ]
        journal = json.loads((saved / "journal.json").read_text())["requests"]
        assert [entry["operation"] for entry in journal] == ["getVectorStore"]
        assert json.loads((saved / "report.json").read_text()) == {"findings": []}
        assert "GET /v1/vector_stores/vs_mixed 200" in (saved / "fake-server.log").read_text()
    finally:
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.05)
    assert not _alive(pid)


def test_the_saved_log_never_holds_the_admin_token(installed: Runner) -> None:
    token = "ADMIN-token/9999+x"  # quoted in a URL as ADMIN-token%2F9999%2Bx
    with installed.files["env"].open("a", encoding="utf-8") as env_file:
        env_file.write(f"FAKE_SERVER_ADMIN_TOKEN={token}\n")
    installed.step("start", port="0")
    pid = int(read_pairs(installed.files["output"])["pid"])
    try:
        env = read_pairs(installed.files["env"])
        log = Path(env["FAKE_SERVER_LOG"])
        # Its log is a file: the ready line names the inspector without the token.
        (ready,) = [line for line in log.read_text().splitlines() if "ready on" in line]
        assert ready.endswith("/__fake__/ui)") and token not in ready
        # Lines quoting it all the same (a server of an older version), in a copy:
        # the server writes on at its own offset into its log.
        quoting = installed.temp / "quoting.log"
        quoting.write_text(
            log.read_text()
            + f"inspector: {env['FAKE_SERVER_URL']}/__fake__/ui?token=ADMIN-token%2F9999%2Bx\n"
            + f"the token {token} and ?token=other-secret&x=1\n"
        )
        with installed.files["env"].open("a", encoding="utf-8") as env_file:
            env_file.write(f"FAKE_SERVER_LOG={quoting}\n")
        saved = installed.root / "guarded-report"
        installed.step("save", path=str(saved))
        text = (saved / "fake-server.log").read_text()
        assert "ready on" in text
        assert "/__fake__/ui?token=[redacted]" in text
        assert "the token [redacted] and ?token=[redacted]&x=1" in text
        for path in saved.iterdir():
            content = path.read_text()
            for secret in (token, "ADMIN-token%2F9999", "other-secret"):
                assert secret not in content, path.name
    finally:
        os.kill(pid, signal.SIGTERM)
        lines = installed.files["env"].read_text().splitlines()
        installed.files["env"].write_text(
            "".join(
                f"{line}\n" for line in lines if "ADMIN_TOKEN" not in line and "quoting" not in line
            )
        )
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.05)


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, left for its new parent to reap, does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_a_scenario_that_is_refused_fails_the_start_with_the_log(installed: Runner) -> None:
    bad = installed.root / "bad.yaml"
    bad.write_text("vector_stores: [{id: vs_a, colour: red}]\n")
    with pytest.raises(AssertionError, match=r"did not start; its log:[\s\S]*colour"):
        installed.step("start", scenario=str(bad), port="0")


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_each_action_passes_every_input_to_the_script(action: str) -> None:
    document = yaml.safe_load(ACTIONS[action].read_text())
    steps = document["runs"]["steps"]
    assert document["runs"]["using"] == "composite"
    passed = {name for step in steps for name in step.get("env", {})}
    assert passed == {f"INPUT_{name.upper()}" for name in document["inputs"]}
    for step in steps:
        assert step["shell"] == "bash"
        script, command = step["run"].strip("'").rsplit(" ", 1)
        assert script.endswith('fake-server.sh"')
        assert command in ("install", "start", "save")
    for name, output in document["outputs"].items():
        assert output["value"].startswith("${{ steps.")
        assert name in SCRIPT.read_text()
