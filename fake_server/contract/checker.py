"""The contract's checks: every response body, and every request body, against its schema.

What is checked against what (the schema sets, the overlay, the control
plane's schemas) is read by ``fake_server.contract.loading``. Error bodies
are checked against an ``ErrorResponse`` whenever the operation declares no
schema for their status.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from fake_server.contract import loading
from fake_server.contract.loading import MAX_KNOWN_VALID_ITEMS, ContractLoadError, Loaded
from fake_server.contract.operations import ids_where
from fake_server.contract.validation import CompiledSchema

if TYPE_CHECKING:
    from jsonschema import ValidationError

    from fake_server.contract.request_problems import RequestProblem

__all__ = ["Contract", "ContractLoadError", "Violation"]


class Violation(NamedTuple):
    """A response body that breaks the contract."""

    schema_set: str
    operation: str | None
    status: int
    json_path: str
    rule: str
    detail: str

    def __str__(self) -> str:
        where = self.operation or "error response"
        return (
            f"contract violation ({self.schema_set} schemas, {where}, status {self.status}): "
            f"at {self.json_path}: {self.detail} (rule: {self.rule})"
        )


class Contract:
    """Compiled validators for every (schema set, operation, status)."""

    def __init__(self, loaded: Loaded) -> None:
        self._loaded = loaded
        self._validators = loaded.responses
        self._media_types = loaded.media_types
        self._list_validators = loaded.lists
        self._known_valid_bodies: dict[tuple[str, str, int], set[bytes]] = {}
        self._error_validators = loaded.errors
        self._request_validators = loaded.requests
        self.documents = loaded.documents
        # Operations whose schemas are read on their first check (``load_part``).
        self._apart = ids_where(lambda op: op.schemas_apart)
        self._parts = loaded.parts

    @classmethod
    def load(cls, extra_corrections: Iterable[Mapping[str, Any]] = ()) -> Contract:
        """Read the schemas and the overlay; ``extra_corrections`` are applied last.

        Extra corrections use the overlay's entry format; tests use them to
        make the fake's own responses wrong on purpose.
        """
        return cls(loading.load(extra_corrections))

    def compile_all(self) -> int:
        """Compile every validator now (they compile on first use); how many there are.

        For tests and tools: a schema that cannot compile shows up at once.
        """
        return sum(1 for _ in self.compile_steps()) - len(loading.SCHEMA_SET_NAMES)

    def compile_steps(self) -> Iterator[None]:
        """Compile every validator, one step at a time: each set's part read, then
        each validator compiled, a yield after each (the warm-up pauses there)."""
        for name in loading.SCHEMA_SET_NAMES:
            loading.load_part(self._loaded, name)
            yield
        for validator in self._loaded.all_validators():
            validator.compile()
            yield

    def document(self, schema_set: str) -> dict[str, Any]:
        """The set's whole document, its part included (the published OpenAPI documents)."""
        return loading.whole_document(self._loaded, schema_set)

    def _read_part(self, schema_set: str, operation: str | None) -> None:
        """The first check of an operation kept apart reads the set's part."""
        if operation in self._apart and schema_set not in self._parts:
            loading.load_part(self._loaded, schema_set)

    def check_request(self, schema_set: str, operation: str, body: Any) -> RequestProblem | None:
        self._read_part(schema_set, operation)
        validator = self._request_validators.get((schema_set, operation))
        if validator is None:
            return None
        error = validator.first_error(body)
        if error is None and not isinstance(body, dict):
            return None
        # Imported here: a server that is never sent a request body (its
        # first cancel, say) has no use for the messages.
        from fake_server.contract import request_problems  # noqa: PLC0415

        if error is not None:
            return request_problems.request_problem(error)
        return request_problems.chunking_problem(body)

    def check(
        self, schema_set: str, operation: str | None, status: int, body: Any
    ) -> Violation | None:
        self._read_part(schema_set, operation)
        validator = self._validators.get((schema_set, operation or "", status))
        if validator is None and status >= 400:
            validator = self._error_validators[schema_set]
        if validator is None:
            return Violation(
                schema_set,
                operation,
                status,
                "$",
                "responses",
                f"status {status} is not a declared response of this operation",
            )
        error = validator.first_error(body)
        return None if error is None else _violation(schema_set, operation, status, error)

    def check_event(self, schema_set: str, operation: str | None, event: Any) -> Violation | None:
        """One server-sent event of a streamed answer, against the operation's event schema."""
        self._read_part(schema_set, operation)
        validator = self._loaded.events.get((schema_set, operation or ""))
        if validator is None:
            return Violation(
                schema_set, operation, 200, "$", "responses", "no event stream is declared"
            )
        error = validator.first_error(event)
        return None if error is None else _violation(schema_set, operation, 200, error)

    def response_schema(
        self, schema_set: str, operation: str | None, status: int
    ) -> CompiledSchema | None:
        """The schema an answer of ``operation`` with ``status`` is checked against
        (an error body's, if the operation declares none for it); None if undeclared."""
        self._read_part(schema_set, operation)
        validator = self._validators.get((schema_set, operation or "", status))
        if validator is None and status >= 400:
            validator = self._error_validators[schema_set]
        return validator

    def check_document(
        self, schema_set: str, operation: str | None, status: int, media_type: str
    ) -> Violation | None:
        """A non-JSON answer: declared for this operation and status, with this media type."""
        declared = self._media_types.get((operation or "", status))
        if declared is not None and media_type.partition(";")[0].strip() in declared:
            return None
        expected = ", ".join(sorted(declared)) if declared else "none declared"
        return Violation(
            schema_set,
            operation,
            status,
            "$",
            "media_types",
            f"a {media_type} document is not a declared response ({expected})",
        )

    def check_encoded(
        self,
        schema_set: str,
        operation: str | None,
        status: int,
        data: bytes,
        value: Any = None,
    ) -> Violation | None:
        """``check`` for a body given as its JSON bytes, and its value if just rendered.

        A body sent again comes without its value. Such bodies, once found
        valid, are remembered by their bytes, as list items are: the next
        time, they are known to be valid. A body just rendered (a new batch,
        say) may never be sent again, so it is checked from its value and
        not remembered.
        """
        if value is not None:
            return self.check(schema_set, operation, status, value)
        key = (schema_set, operation or "", status)
        known = self._known_valid_bodies.get(key)
        if known is not None and data in known:
            return None
        violation = self.check(schema_set, operation, status, json.loads(data))
        if violation is None:
            if known is None:
                self._known_valid_bodies[key] = known = set()
            _remember(known, data)
        return violation

    def check_list(
        self,
        schema_set: str,
        operation: str | None,
        status: int,
        envelope: dict[str, Any],
        items: list[bytes],
    ) -> Violation | None:
        """``check`` for a list page given as its envelope and its encoded items."""
        self._read_part(schema_set, operation)
        split = self._list_validators.get((schema_set, operation or "", status))
        if split is None:
            whole = dict(envelope, data=[json.loads(item) for item in items])
            return self.check(schema_set, operation, status, whole)
        error = split.envelope.first_error(envelope)
        if error is not None:
            return _violation(schema_set, operation, status, error)
        known = split.known_valid
        if known.issuperset(items):
            return None
        for index, item in enumerate(items):
            if item in known:
                continue
            error = split.item.first_error(json.loads(item))
            if error is not None:
                return _violation(schema_set, operation, status, error, f"$.data[{index}]")
            _remember(known, item)
        return None


def _remember(known: set[bytes], encoded: bytes) -> None:
    """Add a body found valid; a full memory starts over rather than grow."""
    if len(known) >= MAX_KNOWN_VALID_ITEMS:
        known.clear()
    known.add(encoded)


def _violation(
    schema_set: str,
    operation: str | None,
    status: int,
    error: ValidationError,
    within: str = "$",
) -> Violation:
    json_path = within + error.json_path[1:]
    return Violation(schema_set, operation, status, json_path, str(error.validator), error.message)
