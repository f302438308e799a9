"""Why a request body breaks the contract, said the way the real API says it."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from jsonschema import ValidationError

from fake_server.domain.errors import MAX_ECHOED_CHARACTERS, quoted, shortened

MAX_MESSAGE_CHARACTERS = 300
# Unrecognized field names a message lists before it counts the rest.
MAX_NAMES_LISTED = 3


class RequestProblem(NamedTuple):
    """Why a request body breaks the contract: the parameter at fault and a message."""

    param: str | None
    message: str


def request_problem(error: ValidationError) -> RequestProblem:
    """Say what is wrong the way the real API does, naming the parameter. A client's
    own text (a field name, a value) is echoed cut short, never whole."""
    error = _into_the_branch_meant(error)
    path = list(error.absolute_path)
    param = shortened(".".join(str(part) for part in path)) or None
    instance: Any = error.instance
    expected: Any = error.validator_value
    match error.validator:
        case "additionalProperties":
            schema: Any = error.schema
            extra = sorted(set(instance) - set(schema.get("properties", {})))
            named = ", ".join(shortened(name) for name in extra[:MAX_NAMES_LISTED])
            if len(extra) > MAX_NAMES_LISTED:
                named += f" and {len(extra) - MAX_NAMES_LISTED} more"
            return RequestProblem(
                shortened(extra[0]) if extra else param,
                f"Unrecognized request argument supplied: {named}",
            )
        case "required":
            missing = [name for name in expected if name not in instance]
            name = missing[0] if missing else "?"
            full = f"{param}.{name}" if param else name
            return RequestProblem(full, f"Missing required parameter: '{full}'.")
        case "anyOf" if not path and all("required" in branch for branch in expected):
            names = " or ".join(f"'{branch['required'][0]}'" for branch in expected)
            return RequestProblem(None, f"Missing required parameter: {names}.")
        case "maxItems" | "minItems" | "maxLength" | "minLength" | "maxProperties":
            detail = _size_detail(error.validator, expected, instance, error.schema_path)
        case "type":
            kinds = " or ".join(expected) if isinstance(expected, list) else expected
            detail = f"expected {kinds}, but got {json_type(instance)} instead."
        case _:
            # jsonschema's own words start with the instance's repr: put a short
            # echo of it in that place.
            detail = error.message.replace(repr(instance), echo(instance), 1)
    if len(detail) > MAX_MESSAGE_CHARACTERS:
        detail = detail[:MAX_MESSAGE_CHARACTERS] + "..."
    return RequestProblem(param, f"Invalid '{param}': {detail}" if param else detail)


def _into_the_branch_meant(error: ValidationError) -> ValidationError:
    """For an ``anyOf`` (or ``oneOf``) the value fits none of, the error of the one
    branch it was meant for, when the others rule themselves out: a null branch
    for a value that is not null, a branch whose ``type`` field (``auto`` or
    ``static``, ``eq`` or ``and``) the value does not have. Then the message
    names that branch's rule (a key too long, an unknown field, a missing
    value), not "not valid under any of the given schemas" or another branch's
    enum. Where no single branch is meant, jsonschema's own choice stands."""
    top: Any = error
    while top.parent is not None and top.parent.validator in ("anyOf", "oneOf"):
        top = top.parent
    chosen = _descend(top)
    return error if chosen is None else chosen


def _descend(error: ValidationError) -> ValidationError | None:
    if error.validator not in ("anyOf", "oneOf") or not error.context:
        return error
    branches = {child.relative_schema_path[0] for child in error.context}
    ruled_out: set[Any] = set()
    # A field whose fixed value (enum, const) some branches refuse and others
    # take is what tells the shapes apart (type, grantee_type): it rules out
    # the branches that refuse it. One every branch refuses tells nothing.
    refused_by: dict[Any, set[Any]] = {}
    for child in error.context:
        where = list(child.relative_path)
        if child.validator == "type" and not where:
            ruled_out.add(child.relative_schema_path[0])
        elif child.validator in ("enum", "const") and len(where) == 1:
            refused_by.setdefault(where[0], set()).add(child.relative_schema_path[0])
    for refusing in refused_by.values():
        if refusing != branches:
            ruled_out |= refusing
    meant = branches - ruled_out
    if len(meant) != 1:
        return None
    (branch,) = meant
    children = [child for child in error.context if child.relative_schema_path[0] == branch]
    from jsonschema.exceptions import best_match  # noqa: PLC0415 -- only on failure

    found: ValidationError | None = best_match(children)
    if found is None:
        return None
    # The branch's own choice may sit under a nested anyOf (a filter in a filter).
    nested: Any = found
    while nested.parent is not None and nested.parent is not error:
        if nested.parent.validator in ("anyOf", "oneOf"):
            deeper = _descend(nested.parent)
            return found if deeper is None else deeper
        nested = nested.parent
    return found


_SIZES = {
    "maxItems": ("array too long", "an array", "with maximum length {}", "with length {}"),
    "minItems": ("array too short", "an array", "with minimum length {}", "with length {}"),
    "maxLength": ("string too long", "a string", "with maximum length {}", "with length {}"),
    "minLength": ("string too short", "a string", "with minimum length {}", "with length {}"),
    "maxProperties": (
        "object too large",
        "an object",
        "of at most {} properties",
        "with {} properties",
    ),
}


def _size_detail(validator: str, expected: Any, instance: Any, schema_path: Any) -> str:
    """The real API's words for a size out of bounds, which echo only the sizes."""
    problem, kind, bound, size = _SIZES[validator]
    if "propertyNames" in schema_path:  # the instance is one of the object's keys
        problem, kind = problem.replace("string", "key"), "a key"
    count = len(instance) if isinstance(instance, str | list | dict) else "?"
    return (
        f"{problem}. Expected {kind} {bound.format(expected)}, "
        f"but got {kind} {size.format(count)} instead."
    )


def echo(value: Any) -> str:
    """A short stand-in for a client's value in a message: as JSON when short."""
    if isinstance(value, str):
        return quoted(value)
    text = json.dumps(value)
    if len(text) <= MAX_ECHOED_CHARACTERS:
        return text
    if isinstance(value, dict):
        return f"the object given ({_count(len(value), 'property', 'properties')})"
    if isinstance(value, list):
        return f"the array given ({_count(len(value), 'item', 'items')})"
    return shortened(text)


def chunking_problem(body: dict[str, Any]) -> RequestProblem | None:
    """The spec's rule no schema can say: a static strategy's overlap is at most
    half its chunk size (refused, as the real API does, never silently cut)."""
    problem = _static_problem(body.get("chunking_strategy"), "chunking_strategy")
    files = body.get("files")
    if problem is None and isinstance(files, list):
        for index, item in enumerate(files):
            if isinstance(item, dict) and "chunking_strategy" in item:
                where = f"files.{index}.chunking_strategy"
                problem = _static_problem(item["chunking_strategy"], where)
                if problem is not None:
                    break
    return problem


def _static_problem(strategy: Any, where: str) -> RequestProblem | None:
    if not isinstance(strategy, dict) or strategy.get("type") != "static":
        return None  # an auto strategy's sizes are the API's own (MKA1 lets one carry a static)
    static = strategy.get("static")
    if not isinstance(static, dict):
        return None
    size, overlap = static.get("max_chunk_size_tokens"), static.get("chunk_overlap_tokens")
    if not isinstance(size, int | float) or not isinstance(overlap, int | float):
        return None
    if size < 1:  # only MKA1's schema leaves the size unbounded
        param = f"{where}.static.max_chunk_size_tokens"
        return RequestProblem(param, f"Invalid '{param}': a chunk must hold at least 1 token.")
    param = f"{where}.static.chunk_overlap_tokens"
    if overlap < 0:
        return RequestProblem(param, f"Invalid '{param}': the overlap must not be negative.")
    if 2 * overlap > size:
        return RequestProblem(
            param,
            f"Invalid '{param}': the overlap ({int(overlap)}) must not exceed half of "
            f"max_chunk_size_tokens ({int(size)}).",
        )
    return None


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def json_type(value: Any) -> str:
    """The JSON name of a decoded value's type."""
    names = {
        bool: "boolean",
        int: "integer",
        float: "number",
        str: "string",
        list: "array",
        dict: "object",
        type(None): "null",
    }
    return names.get(type(value), type(value).__name__)
