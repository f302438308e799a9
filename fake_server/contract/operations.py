"""The provider operations fake_server serves, by the spec's operationId."""

from __future__ import annotations

OPERATION_IDS = (
    "createVectorStore",
    "listVectorStores",
    "getVectorStore",
    "deleteVectorStore",
    "createFile",
    "retrieveFile",
    "createVectorStoreFileBatch",
    "getVectorStoreFileBatch",
    "cancelVectorStoreFileBatch",
    "listFilesInVectorStoreBatch",
    "listVectorStoreFiles",
    "getVectorStoreFile",
    "listFiles",
    "deleteFile",
    "downloadFile",
    "modifyVectorStore",
    "createVectorStoreFile",
    "updateVectorStoreFileAttributes",
    "deleteVectorStoreFile",
    "retrieveVectorStoreFileContent",
    "searchVectorStore",
)

# Served under the MKA1 prefix only: its SDK has them, the OpenAI spec does not.
MKA1_ONLY_OPERATION_IDS = (
    "listVectorStorePermissions",
    "createVectorStorePermission",
    "getVectorStorePermission",
    "deleteVectorStorePermission",
)
ALL_OPERATION_IDS = OPERATION_IDS + MKA1_ONLY_OPERATION_IDS
