"""Extract the pinned schema subset fake_server validates against.

Run it again whenever the spec or the MKA1 SDK is bumped:

    python tools/extract_schemas.py --spec ../shared/spec/openai-openapi.yaml

It writes generated documents into ``schemas/`` (never edit them by hand;
corrections belong in ``schemas/overlay.yaml``); each of the two has a
``-responses`` part beside it, for the Responses API's operations:

- ``openai-spec.json``: the operations fake_server serves, taken verbatim from
  the OpenAI OpenAPI document, with every component schema they reach. Only
  ``$ref`` targets are rewritten (``#/components/schemas/X`` -> ``#/$defs/X``)
  so the file is a self-contained JSON Schema document.
- ``mka1.json``: the response models of the ``meetkai-mka1`` SDK (the only
  machine-readable MKA1 contract), from pydantic's ``model_json_schema``,
  normalised as described in ``normalise_sdk_schema``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml
from meetkai_mka1 import models
from pydantic import TypeAdapter

from fake_server.contract.dialects import MKA1

# The operations fake_server serves (or will serve), by the spec's operationId.
OPERATIONS = (
    "createVectorStoreFileBatch",
    "getVectorStoreFileBatch",
    "cancelVectorStoreFileBatch",
    "listFilesInVectorStoreBatch",
    "createVectorStore",
    "getVectorStore",
    "listVectorStores",
    "deleteVectorStore",
    "createVectorStoreFile",
    "getVectorStoreFile",
    "listVectorStoreFiles",
    "deleteVectorStoreFile",
    "createFile",
    "retrieveFile",
    "listFiles",
    "deleteFile",
    "downloadFile",
    "modifyVectorStore",
    "updateVectorStoreFileAttributes",
    "retrieveVectorStoreFileContent",
    "searchVectorStore",
)

# The Responses API, for its file_search tool over the fake's own stores: a
# part of each schema set of its own (``openai-responses.json``,
# ``mka1-responses.json``), read on the first check of one of them, since
# the schemas they reach are several times those of all the rest.
RESPONSES_OPERATIONS = ("createResponse", "getResponse", "deleteResponse", "listInputItems")

# spec operationId -> (MKA1 SDK operation_id, SDK model of the 200 body).
# The SDK names some operations differently; the spec's ids are the ones
# fake_server uses everywhere, so the map is keyed by them.
MKA1_OPERATIONS: dict[str, tuple[str, str | None]] = {
    "createVectorStoreFileBatch": ("createVectorStoreFileBatch", "VectorStoreFileBatch"),
    "getVectorStoreFileBatch": ("getVectorStoreFileBatch", "VectorStoreFileBatch"),
    "cancelVectorStoreFileBatch": ("cancelVectorStoreFileBatch", "VectorStoreFileBatch"),
    "listFilesInVectorStoreBatch": ("listVectorStoreFilesInBatch", "VectorStoreFileList"),
    "createVectorStore": ("createVectorStore", "VectorStore"),
    "getVectorStore": ("getVectorStore", "VectorStore"),
    "listVectorStores": ("listVectorStores", "VectorStoreList"),
    "deleteVectorStore": ("deleteVectorStore", "VectorStoreDeletionStatus"),
    "createVectorStoreFile": ("createVectorStoreFile", "VectorStoreFile"),
    "getVectorStoreFile": ("getVectorStoreFile", "VectorStoreFile"),
    "listVectorStoreFiles": ("listVectorStoreFiles", "VectorStoreFileList"),
    "createFile": ("uploadFile", "File"),
    "retrieveFile": ("getFile", "File"),
    "listFiles": ("listFiles", "FileList"),
    "deleteFile": ("deleteFile", "FileDeletionStatus"),
    # The SDK streams the bytes back: no model, the body is the file itself.
    "downloadFile": ("getFileContent", None),
    "modifyVectorStore": ("modifyVectorStore", "VectorStore"),
    "updateVectorStoreFileAttributes": ("updateVectorStoreFileAttributes", "VectorStoreFile"),
    "deleteVectorStoreFile": ("deleteVectorStoreFile", "VectorStoreFileDeletionStatus"),
    "retrieveVectorStoreFileContent": ("getVectorStoreFileContent", "VectorStoreFileContent"),
    "searchVectorStore": ("searchVectorStore", "VectorStoreSearchResults"),
}
MKA1_RESPONSES: dict[str, tuple[str, str | None]] = {
    "createResponse": ("createResponse", "ResponseObject"),
    "getResponse": ("getResponse", "ResponseObject"),
    "deleteResponse": ("deleteResponse", "DeleteResponseObject"),
    "listInputItems": ("listInputItems", "InputItemListObject"),
}

# spec operationId -> the SDK model of one server-sent event of a streamed
# 200 (its ``data``, which the SDK parses from each event's JSON). Declared
# as the operation's ``text/event-stream`` schema, as the spec declares its own.
MKA1_EVENTS = {"createResponse": ("CreateResponseResponseBody", "ResponseStreamEvent")}

# The media types fake_server answers a MKA1 download with (the SDK's
# getFileContent accepts only a list of named types, not
# application/octet-stream): the dialect states them, once.
MKA1_DOWNLOAD_TYPES = MKA1.download_types
# A 200 body that is the file's bytes, not JSON.
BINARY_RESPONSE = {
    "content": {
        media_type: {"schema": {"type": "string", "format": "binary"}}
        for media_type in MKA1_DOWNLOAD_TYPES
    }
}

# Operations only MKA1 has (vector store permissions): operationId ->
# (method, path after the prefix, SDK model of the 200 body, of the request body).
PERMISSIONS_PATH = "/vector_stores/{vector_store_id}/permissions"
MKA1_ONLY_OPERATIONS: dict[str, tuple[str, str, str, str | None]] = {
    "listVectorStorePermissions": ("GET", PERMISSIONS_PATH, "VectorStorePermissionList", None),
    "createVectorStorePermission": (
        "POST",
        PERMISSIONS_PATH,
        "VectorStorePermission",
        "CreateVectorStorePermissionRequest",
    ),
    "getVectorStorePermission": (
        "GET",
        PERMISSIONS_PATH + "/{user_id}",
        "VectorStoreEffectivePermission",
        None,
    ),
    "deleteVectorStorePermission": (
        "DELETE",
        PERMISSIONS_PATH + "/{user_id}",
        "VectorStorePermissionDeleted",
        None,
    ),
}

# spec operationId -> SDK model of the JSON request body. Their top level is
# closed (``additionalProperties: false``, as in the spec's own request
# schemas): pydantic would drop an unknown field silently, the fake refuses it.
MKA1_REQUESTS = {
    "createVectorStore": "CreateVectorStoreRequest",
    "createVectorStoreFileBatch": "CreateVectorStoreFileBatchRequest",
    "modifyVectorStore": "ModifyVectorStoreRequest",
    "createVectorStoreFile": "CreateVectorStoreFileRequest",
    "updateVectorStoreFileAttributes": "UpdateVectorStoreFileAttributesRequest",
    "searchVectorStore": "SearchVectorStoreRequest",
}

# The error body is the same envelope for every operation and dialect.
ALWAYS_INCLUDED = ("ErrorResponse",)
# SDK models named as the spec's error envelope is: renamed, so that a document
# holding both (the published MKA1 OpenAPI document) keeps the spec's envelope.
RESERVED_NAMES = {"Error": "Mka1Error", "ErrorResponse": "Mka1ErrorResponse"}

HTTP_METHODS = ("get", "post", "put", "patch", "delete")
SPEC_REF_PREFIX = "#/components/schemas/"


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def iter_refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield ref
        for value in node.values():
            yield from iter_refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from iter_refs(value)


def rewrite_refs(node: Any, old_prefix: str, new_prefix: str) -> Any:
    if isinstance(node, dict):
        return {
            key: (
                new_prefix + value[len(old_prefix) :]
                if key == "$ref" and isinstance(value, str) and value.startswith(old_prefix)
                else rewrite_refs(value, old_prefix, new_prefix)
            )
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [rewrite_refs(value, old_prefix, new_prefix) for value in node]
    return node


def resolve_local(document: dict[str, Any], ref: str) -> Any:
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def extract_spec(spec: dict[str, Any], wanted_operations: tuple[str, ...]) -> dict[str, Any]:
    """Operations plus the transitive closure of the schemas they reference."""
    operations: dict[str, Any] = {}
    for path, item in spec["paths"].items():
        for method in HTTP_METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            operation_id = operation.get("operationId")
            if operation_id not in wanted_operations:
                continue
            kept = {
                key: operation[key]
                for key in ("parameters", "requestBody", "responses")
                if key in operation
            }
            operations[operation_id] = {"method": method.upper(), "path": path, **kept}
    missing = sorted(set(wanted_operations) - set(operations))
    if missing:
        raise SystemExit(f"operations missing from the spec: {', '.join(missing)}")

    # Shared responses (e.g. TooManyRequests) are inlined so that every
    # response entry points at a schema directly.
    for operation in operations.values():
        for status, response in list(operation["responses"].items()):
            if "$ref" in response:
                operation["responses"][status] = resolve_local(spec, response["$ref"])

    wanted = [ref for ref in iter_refs(operations) if ref.startswith(SPEC_REF_PREFIX)]
    wanted += [SPEC_REF_PREFIX + name for name in ALWAYS_INCLUDED]
    schemas = spec["components"]["schemas"]
    defs: dict[str, Any] = {}
    while wanted:
        ref = wanted.pop()
        name = ref[len(SPEC_REF_PREFIX) :]
        if name in defs:
            continue
        defs[name] = schemas[name]
        wanted.extend(r for r in iter_refs(schemas[name]) if r.startswith(SPEC_REF_PREFIX))

    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "operations": rewrite_refs(dict(sorted(operations.items())), SPEC_REF_PREFIX, "#/$defs/"),
        "$defs": rewrite_refs(dict(sorted(defs.items())), SPEC_REF_PREFIX, "#/$defs/"),
    }


def normalise_sdk_schema(node: Any, dropped: frozenset[str]) -> Any:
    """Turn pydantic's view of an SDK model into the contract the fake must keep.

    - ``title`` and ``default`` are dropped: they do not constrain a body, and
      the SDK's defaults include an internal "unset" sentinel string.
    - The SDK's ``Unset`` branch (a client-side marker, never on the wire) is
      removed from every ``anyOf``.
    - Open enums (``anyOf: [{enum: [...]}, {type: string}]``, which let the SDK
      accept values invented later) are closed to their known values: the fake
      must never invent a value.
    - ``Unknown*`` variants (the SDK's catch-all for unrecognised union members,
      marked by ``is_unknown``) are removed for the same reason.
    - An ``anyOf`` left with a single branch is replaced by that branch.
    """
    if isinstance(node, list):
        return [normalise_sdk_schema(value, dropped) for value in node]
    if not isinstance(node, dict):
        return node
    result = {
        key: normalise_sdk_schema(value, dropped)
        for key, value in node.items()
        if key not in ("title", "default")
    }
    branches = result.get("anyOf")
    if isinstance(branches, list):
        branches = [
            branch
            for branch in branches
            if branch.get("$ref") not in dropped and not is_sdk_unknown_variant(branch)
        ]
        if any("enum" in branch or "const" in branch for branch in branches):
            branches = [branch for branch in branches if branch != {"type": "string"}]
        if len(branches) == 1:
            del result["anyOf"]
            result.update(branches[0])
        else:
            result["anyOf"] = branches
    return result


def is_sdk_unknown_variant(schema: dict[str, Any]) -> bool:
    properties = schema.get("properties", {})
    return isinstance(properties, dict) and "is_unknown" in properties


def with_events(ok: dict[str, Any], defs: dict[str, Any], body_model: str, name: str) -> Any:
    """A 200 that is JSON, or server-sent events: each event the SDK's stream body's
    ``data`` (one of its event models), kept in ``defs`` as ``name``."""
    schema = getattr(models, body_model).model_json_schema(
        by_alias=True, ref_template="#/$defs/{model}", mode="validation"
    )
    defs.update(schema.pop("$defs", {}))
    defs[name] = schema["properties"]["data"]
    return {
        "content": {
            "application/json": {"schema": ok},
            "text/event-stream": {"schema": {"$ref": f"#/$defs/{name}"}},
        }
    }


def extract_mka1(
    spec_operations: dict[str, tuple[str, str | None]], *, own: bool = True
) -> dict[str, Any]:
    """The SDK's models for ``spec_operations`` (and, with ``own``, for the
    operations only MKA1 has)."""
    defs: dict[str, Any] = {}
    operations: dict[str, Any] = {}

    def add_model(model_name: str, mode: str) -> str:
        model = getattr(models, model_name)
        schema = model.model_json_schema(by_alias=True, ref_template="#/$defs/{model}", mode=mode)
        defs.update(schema.pop("$defs", {}))
        defs[model_name] = schema
        return f"#/$defs/{model_name}"

    def add_union(name: str) -> str:
        """A request body the SDK types as a discriminated union of models."""
        schema = TypeAdapter(getattr(models, name)).json_schema(
            by_alias=True, ref_template="#/$defs/{model}", mode="serialization"
        )
        for variant, variant_schema in schema.pop("$defs", {}).items():
            defs[variant] = {**variant_schema, "additionalProperties": False}
        defs[name] = schema
        return f"#/$defs/{name}"

    only_mka1 = MKA1_ONLY_OPERATIONS if own else {}
    for operation_id, (method, path, model_name, request) in sorted(only_mka1.items()):
        operations[operation_id] = {
            "sdk_operation_id": operation_id,
            "method": method,
            "path": path,
            "parameters": [
                {"in": "path", "name": name, "required": True, "schema": {"type": "string"}}
                for name in ("vector_store_id", "user_id")
                if "{" + name + "}" in path
            ],
            "responses": {"200": {"$ref": add_model(model_name, "validation")}},
        }
        if request is not None:
            operations[operation_id]["request"] = {"$ref": add_union(request)}
    for spec_id, (sdk_id, sdk_model) in sorted(spec_operations.items()):
        if sdk_model is None:
            ok: dict[str, Any] = BINARY_RESPONSE
        else:
            ok = {"$ref": add_model(sdk_model, "validation")}
        if spec_id in MKA1_EVENTS:
            ok = with_events(ok, defs, *MKA1_EVENTS[spec_id])
        operations[spec_id] = {"sdk_operation_id": sdk_id, "responses": {"200": ok}}
        if spec_id in MKA1_REQUESTS:
            request_ref = add_model(MKA1_REQUESTS[spec_id], "serialization")
            defs[MKA1_REQUESTS[spec_id]]["additionalProperties"] = False
            operations[spec_id]["request"] = {"$ref": request_ref}
    dropped = frozenset(
        f"#/$defs/{name}"
        for name, schema in defs.items()
        if name == "Unset" or is_sdk_unknown_variant(schema)
    )
    defs = {name: normalise_sdk_schema(schema, dropped) for name, schema in sorted(defs.items())}
    # Drop definitions nothing refers to any more (Unknown* variants, Unset).
    reachable: set[str] = set()
    pending = list(iter_refs(operations))
    while pending:
        name = pending.pop().removeprefix("#/$defs/")
        if name in reachable:
            continue
        reachable.add(name)
        pending.extend(iter_refs(defs[name]))
    kept = {name: schema for name, schema in defs.items() if name in reachable}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "operations": renamed_refs(operations, RESERVED_NAMES),
        "$defs": {
            RESERVED_NAMES.get(name, name): renamed_refs(schema, RESERVED_NAMES)
            for name, schema in kept.items()
        },
    }


def renamed_refs(node: Any, names: dict[str, str]) -> Any:
    """``node`` with every ``#/$defs/OLD`` of ``names`` pointing at its new name."""
    if isinstance(node, list):
        return [renamed_refs(value, names) for value in node]
    if not isinstance(node, dict):
        return node
    return {
        key: (
            "#/$defs/" + names[value.removeprefix("#/$defs/")]
            if key == "$ref" and isinstance(value, str) and value.removeprefix("#/$defs/") in names
            else renamed_refs(value, names)
        )
        for key, value in node.items()
    }


def read_spec_commit(spec_path: Path) -> str:
    source = spec_path.with_name("SOURCE.md")
    if source.exists():
        for line in source.read_text(encoding="utf-8").splitlines():
            if line.startswith("- Commit:"):
                return line.split("`")[1]
    return "unknown"


def write_json(path: Path, document: Any) -> None:
    path.write_text(json.dumps(document, indent=1, sort_keys=False) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, required=True, help="the OpenAI OpenAPI YAML")
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).resolve().parent.parent / "schemas"
    )
    args = parser.parse_args(argv)

    spec_path: Path = args.spec
    spec = yaml.load(spec_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "openai-spec.json", extract_spec(spec, OPERATIONS))
    write_json(out / "openai-responses.json", extract_spec(spec, RESPONSES_OPERATIONS))
    write_json(out / "mka1.json", extract_mka1(MKA1_OPERATIONS))
    write_json(out / "mka1-responses.json", extract_mka1(MKA1_RESPONSES, own=False))
    write_json(
        out / "provenance.json",
        {
            "openai-spec.json": {
                "source": "openai/openai-openapi openapi.yaml",
                "commit": read_spec_commit(spec_path),
                "sha256": sha256_of(spec_path),
                "info_version": spec["info"]["version"],
                "operations": list(OPERATIONS),
                "responses_operations": list(RESPONSES_OPERATIONS),
            },
            "mka1.json": {
                "source": "meetkai-mka1 (PyPI) pydantic models",
                "package_version": metadata.version("meetkai-mka1"),
                "operations": sorted(MKA1_OPERATIONS),
                "responses_operations": sorted(MKA1_RESPONSES),
                "mka1_only_operations": sorted(MKA1_ONLY_OPERATIONS),
                "requests": sorted(MKA1_REQUESTS),
                "events": sorted(MKA1_EVENTS),
            },
        },
    )
    print(f"wrote {out}/openai-spec.json, openai-responses.json, mka1.json, ...")
    return 0


if __name__ == "__main__":
    sys.exit(main())
