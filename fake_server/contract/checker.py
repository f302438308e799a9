"""The contract: schemas from ``schemas/``, each compiled once, checked on every response.

Three schema sets exist:

- ``spec``: the operations exactly as the OpenAI spec publishes them;
- ``openai``: the same with ``schemas/overlay.yaml`` (the spec's errata) applied;
- ``mka1``: the ``meetkai-mka1`` SDK's response models for successful bodies.

The control plane (``/__fake__``) has its own hand-written schemas in
``schemas/admin.json``, the same in every set.

Error bodies are checked against the spec's ``ErrorResponse`` in every set: it
is the envelope both providers send, and the MKA1 SDK has no model for it.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from fake_server.contract.request_problems import (
    RequestProblem,
    chunking_problem,
    request_problem,
)
from fake_server.contract.resources import schema_path
from fake_server.contract.twins import twin_value
from fake_server.contract.validation import CompiledSchema

if TYPE_CHECKING:
    from jsonschema import ValidationError

SCHEMA_SETS = ("openai", "spec", "mka1")
ERROR_RESPONSE_REF = "#/$defs/ErrorResponse"


def overlay_from_yaml(text: str) -> Any:
    """The overlay's value, read from its YAML text (when its twin is stale, and by
    tools/json_twins.py, which writes the twin)."""
    # Imported only here: PyYAML costs about 15 ms of every start (see twins).
    import yaml  # noqa: PLC0415

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _overlay() -> Any:
    """The overlay, from its twin if the twin is current, else from the YAML."""
    overlay = twin_value("schemas", "overlay.yaml")
    if overlay is None:
        overlay = overlay_from_yaml(schema_path("overlay.yaml").read_text(encoding="utf-8"))
    return overlay


class ContractLoadError(Exception):
    """The schemas on disk or the overlay are inconsistent (a bug, not user input)."""


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


Validator = CompiledSchema
# Encoded bodies and list items known to be valid, per operation and
# status: every file of ten full batches (2,000 files each), then the
# memory starts over.
MAX_KNOWN_VALID_ITEMS = 20_000


class ListValidators(NamedTuple):
    """A list response's schema in two parts: the page without its items, and one item.

    Checking a page of 100 files as one document costs more than the rest of
    the request. Each item is checked on its own instead, and the exact bytes
    of every item found valid are remembered: validity is a function of those
    bytes alone, so an item sent again (the same file, unchanged) is known to
    be valid without checking it twice.
    """

    envelope: Validator
    item: Validator
    known_valid: set[bytes]


class Contract:
    """Compiled validators for every (schema set, operation, status)."""

    def __init__(
        self,
        validators: dict[tuple[str, str, int], Validator],
        error_validators: dict[str, Validator],
        request_validators: dict[tuple[str, str], Validator],
        documents: dict[str, Any],
        list_validators: dict[tuple[str, str, int], ListValidators] | None = None,
        *,
        media_types: dict[tuple[str, int], frozenset[str]] | None = None,
    ) -> None:
        self._validators = validators
        # Control-plane answers that are documents (the inspector page, its
        # script and style), not JSON: the media types each may have.
        self._media_types = media_types or {}
        self._list_validators = list_validators or {}
        self._known_valid_bodies: dict[tuple[str, str, int], set[bytes]] = {}
        self._error_validators = error_validators
        self._request_validators = request_validators
        self.documents = documents

    @classmethod
    def load(cls, extra_corrections: Iterable[Mapping[str, Any]] = ()) -> Contract:
        """Read the schemas and the overlay; ``extra_corrections`` are applied last.

        Extra corrections use the overlay's entry format; tests use them to
        make the fake's own responses wrong on purpose.
        """
        spec = schema_path("openai-spec.json").read_text(encoding="utf-8")
        mka1 = schema_path("mka1.json").read_text(encoding="utf-8")
        overlay = _overlay()
        corrections = [*overlay["corrections"], *extra_corrections]
        documents = {
            "spec": _corrected("spec", "openai-spec.json", spec, corrections),
            "openai": _corrected("openai", "openai-spec.json", spec, corrections),
            "mka1": _corrected("mka1", "mka1.json", mka1, corrections),
        }
        validators: dict[tuple[str, str, int], Validator] = {}
        list_validators: dict[tuple[str, str, int], ListValidators] = {}
        error_validators: dict[str, Validator] = {}
        request_validators: dict[tuple[str, str], Validator] = {}
        media_types: dict[tuple[str, int], frozenset[str]] = {}
        admin = _read_json("admin.json")
        for operation_id, operation in admin["operations"].items():
            for status, response in operation["responses"].items():
                if "media_types" in response:
                    media_types[(operation_id, int(status))] = frozenset(response["media_types"])
                    continue
                validator = _compile(response["$ref"], admin["$defs"])
                for schema_set in SCHEMA_SETS:
                    validators[(schema_set, operation_id, int(status))] = validator
        for schema_set, document in documents.items():
            defs = document["$defs"]
            for operation_id, operation in document["operations"].items():
                for status, response in operation["responses"].items():
                    ref = _response_schema_ref(response)
                    if ref is not None:
                        key = (schema_set, operation_id, int(status))
                        validators[key] = _compile(ref, defs)
                        split = _split_list(ref, defs)
                        if split is not None:
                            list_validators[key] = split
                request_ref = _request_schema_ref(operation)
                if request_ref is not None:
                    request_validators[(schema_set, operation_id)] = _compile(request_ref, defs)
            error_defs = defs if schema_set != "mka1" else documents["spec"]["$defs"]
            error_validators[schema_set] = _compile(ERROR_RESPONSE_REF, error_defs)
        # MKA1 publishes no model for some request bodies (the multipart
        # upload): those are checked against the spec's schema.
        for (schema_set, operation_id), validator in list(request_validators.items()):
            if schema_set == "spec":
                request_validators.setdefault(("mka1", operation_id), validator)
        return cls(
            validators,
            error_validators,
            request_validators,
            documents,
            list_validators,
            media_types=media_types,
        )

    def compile_all(self) -> int:
        """Compile every validator now (they compile on first use); how many there are.

        For tests and tools: a schema that cannot compile shows up at once.
        """
        validators = [
            *self._validators.values(),
            *self._error_validators.values(),
            *self._request_validators.values(),
            *(split.envelope for split in self._list_validators.values()),
            *(split.item for split in self._list_validators.values()),
        ]
        for validator in validators:
            validator.compile()
        return len(validators)

    def check_request(self, schema_set: str, operation: str, body: Any) -> RequestProblem | None:
        validator = self._request_validators.get((schema_set, operation))
        if validator is None:
            return None
        error = validator.first_error(body)
        if error is not None:
            return request_problem(error)
        return chunking_problem(body) if isinstance(body, dict) else None

    def check(
        self, schema_set: str, operation: str | None, status: int, body: Any
    ) -> Violation | None:
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


def _split_list(ref: str, defs: dict[str, Any]) -> ListValidators | None:
    """Separate validators for a list response (``data``: an array) and its items.

    None when the response is not a list of that plain shape; such a body is
    then checked whole.
    """
    name = ref.removeprefix("#/$defs/")
    schema = defs.get(name)
    if ref == name or not isinstance(schema, dict):
        return None
    data = schema.get("properties", {}).get("data")
    if not isinstance(data, dict) or data.get("type") != "array" or "items" not in data:
        return None
    without_items = {key: value for key, value in data.items() if key != "items"}
    envelope_schema = {**schema, "properties": {**schema["properties"], "data": without_items}}
    return ListValidators(
        envelope=_compile(ref, {**defs, name: envelope_schema}),
        item=Validator({**data["items"], "$defs": defs}),
        known_valid=set(),
    )


def _compile(ref: str, defs: dict[str, Any]) -> Validator:
    # Checking the definitions against the metaschema is a test's job
    # (tests/unit/test_contract.py), not every startup's.
    return Validator({"$ref": ref, "$defs": defs})


def _request_schema_ref(operation: Mapping[str, Any]) -> str | None:
    if "request" in operation:
        return str(operation["request"]["$ref"])
    content = operation.get("requestBody", {}).get("content", {})
    for media_type in ("application/json", "multipart/form-data"):
        schema = content.get(media_type, {}).get("schema")
        if isinstance(schema, dict) and "$ref" in schema:
            return str(schema["$ref"])
    return None


def _response_schema_ref(response: Mapping[str, Any]) -> str | None:
    if "$ref" in response:
        return str(response["$ref"])
    schema = response.get("content", {}).get("application/json", {}).get("schema")
    if isinstance(schema, dict) and "$ref" in schema:
        return str(schema["$ref"])
    return None


def _read_json(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(schema_path(name).read_text(encoding="utf-8"))
    return document


def _corrected(
    schema_set: str, document_name: str, text: str, corrections: Iterable[Mapping[str, Any]]
) -> Any:
    # Parsed afresh for each schema set: faster than a deep copy, and each
    # set's corrections stay its own.
    document = json.loads(text)
    for correction in corrections:
        if schema_set not in correction["schema_sets"] or correction["document"] != document_name:
            continue
        parent, key = _locate(document, correction["pointer"])
        if parent[key] != correction["expect"]:
            raise ContractLoadError(
                f"overlay entry {correction['id']!r}: {correction['pointer']} is "
                f"{parent[key]!r}, expected {correction['expect']!r}; revisit the entry"
            )
        parent[key] = copy.deepcopy(correction["replace"])
    return document


def _locate(document: Any, pointer: str) -> tuple[Any, Any]:
    parts = [part.replace("~1", "/").replace("~0", "~") for part in pointer.lstrip("/").split("/")]
    node = document
    try:
        for part in parts[:-1]:
            node = node[int(part)] if isinstance(node, list) else node[part]
        last: Any = int(parts[-1]) if isinstance(node, list) else parts[-1]
        node[last]
    except (KeyError, IndexError, ValueError):
        raise ContractLoadError(f"overlay pointer {pointer} does not resolve") from None
    return node, last
