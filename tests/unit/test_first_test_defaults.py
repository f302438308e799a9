"""The defaults a first test meets: stated once in defaults.py, said the same
by the scenario schema and the user docs, and true of a running session."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

from fake_server import defaults
from fake_server.scenario.loading import default_scenario, parse_scenario
from fake_server.scenario.world import build_world
from fake_server.testing.handle import FakeServer
from tests.helpers import REPO_ROOT

SCHEMA = json.loads((REPO_ROOT / "schemas" / "scenario.schema.json").read_text(encoding="utf-8"))


def _user_docs() -> str:
    """The README and docs/ (the docs may move lines between them)."""
    paths = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").rglob("*.md"))]
    return "\n".join(Path(path).read_text(encoding="utf-8") for path in paths)


def _number(value: float) -> str:
    return f"{value:g}"


def test_the_schema_states_the_defaults_of_defaults_py() -> None:
    processing = SCHEMA["properties"]["defaults"]["properties"]["processing_seconds"]
    assert f"Default {_number(defaults.PROCESSING_SECONDS)}." in processing["description"]
    poll = SCHEMA["properties"]["clock"]["properties"]["poll_after_ms"]["description"]
    assert (
        f"Default {defaults.VIRTUAL_POLL_AFTER_MS} on a virtual clock, "
        f"{defaults.REAL_POLL_AFTER_MS} on a real one." in poll
    )


def test_the_docs_state_the_defaults_of_defaults_py() -> None:
    text = _user_docs()
    said = re.findall(
        r"processing_seconds: \d+ +# time an in-progress file takes.*\(default (\S+)\)", text
    )
    assert said and set(said) == {_number(defaults.PROCESSING_SECONDS)}
    assert (
        f"(default {defaults.VIRTUAL_POLL_AFTER_MS} virtual, {defaults.REAL_POLL_AFTER_MS} real)"
        in text
    )


def test_the_first_numbers_suit_a_first_test() -> None:
    # A first test polls a few times and is done in seconds.
    assert defaults.PROCESSING_SECONDS <= 2
    assert 0 < defaults.REAL_POLL_AFTER_MS <= 1000 * defaults.PROCESSING_SECONDS


def test_a_first_batch_on_the_default_scenario_finishes_in_seconds(
    fake_server_inprocess: FakeServer,
) -> None:
    client = fake_server_inprocess.http_client()
    upload = client.post(
        "/v1/files", files={"file": ("a.txt", b"hello")}, data={"purpose": "assistants"}
    )
    file_id = upload.json()["id"]
    created = client.post("/v1/vector_stores/vs_abc123/file_batches", json={"file_ids": [file_id]})
    assert created.json()["status"] == "in_progress"
    assert created.headers["openai-poll-after-ms"] == str(defaults.REAL_POLL_AFTER_MS)
    batch = f"/v1/vector_stores/vs_abc123/file_batches/{created.json()['id']}"
    time.sleep(defaults.PROCESSING_SECONDS + 0.2)
    finished = client.get(batch)
    assert finished.json()["status"] == "completed"
    assert "openai-poll-after-ms" not in finished.headers


def test_the_world_of_the_default_scenario_tells_real_clock_pollers_when() -> None:
    world = build_world(default_scenario().data)
    assert world.poll_after_ms == defaults.REAL_POLL_AFTER_MS


def test_the_reference_batch_stays_in_progress_for_an_hour() -> None:
    batch = default_scenario().data["vector_stores"][0]["file_batches"][0]
    assert [file.get("processing_seconds") for file in batch["files"]] == [3600] * 3


def test_a_virtual_clock_keeps_its_own_poll_default() -> None:
    world = build_world(parse_scenario("clock: {mode: virtual}\n").data)
    assert world.poll_after_ms == defaults.VIRTUAL_POLL_AFTER_MS
