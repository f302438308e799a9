"""The OpenAPI document each dialect publishes, built from the schemas it validates against.

So a fuzzer or client generator sees exactly the contract the fake enforces:
the spec's operations and parameters, the dialect's response schemas, and
every error status the fake can send, with the error envelope.
"""

from __future__ import annotations

import copy
from typing import Any

from fake_server.contract.checker import Contract
from fake_server.contract.dialects import OPENAI, Dialect
from fake_server.contract.operations import PROVIDER_OPERATIONS

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
# Operations and parameters come from the spec as OpenAI answers it (errata applied).
SPEC_DOCUMENT = OPENAI.schema_set


def openapi_document(contract: Contract, dialect: Dialect) -> dict[str, Any]:
    spec = contract.documents[SPEC_DOCUMENT]
    own = contract.documents[dialect.schema_set]
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
    document = {
        "openapi": "3.1.0",
        "info": {
            "title": f"fake_server: {dialect.description}",
            "version": "1",
            "description": "Built from the schemas fake_server checks every response with.",
        },
        "servers": [{"url": dialect.prefix}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
    rewritten: dict[str, Any] = _rewrite_refs(document)
    return rewritten


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
