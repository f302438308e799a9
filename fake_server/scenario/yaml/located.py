"""What a scenario's reading gives: values, where they came from, what was refused.

Kept apart from ``yaml_source`` and free of PyYAML, whose import costs about
15 ms of a start: a valid scenario given as JSON, or as a value (the default
scenario, from its JSON twin), is read without it. (Only naming its problems
by line takes the YAML reader; JSON is YAML, so the names say YAML.)
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from fake_server.contract import strict_json

YamlPath = tuple[str | int, ...]


class YamlSourceError(Exception):
    def __init__(
        self,
        message: str,
        line: int | None,
        path: YamlPath = (),
        *,
        unreadable: bool = False,
        column: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.path = path
        self.unreadable = unreadable  # not YAML at all (rather than beyond a bound)


class ValueProblem(NamedTuple):
    """A value that cannot be part of a scenario (it was read as null)."""

    path: YamlPath
    line: int
    message: str


class LocatedYaml(NamedTuple):
    value: Any
    value_lines: dict[YamlPath, int]
    key_lines: dict[YamlPath, int]
    # Values refused as they were read (each read as null), and where floats
    # with an integral value (503.0) are: the schema says if an integer was due.
    problems: tuple[ValueProblem, ...] = ()
    integral_floats: tuple[YamlPath, ...] = ()

    def line_of(self, path: YamlPath, *, key: bool = False) -> int | None:
        """The line of the value at ``path`` (or of its key), else of the nearest parent."""
        lines = self.key_lines if key else self.value_lines
        while path:
            if path in lines:
                return lines[path]
            if path in self.value_lines:
                return self.value_lines[path]
            path = path[:-1]
        return self.value_lines.get(())


class QuickYaml(NamedTuple):
    value: Any


# Text that opens as JSON does, after whitespace; matched in place, as a
# scenario may be large (lstrip would copy it).
_JSON_OPENING = re.compile(r"\s*[{\[]")


def load_json_quickly(text: str) -> QuickYaml | None:
    """A scenario written as JSON, read by the json module (many times faster than
    any YAML parser, and no PyYAML); None if it is not JSON the strict reading takes."""
    if _JSON_OPENING.match(text) is None:
        return None
    try:
        return QuickYaml(strict_json.loads(text, integral_floats=False))
    except (ValueError, RecursionError):
        return None
