"""JSON Schema checks that are fast when the answer is yes and precise when it is no.

Every response and request is checked, so the common case (valid) must cost
microseconds: ``jsonschema-rs`` compiles each schema once and answers
``is_valid``. Only when an instance is invalid is the reference
implementation (``jsonschema``) asked to explain, with the JSON path and rule
the error messages need; it is imported on first use, keeping startup light.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import jsonschema_rs

if TYPE_CHECKING:
    import jsonschema

DRAFT = "https://json-schema.org/draft/2020-12/schema"


class CompiledSchema:
    """One schema, compiled on first use and then kept.

    A server holds some 200 of these and a request needs one or two.
    Compiling them all at start-up costs about 10 ms of CPU, a tenth of a
    bare Starlette server's whole start; the first cancel's one validator
    costs about 0.4 ms when it is first needed. So they compile lazily, and
    a test compiles them all (``Contract.compile_all``) so that a schema
    that cannot compile still fails at once.
    """

    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = {"$schema": DRAFT, **schema}
        self._compiled: Any = None
        self._explainer: jsonschema.Draft202012Validator | None = None

    def compile(self) -> Any:
        compiled = self._compiled
        if compiled is None:
            # Two threads may race here; both build the same validator.
            self._compiled = compiled = jsonschema_rs.validator_for(only_reachable(self.schema))
        return compiled

    def is_valid(self, instance: Any) -> bool:
        return bool((self._compiled or self.compile()).is_valid(instance))

    def errors(self, instance: Any) -> Iterator[jsonschema.ValidationError]:
        """Every error, in the reference implementation's terms; none when valid."""
        if self.is_valid(instance):
            return iter(())
        return self._explain().iter_errors(instance)

    def first_error(self, instance: Any) -> jsonschema.ValidationError | None:
        """The most relevant error, or None when the instance is valid."""
        if self.is_valid(instance):
            return None
        from jsonschema.exceptions import best_match  # noqa: PLC0415 -- only on failure

        error: jsonschema.ValidationError | None = best_match(self._explain().iter_errors(instance))
        return error

    def _explain(self) -> jsonschema.Draft202012Validator:
        if self._explainer is None:
            import jsonschema  # noqa: PLC0415 -- only on failure, see the module docstring

            self._explainer = jsonschema.Draft202012Validator(self.schema)
        return self._explainer


def only_reachable(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with only the ``$defs`` its references reach.

    A response's schema carries its document's every definition, and
    ``jsonschema_rs`` converts each one it is given, reached or not: with
    only those reached, a cancel's validator compiles about six times
    faster. Any reference this does not follow (not to ``#/$defs/...``, or
    to no such definition) leaves the schema whole, for the compiler to
    judge; a value that merely looks like a reference keeps more, never less.
    """
    defs = schema.get("$defs")
    if not isinstance(defs, dict):
        return schema
    root = {key: value for key, value in schema.items() if key != "$defs"}
    reached: set[str] = set()
    pending: list[Any] = [root]
    while pending:
        node = pending.pop()
        if isinstance(node, list):
            pending.extend(node)
        elif isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                name = _local_definition(ref)
                if name is None or name not in defs:
                    return schema
                if name not in reached:
                    reached.add(name)
                    pending.append(defs[name])
            pending.extend(node.values())
    return {**root, "$defs": {name: defs[name] for name in defs if name in reached}}


def _local_definition(ref: str) -> str | None:
    """The definition a ``#/$defs/<name>[/...]`` reference points into, else None."""
    prefix = "#/$defs/"
    if not ref.startswith(prefix):
        return None
    return ref[len(prefix) :].partition("/")[0].replace("~1", "/").replace("~0", "~")


def check_schema(schema: dict[str, Any]) -> None:
    """Raise if ``schema`` is not a valid 2020-12 schema (for tests and tools)."""
    import jsonschema  # noqa: PLC0415 -- only tests and tools need the metaschema

    jsonschema.Draft202012Validator.check_schema({"$schema": DRAFT, **schema})
