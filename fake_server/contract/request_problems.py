"""Why a request body breaks the contract, said the way the real API says it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from jsonschema import ValidationError

MAX_MESSAGE_CHARACTERS = 300


class RequestProblem(NamedTuple):
    """Why a request body breaks the contract: the parameter at fault and a message."""

    param: str | None
    message: str


def request_problem(error: ValidationError) -> RequestProblem:
    """Say what is wrong the way the real API does, naming the parameter."""
    path = list(error.absolute_path)
    param = ".".join(str(part) for part in path) or None
    instance: Any = error.instance
    expected: Any = error.validator_value
    match error.validator:
        case "additionalProperties":
            schema: Any = error.schema
            extra = sorted(set(instance) - set(schema.get("properties", {})))
            return RequestProblem(
                extra[0] if extra else param,
                f"Unrecognized request argument supplied: {', '.join(extra)}",
            )
        case "required":
            missing = [name for name in expected if name not in instance]
            name = missing[0] if missing else "?"
            full = f"{param}.{name}" if param else name
            return RequestProblem(full, f"Missing required parameter: '{full}'.")
        case "anyOf" if not path and all("required" in branch for branch in expected):
            names = " or ".join(f"'{branch['required'][0]}'" for branch in expected)
            return RequestProblem(None, f"Missing required parameter: {names}.")
        case "maxItems":
            detail = (
                f"array too long. Expected an array with maximum length {expected}, "
                f"but got an array with length {len(instance)} instead."
            )
        case "minItems":
            detail = (
                f"array too short. Expected an array with minimum length {expected}, "
                f"but got an array with length {len(instance)} instead."
            )
        case "type":
            detail = f"expected {expected}, but got {json_type(instance)} instead."
        case _:
            detail = error.message
    if len(detail) > MAX_MESSAGE_CHARACTERS:
        detail = detail[:MAX_MESSAGE_CHARACTERS] + "..."
    return RequestProblem(param, f"Invalid '{param}': {detail}" if param else detail)


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
