"""The OpenAPI document each dialect publishes, built from the schemas it validates against.

So a fuzzer or client generator sees exactly the contract the fake enforces:
the spec's operations and parameters, the dialect's response schemas, and
every error status the fake can send, with the error envelope.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from fake_server.contract.checker import Contract
from fake_server.contract.dialects import OPENAI, Dialect
from fake_server.contract.operations import CONTROL_OPERATIONS, PROVIDER_OPERATIONS, Operation
from fake_server.contract.resources import schema_path

ERROR_STATUSES = {
    "400": "The request is malformed or breaks the request schema.",
    "401": "Missing or wrong credentials.",
    "403": "Not allowed: for this end user (MKA1 permissions), or from this Host.",
    "404": "No such object (or it belongs to another end user).",
    "409": "The request conflicts with the current state.",
    "410": "The vector store has expired (MKA1).",
    "413": "The request body is larger than the limit.",
    "429": "A rate limit: the scenario's limits, or a scripted fault.",
    "500": "A scripted server error, or a contract violation in strict mode.",
    "502": "A scripted error (fault).",
    "503": "A scripted error (fault).",
}
CONTROL_ERROR_STATUSES = {
    "400": "The request is malformed: a refused scenario, fault or clock step.",
    "401": "The admin token is missing or wrong.",
    "403": "Not from this Host or Origin.",
    "404": "No such session, dialect or file.",
    "405": "Another method serves this path.",
    "409": "Not in this state: advancing a real clock.",
    "413": "The request body is larger than the limit.",
}
# Where the control plane lives (http.admin_paths says the same to the router).
CONTROL_PREFIX = "/__fake__"
_PARAMETER = re.compile(r"\{(\w+)\}")
# Operations and parameters come from the spec as OpenAI answers it (errata applied).
SPEC_DOCUMENT = OPENAI.schema_set


def openapi_document(contract: Contract, dialect: Dialect) -> dict[str, Any]:
    spec = contract.document(SPEC_DOCUMENT)
    own = contract.document(dialect.schema_set)
    schemas = {**spec["$defs"], **own["$defs"]} if own is not spec else dict(spec["$defs"])
    error = {"$ref": "#/$defs/ErrorResponse"}
    paths: dict[str, dict[str, Any]] = {}
    served = [op.id for op in PROVIDER_OPERATIONS if dialect.serves(op.extension)]
    for operation_id in served:
        source = spec["operations"].get(operation_id) or own["operations"][operation_id]
        response = own["operations"][operation_id]["responses"]["200"]
        content = response.get("content", {})
        if content and "application/json" not in content:
            # A body that is not JSON (a file's bytes), published as it is.
            ok_content = copy.deepcopy(content)
        else:
            schema = content.get("application/json", {}).get("schema", response)
            ok_content = {"application/json": {"schema": schema}}
            if "text/event-stream" in content:  # a streamed answer's events
                ok_content["text/event-stream"] = copy.deepcopy(content["text/event-stream"])
        operation: dict[str, Any] = {
            "operationId": operation_id,
            "parameters": copy.deepcopy(source.get("parameters", [])),
            "security": [{"bearer": []}],
            "responses": {
                "200": {"description": "OK", "content": ok_content},
                **{
                    status: {
                        "description": description,
                        "content": {"application/json": {"schema": error}},
                    }
                    for status, description in ERROR_STATUSES.items()
                },
            },
        }
        request = own["operations"][operation_id].get("request")
        if request is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": request}},
            }
        elif "requestBody" in source:
            operation["requestBody"] = copy.deepcopy(source["requestBody"])
        paths.setdefault(source["path"], {})[source["method"].lower()] = operation
    return _document(
        f"fake_server: {dialect.description}",
        "Built from the schemas fake_server checks every response with.",
        dialect.prefix,
        paths,
        schemas,
    )


def admin_openapi_document(contract: Contract) -> dict[str, Any]:
    """The control plane's document: the table's CONTROL operations with the
    schemas of ``schemas/admin.json`` (whose refused scenario carries ``problems``)."""
    admin = json.loads(schema_path("admin.json").read_text(encoding="utf-8"))
    spec_defs = contract.documents[SPEC_DOCUMENT]["$defs"]
    schemas = {
        **admin["$defs"],
        "ErrorResponse": spec_defs["ErrorResponse"],
        "Error": spec_defs["Error"],
    }
    paths: dict[str, dict[str, Any]] = {}
    for op in CONTROL_OPERATIONS:
        if op.id in admin["operations"]:
            operation = _control_operation(op, admin["operations"][op.id])
            paths.setdefault(_control_path(op), {})[op.method.lower()] = operation
    return _document(
        "fake_server: the control plane",
        "fake_server's own API: scenario, clock, journal, faults, report.",
        "/",
        paths,
        schemas,
    )


def _document(
    title: str, description: str, server: str, paths: dict[str, Any], schemas: dict[str, Any]
) -> dict[str, Any]:
    """An OpenAPI 3.1 document around ``paths``, its references pointed at its own
    components."""
    document = {
        "openapi": "3.1.0",
        "info": {"title": title, "version": "1", "description": description},
        "servers": [{"url": server}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
    rewritten: dict[str, Any] = _rewrite_refs(document)
    return rewritten


def _control_path(op: Operation) -> str:
    return op.path if op.at_root else CONTROL_PREFIX + op.path


def _control_operation(op: Operation, admin: dict[str, Any]) -> dict[str, Any]:
    """One operation of the control plane; ``admin``: its entry in schemas/admin.json."""
    error = {"$ref": "#/$defs/ErrorResponse"}
    documented: dict[str, Any] = {}
    for status, response in admin["responses"].items():
        if "media_types" in response:
            content = {media: {"schema": {"type": "string"}} for media in response["media_types"]}
        else:
            content = {"application/json": {"schema": {"$ref": response["$ref"]}}}
        documented[status] = {"description": "OK", "content": content}
    # An operation's own error statuses (ready's 503) beside the common ones.
    errors = {**CONTROL_ERROR_STATUSES, **admin.get("errors", {})}
    for status, description in errors.items():
        # A refusal with more to say than the envelope (a scenario's problems).
        schema = admin["refused"] if status == "400" and "refused" in admin else error
        documented.setdefault(
            status,
            {"description": description, "content": {"application/json": {"schema": schema}}},
        )
    operation: dict[str, Any] = {
        "operationId": op.id,
        "parameters": [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in _PARAMETER.findall(op.path)
        ],
        "responses": documented,
    }
    if not op.open:
        # The admin token, when the server was given one; else nothing.
        operation["security"] = [{"bearer": []}, {}]
    request = admin.get("request")
    if request is not None:
        operation["requestBody"] = {
            "required": False,
            "content": {"application/json": {"schema": request}},
        }
    return operation


def _rewrite_refs(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            key: (
                value.replace("#/$defs/", "#/components/schemas/", 1)
                if key == "$ref" and isinstance(value, str)
                else _rewrite_refs(value)
            )
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_rewrite_refs(value) for value in node]
    return node
