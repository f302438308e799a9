"""Reading the contract from ``schemas/``: each schema set's document, the overlay's
corrections applied to it, and a validator for every response and request it defines.

The schema sets are stated once, in ``SCHEMA_SETS``; a new set is one entry
there and its document. Which of the overlay's corrections apply to a set is
said by each correction (its ``schema_sets``), in the overlay itself.

Nothing is compiled here: a ``CompiledSchema`` compiles on first use (see
``fake_server.contract.validation`` for why).
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from fake_server.contract.resources import schema_path
from fake_server.contract.twins import twin_value
from fake_server.contract.validation import CompiledSchema

ERROR_RESPONSE_REF = "#/$defs/ErrorResponse"


class SchemaSet(NamedTuple):
    """One schema set: what a dialect's answers and requests are checked against."""

    name: str
    # Its document in ``schemas/``.
    document: str
    # The set whose ``ErrorResponse`` checks this set's error bodies.
    errors_from: str
    # The set whose request schemas stand in where this set's document has none.
    requests_from: str | None = None
    # The document of the operations the table keeps apart (``schemas_apart``:
    # the Responses API, whose schemas are several times all the others'):
    # read and corrected on the first check of one of them (``load_part``).
    part: str | None = None


SCHEMA_SETS = (
    # The spec with every overlay correction that names it: as the real API answers.
    SchemaSet("openai", "openai-spec.json", errors_from="openai", part="openai-responses.json"),
    # The spec taken literally, but for the corrections that name it.
    SchemaSet("spec", "openai-spec.json", errors_from="spec", part="openai-responses.json"),
    # The meetkai-mka1 SDK's models. They have none for the error envelope
    # (both providers send the spec's) nor for some request bodies (the
    # multipart upload).
    SchemaSet(
        "mka1", "mka1.json", errors_from="spec", requests_from="spec", part="mka1-responses.json"
    ),
)
SCHEMA_SET_NAMES = tuple(schema_set.name for schema_set in SCHEMA_SETS)
_BY_NAME = {schema_set.name: schema_set for schema_set in SCHEMA_SETS}
# One part is read at a time (requests may be handled on several threads).
_PART_LOCK = threading.RLock()


class ContractLoadError(Exception):
    """The schemas on disk or the overlay are inconsistent (a bug, not user input)."""


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

    envelope: CompiledSchema
    item: CompiledSchema
    known_valid: set[bytes]


class Loaded(NamedTuple):
    """The contract as read from disk, keyed by schema set, operation and status."""

    documents: dict[str, Any]
    responses: dict[tuple[str, str, int], CompiledSchema]
    lists: dict[tuple[str, str, int], ListValidators]
    errors: dict[str, CompiledSchema]
    requests: dict[tuple[str, str], CompiledSchema]
    # Control-plane answers that are documents (the inspector page, its
    # script and style), not JSON: the media types each may have.
    media_types: dict[tuple[str, int], frozenset[str]]
    # One server-sent event of a streamed 200 (its ``text/event-stream`` schema).
    events: dict[tuple[str, str], CompiledSchema]
    # What reading a part later needs: the corrections, the documents parsed so
    # far (by file), and each set's part once read (by set).
    corrections: list[Mapping[str, Any]]
    parsed: dict[str, Any]
    parts: dict[str, Any]

    def all_validators(self) -> list[CompiledSchema]:
        return [
            *self.responses.values(),
            *self.errors.values(),
            *self.requests.values(),
            *self.events.values(),
            *(split.envelope for split in self.lists.values()),
            *(split.item for split in self.lists.values()),
        ]


def load(extra_corrections: Iterable[Mapping[str, Any]] = ()) -> Loaded:
    """Read the schemas and the overlay; ``extra_corrections`` are applied last."""
    corrections = [*_overlay()["corrections"], *extra_corrections]
    parsed: dict[str, Any] = {}
    documents = corrected_documents(corrections, parsed)
    loaded = Loaded(documents, {}, {}, {}, {}, {}, {}, corrections, parsed, {})
    _add_admin(loaded, _read_json("admin.json"))
    for schema_set in SCHEMA_SETS:
        _add_schema_set(loaded, schema_set)
    for schema_set in SCHEMA_SETS:
        if schema_set.requests_from is not None:
            _share_requests(loaded, schema_set)
    return loaded


def corrected_documents(
    corrections: list[Mapping[str, Any]], parsed: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Each schema set's document (not its part), with the corrections that name the
    set applied; ``parsed`` keeps the documents read, by file."""
    for correction in corrections:
        for name in correction["schema_sets"]:
            schema_set = _BY_NAME.get(name)
            if schema_set is None or correction["document"] not in (
                schema_set.document,
                schema_set.part,
            ):
                reads = f"reads {schema_set.document}" if schema_set else "is not a schema set"
                raise ContractLoadError(
                    f"overlay entry {correction['id']!r} corrects {correction['document']} "
                    f"for schema set {name!r}, which {reads}"
                )
    parsed = {} if parsed is None else parsed
    return {
        schema_set.name: _corrected(schema_set.name, schema_set.document, corrections, parsed)
        for schema_set in SCHEMA_SETS
    }


def _corrected(
    name: str, file: str, corrections: list[Mapping[str, Any]], parsed: dict[str, Any]
) -> Any:
    """One document of a set, its corrections applied. Parsed once and shared by the
    sets that read it: each correction copies only the objects on its pointer's path
    (copy on write), so a set's corrections stay its own and nothing else is copied."""
    if file not in parsed:
        parsed[file] = json.loads(schema_path(file).read_text("utf-8"))
    document = parsed[file]
    for correction in corrections:
        if name in correction["schema_sets"] and correction["document"] == file:
            document = _apply(document, correction)
    return document


def load_part(loaded: Loaded, name: str) -> None:
    """Read the part of schema set ``name``, and of the sets it borrows from, once."""
    with _PART_LOCK:
        if name in loaded.parts:
            return
        schema_set = _BY_NAME[name]
        for other in (schema_set.errors_from, schema_set.requests_from):
            if other is not None and other != name:
                load_part(loaded, other)
        if schema_set.part is None:
            loaded.parts[name] = {"operations": {}, "$defs": {}}
            return
        part = _corrected(name, schema_set.part, loaded.corrections, loaded.parsed)
        _add_operations(loaded, name, part)
        if schema_set.requests_from is not None:
            _share_requests(loaded, schema_set)
        loaded.parts[name] = part


def whole_document(loaded: Loaded, name: str) -> dict[str, Any]:
    """The set's document and its part as one (the published OpenAPI documents)."""
    load_part(loaded, name)
    document, part = loaded.documents[name], loaded.parts[name]
    return {
        "operations": {**document["operations"], **part["operations"]},
        "$defs": {**document["$defs"], **part["$defs"]},
    }


def _add_admin(loaded: Loaded, admin: dict[str, Any]) -> None:
    """The control plane's schemas: the same in every schema set."""
    for operation_id, operation in admin["operations"].items():
        for status, response in operation["responses"].items():
            if "media_types" in response:
                loaded.media_types[(operation_id, int(status))] = frozenset(response["media_types"])
                continue
            validator = _compile(response["$ref"], admin["$defs"])
            for name in SCHEMA_SET_NAMES:
                loaded.responses[(name, operation_id, int(status))] = validator


def _add_schema_set(loaded: Loaded, schema_set: SchemaSet) -> None:
    name = schema_set.name
    _add_operations(loaded, name, loaded.documents[name])
    error_defs = loaded.documents[schema_set.errors_from]["$defs"]
    loaded.errors[name] = _compile(ERROR_RESPONSE_REF, error_defs)


def _add_operations(loaded: Loaded, name: str, document: dict[str, Any]) -> None:
    """A validator for every response, event and request ``document`` defines."""
    defs = document["$defs"]
    for operation_id, operation in document["operations"].items():
        for status, response in operation["responses"].items():
            schema = _response_schema(response)
            if schema is not None:
                key = (name, operation_id, int(status))
                loaded.responses[key] = CompiledSchema({**schema, "$defs": defs})
                split = _split_list(schema["$ref"], defs) if "$ref" in schema else None
                if split is not None:
                    loaded.lists[key] = split
            events = _event_schema_ref(response)
            if events is not None:
                loaded.events[(name, operation_id)] = _compile(events, defs)
        request_ref = _request_schema_ref(operation)
        if request_ref is not None:
            loaded.requests[(name, operation_id)] = _compile(request_ref, defs)


def _share_requests(loaded: Loaded, schema_set: SchemaSet) -> None:
    """Where ``schema_set`` has no request schema, the one it borrows from checks the body."""
    for (source, operation_id), validator in list(loaded.requests.items()):
        if source == schema_set.requests_from:
            loaded.requests.setdefault((schema_set.name, operation_id), validator)


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
        item=CompiledSchema({**data["items"], "$defs": defs}),
        known_valid=set(),
    )


def _compile(ref: str, defs: dict[str, Any]) -> CompiledSchema:
    # Checking the definitions against the metaschema is a test's job
    # (tests/unit/test_contract.py), not every startup's.
    return CompiledSchema({"$ref": ref, "$defs": defs})


def _request_schema_ref(operation: Mapping[str, Any]) -> str | None:
    if "request" in operation:
        return str(operation["request"]["$ref"])
    content = operation.get("requestBody", {}).get("content", {})
    for media_type in ("application/json", "multipart/form-data"):
        schema = content.get(media_type, {}).get("schema")
        if isinstance(schema, dict) and "$ref" in schema:
            return str(schema["$ref"])
    return None


def _response_schema(response: Mapping[str, Any]) -> dict[str, Any] | None:
    """A JSON response's schema: a ``$ref`` (as the spec writes them), or one the
    overlay gives inline where the spec declares none."""
    if "$ref" in response:
        return {"$ref": str(response["$ref"])}
    schema = response.get("content", {}).get("application/json", {}).get("schema")
    if isinstance(schema, dict) and ("$ref" in schema or "type" in schema):
        return dict(schema)
    return None


def _event_schema_ref(response: Mapping[str, Any]) -> str | None:
    """The schema of one event of a ``text/event-stream`` answer, if it has one."""
    schema = response.get("content", {}).get("text/event-stream", {}).get("schema")
    if isinstance(schema, dict) and "$ref" in schema:
        return str(schema["$ref"])
    return None


def _read_json(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(schema_path(name).read_text(encoding="utf-8"))
    return document


def _apply(document: Any, correction: Mapping[str, Any]) -> Any:
    """The document with the correction applied: the objects on the pointer's path
    are copied, the rest is shared with ``document``, which is left as it was."""
    root, parent, key = _locate(document, correction["pointer"])
    if parent[key] != correction["expect"]:
        raise ContractLoadError(
            f"overlay entry {correction['id']!r}: {correction['pointer']} is "
            f"{parent[key]!r}, expected {correction['expect']!r}; revisit the entry"
        )
    parent[key] = copy.deepcopy(correction["replace"])
    return root


def _locate(document: Any, pointer: str) -> tuple[Any, Any, Any]:
    """A copy of ``document`` whose objects on the pointer's path are copies, the
    copied parent of its last part, and that part."""
    parts = [part.replace("~1", "/").replace("~0", "~") for part in pointer.lstrip("/").split("/")]
    root = node = copy.copy(document)
    try:
        for part in parts[:-1]:
            step: Any = int(part) if isinstance(node, list) else part
            node[step] = copy.copy(node[step])
            node = node[step]
        last: Any = int(parts[-1]) if isinstance(node, list) else parts[-1]
        node[last]
    except (KeyError, IndexError, ValueError):
        raise ContractLoadError(f"overlay pointer {pointer} does not resolve") from None
    return root, node, last
