"""What differs between the providers fake_server speaks for.

The wire shapes are the same; the path prefix, the schema set a response is
checked against, and (for the literal spec) one object name differ.
"""

from __future__ import annotations

from typing import NamedTuple


class Dialect(NamedTuple):
    name: str
    prefix: str
    schema_set: str
    file_batch_object: str
    description: str


OPENAI = Dialect(
    name="openai",
    prefix="/v1",
    schema_set="openai",
    file_batch_object="vector_store.file_batch",
    description="OpenAI, as the real API answers (spec plus the errata overlay)",
)
MKA1 = Dialect(
    name="mka1",
    prefix="/api/v1/llm",
    schema_set="mka1",
    file_batch_object="vector_store.file_batch",
    description="MKA1, checked against the meetkai-mka1 SDK's models",
)
SPEC = Dialect(
    name="spec",
    prefix="/spec/v1",
    schema_set="spec",
    file_batch_object="vector_store.files_batch",
    description="The OpenAI spec taken literally, errata included",
)

DIALECTS = (OPENAI, MKA1, SPEC)


def dialect_for_path(path: str) -> Dialect:
    """The dialect whose prefix the path starts with; OpenAI's otherwise."""
    for dialect in DIALECTS:
        if path == dialect.prefix or path.startswith(dialect.prefix + "/"):
            return dialect
    return OPENAI
