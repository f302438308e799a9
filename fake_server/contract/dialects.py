"""The providers fake_server speaks for, and every way one differs from another.

The wire shapes are mostly the same; what differs is stated here, once, as a
field of the provider's ``Dialect`` that names what it means. Nothing outside
this module asks which provider a dialect is: code reads these fields, so a
third OpenAI-compatible provider is one more ``Dialect`` value (and its
schema set).
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


class Extension(StrEnum):
    """A group of operations beyond the OpenAI spec that some providers' SDKs have."""

    # Who holds which role on a vector store (``/vector_stores/{id}/permissions``).
    PERMISSIONS = "permissions"


class Dialect(NamedTuple):
    name: str
    prefix: str
    # The schemas its answers are checked against (``contract.checker``).
    schema_set: str
    # The ``object`` of a file batch: the literal spec misspells it.
    file_batch_object: str
    description: str
    # The operation groups beyond the spec that it serves (see ``serves``).
    extensions: frozenset[Extension] = frozenset()
    # Its SDK documents 410 Gone for every operation on a vector store that
    # has expired (the operations the table marks ``gone_when_expired``);
    # otherwise an expired store is answered with ``status: "expired"``.
    expired_store_answers_gone: bool = False
    # A vector store indexes each content once: attaching a file whose
    # content the store holds is refused, or skipped on request
    # (``skip_duplicates`` on a batch).
    one_content_per_store: bool = False
    # It knows the ``duplicate_file`` error of a skipped copy; elsewhere such
    # a row is a cancelled file with no error.
    shows_duplicate_files: bool = False
    # Its File carries the content's ``sha256``, and the file list can be
    # asked for the files holding one content (``?sha256=``).
    files_carry_sha256: bool = False
    # Its VectorStore model requires the embedding fields (``embedding_model``,
    # ``embedding_dimensions``, ``retrieval_mode``, ``last_used_at``).
    store_has_embedding_fields: bool = False
    # A search answer's ``search_query`` is one string (the queries joined by
    # spaces); the spec's is the list of queries.
    search_query_as_string: bool = False
    # A vector store file's content is the file with its parts (``file_id``,
    # ``filename``, ``content``); the spec's is a page of text parts.
    file_content_as_file: bool = False
    # The media types a download may be labelled with (chosen by its
    # filename, else text/plain); empty: every download is
    # application/octet-stream, as OpenAI sends it.
    download_types: tuple[str, ...] = ()
    # The purposes whose files ``downloadFile`` serves; None: every purpose.
    # Others get 400 "Not allowed to download files of purpose: P".
    downloadable_purposes: frozenset[str] | None = None
    # A files route names a missing file as the real API does: "No such File
    # object: ID" (no quotes) with param ``id``; otherwise the id quoted, with
    # param ``file_id``.
    missing_file_as_recorded: bool = False
    # A streamed ``response.output_text.annotation.added`` event's annotation
    # also carries the cited text and where it lies (``text``, ``start``,
    # ``end``), as its SDK's event model requires.
    annotation_event_has_span: bool = False
    # A file_search skips a vector store that is missing (or that the end
    # user may not read) instead of refusing the request, as its SDK's
    # FileSearchToolDefinition documents.
    file_search_skips_missing_stores: bool = False

    def serves(self, extension: Extension | None) -> bool:
        """Whether it serves an operation of ``extension`` (None: one of the spec's)."""
        return extension is None or extension in self.extensions


OPENAI = Dialect(
    name="openai",
    prefix="/v1",
    schema_set="openai",
    file_batch_object="vector_store.file_batch",
    description="OpenAI, as the real API answers (spec plus the errata overlay)",
    # Recorded against the real API: batch downloads, user_data and
    # assistants are refused. The outputs the API writes for its client
    # (batch_output, fine-tune-results, assistants_output) are what the
    # download route is for; every other purpose of the spec's enum is an
    # upload to be used, not read back, and is refused as assistants is.
    downloadable_purposes=frozenset(
        ("batch", "batch_output", "fine-tune-results", "assistants_output")
    ),
    # openai-dotnet's recorded test session (2025): "No such File object:
    # fake_id", param "id".
    missing_file_as_recorded=True,
)
MKA1 = Dialect(
    name="mka1",
    prefix="/api/v1/llm",
    schema_set="mka1",
    file_batch_object="vector_store.file_batch",
    description="MKA1, checked against the meetkai-mka1 SDK's models",
    extensions=frozenset({Extension.PERMISSIONS}),
    expired_store_answers_gone=True,
    one_content_per_store=True,
    shows_duplicate_files=True,
    files_carry_sha256=True,
    store_has_embedding_fields=True,
    search_query_as_string=True,
    file_content_as_file=True,
    annotation_event_has_span=True,
    file_search_skips_missing_stores=True,
    # Its SDK's getFileContent accepts only these (no application/octet-stream);
    # tools/extract_schemas.py declares the same list in the MKA1 schemas.
    download_types=(
        "text/plain",
        "text/csv",
        "text/html",
        "text/markdown",
        "application/json",
        "application/pdf",
        "image/png",
        "image/jpeg",
    ),
)
SPEC = Dialect(
    name="spec",
    prefix="/spec/v1",
    schema_set="spec",
    file_batch_object="vector_store.files_batch",
    description="The OpenAI spec taken literally, errata included",
)

DIALECTS = (OPENAI, MKA1, SPEC)
_BY_NAME = {dialect.name: dialect for dialect in DIALECTS}


def dialect_named(name: str) -> Dialect | None:
    """The dialect called ``name`` (as the OpenAPI route names it), if any."""
    return _BY_NAME.get(name)


def dialect_for_path(path: str) -> Dialect:
    """The dialect whose prefix the path starts with; OpenAI's otherwise."""
    for dialect in DIALECTS:
        if path == dialect.prefix or path.startswith(dialect.prefix + "/"):
            return dialect
    return OPENAI
