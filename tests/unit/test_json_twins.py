"""The JSON twins of the YAML files every start reads (fake_server.contract.twins).

A twin is used only while it was made from its YAML file's present text; the
shipped ones are current, hold the value fake_server reads from the YAML, and
a stale, missing or broken twin is passed over for the YAML itself.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fake_server.contract import twins
from fake_server.contract.loading import overlay_from_yaml
from fake_server.contract.resources import data_path, scenario_path, schema_path
from fake_server.scenario import loading
from fake_server.scenario.checks import scenario_validator
from fake_server.scenario.loading import default_scenario, load_scenario
from tests.helpers import REPO_ROOT


def test_the_shipped_twins_are_current() -> None:
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "tools" / "json_twins.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_the_overlay_twin_holds_what_the_yaml_says() -> None:
    text = schema_path("overlay.yaml").read_text(encoding="utf-8")
    assert twins.twin_value("schemas", "overlay.yaml") == overlay_from_yaml(text)


def test_the_default_scenario_from_its_twin_is_the_one_its_yaml_gives() -> None:
    assert twins.twin_value("scenarios", "default.yaml") is not None  # the twin is in use
    from_twin = default_scenario()
    from_yaml = load_scenario(scenario_path("default.yaml"))
    assert from_twin == from_yaml
    assert from_twin.source.endswith("default.yaml")


def test_the_default_scenario_twin_passes_the_scenario_schema() -> None:
    # default_scenario() trusts a current twin to pass the schema and checks
    # only what the schema cannot say.
    value = twins.twin_value("scenarios", "default.yaml")
    assert list(scenario_validator().errors(value)) == []


@pytest.fixture
def data_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped YAML files and their twins, which the twins module reads."""
    for folder, name in twins.TWINS:
        (tmp_path / folder).mkdir(exist_ok=True)
        shutil.copy(data_path(folder, name), tmp_path / folder / name)
    shutil.copytree(data_path(*twins.TWIN_FOLDER), tmp_path.joinpath(*twins.TWIN_FOLDER))
    monkeypatch.setattr(twins, "data_path", tmp_path.joinpath)
    return tmp_path


def test_a_twin_of_the_present_text_is_used(data_root: Path) -> None:
    assert twins.twin_value("scenarios", "default.yaml")["vector_stores"][0]["id"] == "vs_abc123"


def test_a_twin_made_from_other_text_is_not_used(data_root: Path) -> None:
    source = data_root / "scenarios" / "default.yaml"
    source.write_text(source.read_text() + "# edited after the twin was written\n")
    assert twins.twin_value("scenarios", "default.yaml") is None


@pytest.mark.parametrize("broken", ["", "not json", "[1, 2]", '{"value": {}}'])
def test_a_missing_or_broken_twin_is_not_used(data_root: Path, broken: str) -> None:
    twin = data_root.joinpath(*twins.TWIN_FOLDER, twins.TWINS[("schemas", "overlay.yaml")])
    twin.write_text(broken)
    assert twins.twin_value("schemas", "overlay.yaml") is None
    twin.unlink()
    assert twins.twin_value("schemas", "overlay.yaml") is None


@pytest.mark.parametrize("value", [{200: "a key not a string"}, {"x": float("nan")}])
def test_a_value_json_would_change_gets_no_twin(value: object) -> None:
    with pytest.raises(ValueError):
        twins.twin_text("source", value)


def test_a_file_without_a_twin_has_none() -> None:
    assert twins.twin_value("scenarios", "mixed.yaml") is None


# A current twin is trusted to pass the scenario schema (held to it above), so
# the invalid twin is one only the checks beyond the schema refuse.
DUPLICATE_STORE_IDS = {"vector_stores": [{"id": "vs_a"}, {"id": "vs_a"}]}


@pytest.mark.parametrize("twin", [None, DUPLICATE_STORE_IDS])
def test_the_default_scenario_falls_back_to_its_yaml(
    monkeypatch: pytest.MonkeyPatch, twin: object
) -> None:
    """No usable twin, or one whose value is not a valid scenario: the YAML stands."""
    monkeypatch.setattr(loading, "twin_value", lambda folder, name: twin)
    assert default_scenario() == load_scenario(scenario_path("default.yaml"))
