"""How a scenario problem is worded: its place (file, line, field) and its words.

Every refusal reads the same whichever check found it: the field as a path
(``vector_stores[0].file_batches[1].files``), the scenario's own values cut
short (a scenario may hold a 200,000-character key), the rule a schema error
breaks in the scenario's words rather than JSON Schema's.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from fake_server.contract.operations import ALL_OPERATION_IDS
from fake_server.domain.errors import quoted
from fake_server.scenario.problems import ScenarioProblem
from fake_server.scenario.yaml.located import YamlPath

if TYPE_CHECKING:
    import jsonschema

MAX_FIELD_CHARACTERS = 200

# The line of the value at a path (``key=True``: of its key), None where unknown.
LineOf = Callable[..., int | None]


def no_line(*_: object, **__: object) -> None:
    """For a value that came without text (a fault rule given at runtime)."""
    return None


def placed(source: str, line_of: LineOf, path: YamlPath, message: str) -> ScenarioProblem:
    return ScenarioProblem(source, line_of(path), format_field(path), message)


# A problem at a path of the document being checked.
Placed = Callable[[YamlPath, str], ScenarioProblem]


def in_line_order(problems: Iterable[ScenarioProblem]) -> list[ScenarioProblem]:
    return sorted(problems, key=lambda problem: (problem.line or 0, problem.field))


def format_field(path: YamlPath) -> str:
    """``vector_stores[0].file_batches[1].files``; long keys and long paths cut short."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            key = cut(part)
            text += f".{key}" if text else key
    if len(text) > MAX_FIELD_CHARACTERS:
        text = text[:MAX_FIELD_CHARACTERS] + "..."
    return text


def cut(text: str) -> str:
    """Client text cut as ``quoted`` cuts it (without the quotes)."""
    return quoted(text)[1:-1]


def shown(value: Any) -> str:
    """A value from the scenario for a message: containers by kind, the rest cut short."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return json.dumps(cut(value))
    return cut(json.dumps(value))


def unknown_operation(fault: dict[str, Any]) -> str:
    """The nearest operation ids when a typo is likely; every id only when none is near."""
    name = str(fault["operation"])
    near = [known for known in ALL_OPERATION_IDS if known.lower() == name.lower()]
    # Loaded only for a mistake: difflib is no part of a start.
    import difflib  # noqa: PLC0415

    # 0.5, below difflib's default: "cancelBatch" still finds cancelVectorStoreFileBatch.
    near = near or difflib.get_close_matches(name, ALL_OPERATION_IDS, n=3, cutoff=0.5)
    if near:
        return f"unknown operation {quoted(name)}; did you mean {' or '.join(map(quoted, near))}?"
    return f"unknown operation {quoted(name)} (one of: {', '.join(ALL_OPERATION_IDS)})"


def parameter_not_in_path(operation: str, name: str, template: str) -> str:
    named = ", ".join(part[1:-1] for part in template.split("/") if part.startswith("{"))
    has = f"its path names {named}" if named else "its path names no parameter"
    return f"{operation} has no {name} to aim at ({has}: {template})"


def problems_of(
    error: jsonschema.ValidationError, source: str, line_of: LineOf
) -> Iterator[ScenarioProblem]:
    """One schema error as problems: each unknown key on its own line, else one."""
    path: YamlPath = tuple(error.absolute_path)
    if error.validator != "additionalProperties":
        yield placed(source, line_of, path, describe(error))
        return
    schema: Any = error.schema
    instance: Any = error.instance
    allowed = set(schema.get("properties", {}))
    message = f"unknown key (allowed here: {', '.join(sorted(allowed))})"
    for key in sorted(set(instance) - allowed):
        yield ScenarioProblem(
            source, line_of((*path, key), key=True), format_field((*path, key)), message
        )


def integer_expected(number: Any) -> str:
    return f"expected an integer, got {number!r} (write it without a fraction)"


# --- the rule a schema error breaks, in the scenario's words -----------------

# What each JSON Schema keyword says: from (the value shown, the keyword's
# value, the error), a message.
_Wording = Callable[[str, Any, "jsonschema.ValidationError"], str]
_WORDINGS: dict[str, _Wording] = {
    "type": lambda value, expected, _: f"expected {_type_words(expected)}, got {value}",
    "enum": lambda value, expected, _: (
        f"{value} is not one of: {', '.join(str(option) for option in expected)}"
    ),
    "minimum": lambda value, expected, _: f"must be >= {expected}, got {value}",
    "maximum": lambda value, expected, _: f"must be <= {expected}, got {value}",
    "required": lambda _, __, error: error.message.replace("is a required property", "is required"),
    "minItems": lambda _, expected, __: f"must have at least {expected} item(s)",
    "maxItems": lambda _, expected, error: (
        f"must have at most {expected} items, got {_length(error.instance)}"
    ),
    "minLength": lambda _, expected, __: f"must have at least {expected} character(s)",
    "maxLength": lambda value, expected, _: f"must have at most {expected} characters, got {value}",
}
# Keywords the schema explains itself, with ``x-message``: the value comes first
# ("... must be 'vs_' followed by ..."), or, for a constant, last.
_VALUE_FIRST = frozenset({"pattern", "anyOf", "not"})

_TYPE_WORDS = {
    "array": "a list",
    "object": "a mapping",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "null": "null",
    "boolean": "true or false",
}


def describe(error: jsonschema.ValidationError) -> str:
    """The rule an instance breaks, in the scenario's words; client input shown cut short."""
    custom = error.schema.get("x-message") if isinstance(error.schema, dict) else None
    expected: Any = error.validator_value
    value = shown(error.instance)
    keyword = str(error.validator)
    if custom and keyword in _VALUE_FIRST:
        return f"{value} {custom}"
    if custom and keyword == "const":
        return f"{custom}, got {value}"
    wording = _WORDINGS.get(keyword)
    if wording is not None:
        return wording(value, expected, error)
    return f"{value} breaks the rule {error.validator!r} ({shown(expected)})"


def _length(items: Any) -> int:
    return len(items)


def _type_words(expected: Any) -> str:
    kinds = expected if isinstance(expected, list) else [expected]
    return " or ".join(_TYPE_WORDS.get(str(kind), str(kind)) for kind in kinds)
