"""MKA1's rule for expired vector stores: 410 Gone, where its SDK documents it.

The OpenAI dialect answers an expired store with ``status: "expired"``;
the MKA1 SDK documents 410 for every operation on a store (and its files and
batches) once it has expired, deleting it aside. Handlers of those
operations are wrapped here, so the rule lives in one place.
"""

from __future__ import annotations

from fake_server.http.context import Call
from fake_server.http.routes import Handler, Operation

# The operations whose MKA1 docstrings say "Returns 410 once the vector store has expired".
GONE_WHEN_EXPIRED = frozenset(
    {
        "getVectorStore",
        "modifyVectorStore",
        "searchVectorStore",
        "createVectorStoreFile",
        "listVectorStoreFiles",
        "getVectorStoreFile",
        "updateVectorStoreFileAttributes",
        "deleteVectorStoreFile",
        "retrieveVectorStoreFileContent",
        "createVectorStoreFileBatch",
        "getVectorStoreFileBatch",
        "cancelVectorStoreFileBatch",
        "listFilesInVectorStoreBatch",
        "listVectorStorePermissions",
        "createVectorStorePermission",
        "getVectorStorePermission",
        "deleteVectorStorePermission",
    }
)


def gone_when_expired(handler: Handler) -> Handler:
    async def checked(call: Call) -> object:
        if call.dialect.name == "mka1":
            call.state.account.check_not_expired(
                call.path_param("vector_store_id"), actor=call.actor
            )
        return await handler(call)

    return checked


def with_expiry_rule(operations: list[Operation]) -> list[Operation]:
    return [
        op._replace(handler=gone_when_expired(op.handler))
        if op.operation_id in GONE_WHEN_EXPIRED
        else op
        for op in operations
    ]
