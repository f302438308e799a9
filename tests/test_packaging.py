"""The built wheel carries its schemas, scenarios and type information and finds
them from anywhere; the package's public names are the ones the README and docs/ show."""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import fake_server
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
    "fake_server/http/control/ui/common.js",
    "fake_server/http/control/ui/timeline.js",
    "fake_server/http/control/ui/requests.js",
    "fake_server/http/control/ui/inspector.js",
    "fake_server/http/control/ui/inspector.css",
    "fake_server/http/control/ui/favicon.svg",
    # What `fake-server init` writes.
    "fake_server/starter/scenario.yaml",
    "fake_server/starter/example_test.py.txt",
    # PEP 561: type checkers read the package's own annotations.
    "fake_server/py.typed",
]
# The names the README and docs/ show (in code and in prose), and where each is defined.
README_NAMES = {
    "ServerThread": "fake_server.serve.thread",
    "create_app": "fake_server.http.app",
    "parse_scenario": "fake_server.scenario.loading",
    "Scenario": "fake_server.scenario.loading",
    "FakeServer": "fake_server.testing.handle",
    "InProcessTransport": "fake_server.testing.inprocess",
    "ClientCheckWarning": "fake_server.testing.handle",
    "ClientBehaviourError": "fake_server.testing.handle",
    "ContractViolationError": "fake_server.testing.handle",
}


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


def test_every_public_name_imports() -> None:
    namespace: dict[str, object] = {}
    exec("from fake_server import *", namespace)  # the import a user writes
    assert sorted(set(fake_server.__all__) - set(namespace)) == []
    assert len(set(fake_server.__all__)) == len(fake_server.__all__)
    assert set(fake_server.__all__) <= set(dir(fake_server))


@pytest.mark.parametrize("name", sorted(README_NAMES))
def test_each_name_the_readme_shows_is_public_and_is_what_it_names(name: str) -> None:
    assert name in fake_server.__all__
    home = importlib.import_module(README_NAMES[name])
    assert getattr(fake_server, name) is getattr(home, name)


def test_the_documents_import_only_public_names() -> None:
    documents = [REPO_ROOT / "README.md", *(REPO_ROOT / "docs").rglob("*.md")]
    text = "\n".join(document.read_text(encoding="utf-8") for document in documents)
    imported = {
        name.strip()
        for names in re.findall(r"^from fake_server import ([\w, ]+)$", text, re.M)
        for name in names.split(",")
    }
    assert imported
    assert imported <= set(README_NAMES)
