"""Where the shipped data (schemas, scenarios) lives.

A wheel carries ``schemas/`` and ``scenarios/`` inside the package as
``fake_server/_data``; an editable install of the source tree reads them from
the repository root instead. Either way callers never depend on the working
directory.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent.parent
_ROOTS = (_PACKAGE_DIR / "_data", _PACKAGE_DIR.parent)


def data_path(*parts: str) -> Path:
    for root in _ROOTS:
        candidate = root.joinpath(*parts)
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"fake_server data file not found: {'/'.join(parts)}")


def schema_path(name: str) -> Path:
    return data_path("schemas", name)


def scenario_path(name: str) -> Path:
    return data_path("scenarios", name)


def shipped_scenarios() -> list[Path]:
    return sorted(data_path("scenarios").glob("*.yaml"))
