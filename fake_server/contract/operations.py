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
