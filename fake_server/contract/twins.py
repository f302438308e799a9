"""JSON twins of the shipped YAML files that every start reads.

Importing PyYAML costs about 15 ms (its reader compiles a large pattern), a
good share of a ``fake-server serve`` start or a fixture's first test. The
schema overlay and the default scenario are read on every start, so each has
a JSON twin in ``schemas/twins/``, written by ``tools/json_twins.py``.

The YAML file stays the source, the one to edit. A twin holds the exact text
it was made from; when the YAML file no longer has that text (edited, twin
not yet written again), the twin is not used and the caller reads the YAML,
so a stale twin costs time, never correctness. A test holds every shipped
twin to its YAML file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fake_server.contract.resources import data_path

TWIN_FOLDER = ("schemas", "twins")
# (folder, YAML file name) -> its twin's file name in TWIN_FOLDER
TWINS: dict[tuple[str, str], str] = {
    ("schemas", "overlay.yaml"): "overlay.json",
    ("scenarios", "default.yaml"): "default-scenario.json",
}


def twin_value(folder: str, name: str) -> Any:
    """The value of the shipped YAML file ``folder/name`` from its twin; None when
    it has no twin, or the twin was made from other text."""
    twin_name = TWINS.get((folder, name))
    if twin_name is None:
        return None
    try:
        twin = json.loads(data_path(*TWIN_FOLDER, twin_name).read_text(encoding="utf-8"))
        source = data_path(folder, name).read_text(encoding="utf-8")
    except (OSError, ValueError):
        return None
    if not isinstance(twin, dict) or twin.get("source") != source:
        return None
    return twin.get("value")


def twin_text(source: str, value: Any) -> str:
    """A twin file's text: the YAML text it was made from, and that text's value.

    Raises ValueError if JSON cannot carry the value as it is (a key that is
    not a string, NaN): such a twin would read back as another value.
    """
    text = json.dumps(
        {"source": source, "value": value}, indent=1, ensure_ascii=False, allow_nan=False
    )
    if json.loads(text)["value"] != value:
        raise ValueError("the value does not survive JSON unchanged (a key not a string?)")
    return text + "\n"


def twin_path(folder: str, name: str) -> Path:
    """Where the twin of ``folder/name`` is written: beside the data in use (the
    source tree for a checkout). Built from the twins' folder's parent, which
    exists, as the twin itself may not yet."""
    return data_path(TWIN_FOLDER[0]).joinpath(*TWIN_FOLDER[1:], TWINS[(folder, name)])
