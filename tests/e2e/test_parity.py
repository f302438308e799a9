"""``fake-server parity`` against recordings of real servers on loopback.

(a) an upstream configured as the scenario says: no difference, exit 0;
(b) an upstream that answers differently on purpose (the literal spec's batch
object, a field it leaves out, a field it adds, another error code): each
difference reported once, tagged.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from fake_server.testing.handle import FakeServer
from tests.cases.lifecycle import PROCESSING, UPSTREAM_SCENARIO
from tests.cases.parity_runs import record_lifecycle
from tests.cases.recorder import Altered
from tests.helpers import fake_server_command

PARITY_TIMEOUT_SECONDS = 60


def parity(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*fake_server_command(), "parity", *args],
        capture_output=True,
        text=True,
        timeout=PARITY_TIMEOUT_SECONDS,
        check=False,
    )


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The lifecycle recorded once from an upstream of the lifecycle's scenario."""
    folder = tmp_path_factory.mktemp("recording")
    seen = record_lifecycle(folder)
    assert seen["done"] == ("completed", 2, 1) and seen["limited"] == 429
    assert seen["cancelling"] == "in_progress" and seen["cancelled"] == "cancelled"
    return folder


def test_an_equally_configured_upstream_shows_no_difference(recording: Path) -> None:
    tmp_path = recording

    # The scenario beside the cassette is the default.
    shown = parity(str(tmp_path))
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert "12 of 12 exchanges replayed, no difference" in shown.stdout

    as_json = parity(str(tmp_path / "cassette.json"), "--json")
    assert as_json.returncode == 0
    result = json.loads(as_json.stdout)
    assert result["same"] is True and result["differences"] == []
    assert result["counts"] == {"overlay": 0, "scenario": 0, "defect": 0}


SLOWER = UPSTREAM_SCENARIO.replace(
    f"processing_seconds: {PROCESSING}}}", "processing_seconds: 5}"
).replace("cancel:", "clock: {poll_after_ms: 1000}\ncancel:")


def test_a_scenario_slower_than_the_upstream_differs_in_timing_only(
    recording: Path, tmp_path: Path
) -> None:
    slower = tmp_path / "slower.yaml"
    slower.write_text(SLOWER, encoding="utf-8")
    shown = parity(str(recording), "--scenario", str(slower), "--json")
    assert shown.returncode == 1, shown.stderr
    result = json.loads(shown.stdout)
    assert result["scenario"] == str(slower)
    assert result["counts"]["scenario"] >= 5
    assert result["counts"]["overlay"] == result["counts"]["defect"] == 0
    places = {item["where"] for item in result["differences"]}
    assert {"$.status", "$.file_counts.completed", "header openai-poll-after-ms"} <= places


def _differently(path: str, body: Any) -> Any:
    """Leave out ``chunking_strategy`` (optional) of each vector store file, and
    add a field no schema declares to each vector store."""
    if isinstance(body, dict):
        for item in body.get("data", []) if body.get("object") == "list" else [body]:
            if isinstance(item, dict) and item.get("object") == "vector_store.file":
                item.pop("chunking_strategy", None)
            if isinstance(item, dict) and item.get("object") == "vector_store":
                item["tier"] = "gold"
    return body


def _another_error_code(upstream: FakeServer) -> None:
    upstream.add_fault("retrieveFile", status=404, code="no_such_file", file_id="file-missing")


def test_an_upstream_that_differs_is_reported_once_per_difference(tmp_path: Path) -> None:
    # The literal-spec dialect behind a base path: its batches are
    # "vector_store.files_batch" and it names a missing file's param file_id.
    record_lifecycle(
        tmp_path,
        prefix="/spec",
        wrap=lambda app: Altered(app, _differently),
        prepare=_another_error_code,
    )

    shown = parity(str(tmp_path), "--json")
    assert shown.returncode == 1, shown.stderr
    result = json.loads(shown.stdout)
    found = {
        (item["tag"], item["where"], item["upstream"], item["fake"]): item
        for item in result["differences"]
    }
    assert set(found) == {
        ("overlay", "$.object", '"vector_store.files_batch"', '"vector_store.file_batch"'),
        ("overlay", "$.tier", "string", "absent"),
        ("defect", "$.chunking_strategy", "absent", "object"),
        ("defect", "$.error.code", '"no_such_file"', "null"),
        ("defect", "$.error.param", "null", '"id"'),
    }, json.dumps(result["differences"], indent=1)
    batch_object = found[
        ("overlay", "$.object", '"vector_store.files_batch"', '"vector_store.file_batch"')
    ]
    assert batch_object["count"] == 5, "seen in five answers, reported once"
    assert set(batch_object["operations"]) == {
        "createVectorStoreFileBatch",
        "getVectorStoreFileBatch",
        "cancelVectorStoreFileBatch",
    }
    tier = found[("overlay", "$.tier", "string", "absent")]
    assert tier["operations"] == ["createVectorStore", "listVectorStores"]
    assert result["counts"] == {"overlay": 2, "scenario": 0, "defect": 3}

    table = parity(str(tmp_path)).stdout
    assert "5 differences (2 overlay, 0 scenario, 3 defect)" in table
    assert "tag " in table and "vector_store.files_batch" in table
