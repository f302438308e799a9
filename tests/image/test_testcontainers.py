"""fake_server.testcontainers through podman's Docker API: one container, two sessions
used in parallel, each seeing only its own state."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.helpers import documented_file

if TYPE_CHECKING:
    # Imported in the tests, never before: Testcontainers reads its settings
    # (the environment below) once, on its first import.
    from fake_server.testcontainers import FakeServerSession

pytestmark = pytest.mark.image

# Polls move the clock, so upload_and_poll finishes at once.
SCENARIO = """
description: one store every session starts with
clock: {mode: virtual, start: 1704067200, advance_on_poll: 30}
defaults: {processing_seconds: 60}
vector_stores:
  - {id: vs_shared, name: shared, created_at: 1704067200}
"""


@pytest.fixture
def testcontainers_env(docker_host: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Testcontainers on podman, as these machines need it: no reaper (its image
    cannot be pulled), and containers reached on 127.0.0.1 (/.dockerenv misleads
    its guess)."""
    monkeypatch.setenv("DOCKER_HOST", docker_host)
    monkeypatch.setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
    monkeypatch.setenv("TESTCONTAINERS_CONNECTION_MODE", "docker_host")
    monkeypatch.setenv("TC_HOST", "127.0.0.1")


def seed(session: FakeServerSession, name: str) -> list[str]:
    """Create a store with two files in ``session``; the store names it lists."""
    client = session.openai_client()
    store = client.vector_stores.create(name=name)
    files = [(f"{name}-{i}.txt", io.BytesIO(b"hello " * 20)) for i in range(2)]
    batch = client.vector_stores.file_batches.upload_and_poll(store.id, files=files)
    assert batch.status == "completed", batch
    return sorted(s.name for s in client.vector_stores.list() if s.name)


def test_two_sessions_in_parallel_on_one_container(
    image: str, testcontainers_env: None, tmp_path: Path
) -> None:
    from fake_server.testcontainers import FakeServerContainer  # noqa: PLC0415 -- see above

    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(SCENARIO)
    scenario.chmod(0o644)
    with FakeServerContainer(image=image, scenario=scenario) as fake:
        assert fake.url.startswith("http://127.0.0.1:")
        first, second = fake.session("worker-1"), fake.session("worker-2")
        with ThreadPoolExecutor(max_workers=2) as pool:
            one, two = pool.map(seed, (first, second), ("alpha", "beta"))
        # Each sees the mounted scenario's stores and its own, not the other's.
        assert one == ["alpha", "shared"]
        assert two == ["beta", "shared"]
        assert fake.openai_client().vector_stores.retrieve("vs_shared").name == "shared"
        assert first.report() == []
        assert any(entry["operation"] == "createFile" for entry in first.requests())
        first.reset()
        assert first.requests() == []
        assert [s.name for s in first.openai_client().vector_stores.list()] == ["shared"]
        assert any(entry["operation"] == "createFile" for entry in second.requests())
        assert fake.report() == []


def test_the_documented_example_runs(
    image: str,
    testcontainers_env: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = documented_file("guides/in-ci.md", "test_with_testcontainers.py")
    assert code.count('"fake-server:latest"') == 1
    (tmp_path / "scenario.yaml").write_text(SCENARIO)
    (tmp_path / "scenario.yaml").chmod(0o644)
    monkeypatch.chdir(tmp_path)
    exec(compile(code.replace('"fake-server:latest"', repr(image)), "in-ci.md", "exec"), {})
    assert " served vs_" in capsys.readouterr().out
