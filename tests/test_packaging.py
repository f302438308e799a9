"""The built wheel carries its schemas and scenarios and finds them from anywhere."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.helpers import REPO_ROOT

DATA_FILES = [
    "fake_server/_data/schemas/openai-spec.json",
    "fake_server/_data/schemas/mka1.json",
    "fake_server/_data/schemas/overlay.yaml",
    "fake_server/_data/schemas/admin.json",
    "fake_server/_data/schemas/provenance.json",
    "fake_server/_data/schemas/scenario.schema.json",
    "fake_server/_data/schemas/twins/overlay.json",
    "fake_server/_data/schemas/twins/default-scenario.json",
    "fake_server/_data/scenarios/default.yaml",
    # The inspector page, served by the package itself.
    "fake_server/http/control/ui/index.html",
    "fake_server/http/control/ui/inspector.js",
    "fake_server/http/control/ui/inspector.css",
    "fake_server/http/control/ui/favicon.svg",
]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "-w",
            str(out),
            str(REPO_ROOT),
        ],
        check=True,
        timeout=300,
        capture_output=True,
    )
    (built,) = out.glob("vector_store_fake-*.whl")
    return built


def test_the_wheel_contains_the_data_files(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [name for name in DATA_FILES if name not in names]
    assert not missing


def test_the_unpacked_wheel_serves_its_own_data_from_another_folder(
    wheel: Path, tmp_path: Path
) -> None:
    unpacked = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(unpacked)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    script = (
        "import fake_server, fake_server.contract.resources as r;"
        "from fake_server import Contract, default_scenario;"
        "Contract.load(); print(fake_server.__file__); print(r.data_path('schemas'));"
        "print(default_scenario().summary());"
        "from fake_server.http.control.inspector import _asset;"
        "print(b'inspector.js' in _asset('index.html'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={**os.environ, "PYTHONPATH": str(unpacked)},
    )
    package_file, schemas_dir, summary, page_found = result.stdout.splitlines()
    assert package_file.startswith(str(unpacked))
    assert schemas_dir == str(unpacked / "fake_server" / "_data" / "schemas")
    assert summary == "1 vector stores, 1 file batches, 3 files"
    assert page_found == "True"
