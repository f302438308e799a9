"""Domain objects: vector stores, file batches and their files (uploads: ``uploads``).

Pure Python, no HTTP, no wire bytes. Each vector store file has a timeline
(``in_progress`` until ``finishes_at`` on the clock, then its outcome). A
batch's and a vector store's status and counts are derived from their files
when read, never stored.

A vector store is the only way in to its files and batches: every change to
them goes through one of its methods, and each of those gives the vector store
a new ``version``. Together with the next moment a file changes status on its
own (``changes_after``), that tells a reader exactly how long what it derived
holds, so the layers above may keep what they derive without ever keeping it
too long. Nothing here keeps views; the values reads return are in ``views``.

One module per resource: ``file`` (a vector store file's timeline),
``batch`` (a file batch) and ``vector_store``; their names are gathered here.
"""

from __future__ import annotations

from fake_server.domain.model.batch import FileBatch, batch_status
from fake_server.domain.model.file import (
    DEFAULT_OUTCOME,
    DUPLICATE_FILE,
    NEVER,
    NO_OWN_PROCESSING,
    Processing,
    VectorStoreFile,
)
from fake_server.domain.model.vector_store import VectorStore

__all__ = [
    "DEFAULT_OUTCOME",
    "DUPLICATE_FILE",
    "NEVER",
    "NO_OWN_PROCESSING",
    "FileBatch",
    "Processing",
    "VectorStore",
    "VectorStoreFile",
    "batch_status",
]
