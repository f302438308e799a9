"""``fake-server init``: a commented starter scenario and a pytest example that
uses it, copied from the files beside this module (shipped in the wheel)."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).parent
# What is written, and from which shipped file.
STARTER_FILES = (
    ("scenario.yaml", "scenario.yaml"),
    ("test_fake_server_example.py", "example_test.py.txt"),
)


class StarterExistsError(Exception):
    """A file ``init`` would write is already there; nothing was written."""


def write_starter(directory: str | Path) -> list[Path]:
    """Write the starter files into ``directory`` (created if missing); the paths
    written, the test last. Refuses, writing nothing, if any of them exists."""
    target = Path(directory)
    paths = [target / name for name, _ in STARTER_FILES]
    existing = [path for path in paths if path.exists()]
    if existing:
        names = " and ".join(str(path) for path in existing)
        verb = "exists" if len(existing) == 1 else "exist"
        raise StarterExistsError(
            f"{names} already {verb}; init never overwrites a file (nothing was written)"
        )
    target.mkdir(parents=True, exist_ok=True)
    for path, (_, shipped) in zip(paths, STARTER_FILES, strict=True):
        path.write_text((_HERE / shipped).read_text(encoding="utf-8"), encoding="utf-8")
    return paths
