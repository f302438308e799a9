"""schemas/ is exactly what tools/extract_schemas.py produces from the pinned inputs."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from tests.helpers import REPO_ROOT

SPEC = REPO_ROOT.parent / "shared" / "spec" / "openai-openapi.yaml"
GENERATED = [
    "openai-spec.json",
    "openai-responses.json",
    "mka1.json",
    "mka1-responses.json",
    "provenance.json",
]


@pytest.mark.skipif(not SPEC.exists(), reason="the pinned spec is not beside the checkout")
def test_rerunning_the_extraction_reproduces_the_committed_schemas(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            str(REPO_ROOT / "tools" / "extract_schemas.py"),
            "--spec",
            str(SPEC),
            "--out",
            str(tmp_path),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    for name in GENERATED:
        assert (tmp_path / name).read_text() == (REPO_ROOT / "schemas" / name).read_text(), name


def test_provenance_records_the_spec_and_the_sdk_version() -> None:
    provenance = json.loads((REPO_ROOT / "schemas" / "provenance.json").read_text())
    spec = provenance["openai-spec.json"]
    assert spec["commit"] == "f85dbe223d40e1a31cba812ab2d755c7e98a92a3"
    if SPEC.exists():
        assert spec["sha256"] == hashlib.sha256(SPEC.read_bytes()).hexdigest()
    assert provenance["mka1.json"]["package_version"] == metadata.version("meetkai-mka1")


def test_the_extracted_spec_is_untouched_by_the_overlay() -> None:
    extracted = json.loads((REPO_ROOT / "schemas" / "openai-spec.json").read_text())
    batch_object = extracted["$defs"]["VectorStoreFileBatchObject"]["properties"]["object"]
    assert batch_object["enum"] == ["vector_store.files_batch"]
