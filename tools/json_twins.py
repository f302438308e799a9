"""Write the JSON twins of the shipped YAML files every start reads.

Run it after editing ``schemas/overlay.yaml`` or ``scenarios/default.yaml``:

    .venv/bin/python tools/json_twins.py           # write schemas/twins/*.json
    .venv/bin/python tools/json_twins.py --check   # exit 1 if one is stale

Each twin holds its YAML file's text and value (``fake_server.contract.twins``
says why they exist). The value is read exactly as fake_server reads that
file from YAML. A stale twin is never wrong, only slower to start with: it is
not used until written again; tests/unit/test_json_twins.py fails until then.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fake_server.contract.loading import overlay_from_yaml
from fake_server.contract.resources import data_path
from fake_server.contract.twins import TWINS, twin_path, twin_text
from fake_server.scenario.yaml.source import load_yaml_quickly


def scenario_from_yaml(text: str) -> Any:
    quick = load_yaml_quickly(text)
    if quick is None:
        raise ValueError("not a scenario the quick reading takes; `fake-server check` says why")
    return quick.value


# How fake_server reads each file from its YAML (a twin added to TWINS needs one).
READERS: dict[tuple[str, str], Callable[[str], Any]] = {
    ("schemas", "overlay.yaml"): overlay_from_yaml,
    ("scenarios", "default.yaml"): scenario_from_yaml,
}


def expected_twins() -> dict[Path, str]:
    """Each twin's path and the text it should have, made from its YAML file now."""
    expected = {}
    for folder, name in TWINS:
        source = data_path(folder, name).read_text(encoding="utf-8")
        expected[twin_path(folder, name)] = twin_text(source, READERS[(folder, name)](source))
    return expected


def stale_twins() -> list[Path]:
    return [
        path
        for path, text in expected_twins().items()
        if not path.exists() or path.read_text(encoding="utf-8") != text
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only say which twins are stale")
    args = parser.parse_args()
    if args.check:
        stale = stale_twins()
        for path in stale:
            print(f"stale: {path.name} (run tools/json_twins.py)", file=sys.stderr)
        return 1 if stale else 0
    for path, text in expected_twins().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        print(f"wrote {path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
