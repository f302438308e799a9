"""Attaching uploaded files to a vector store: the one way in for a batch, a
single file and a new store's ``file_ids``.

Each step refuses before anything changes, so a refused request leaves the
account as it was: every upload must be visible to the end user and named
once, MKA1's duplicate-content rule applies when asked, and only then are the
files counted against the rate limit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, NamedTuple

from fake_server.domain.account.state import AccountState
from fake_server.domain.errors import DuplicateFileError, UnknownFileError
from fake_server.domain.model import VectorStore, VectorStoreFile
from fake_server.domain.permissions import visible

Attributes = Mapping[str, str | float | bool]

# MKA1: None attaches same-content files as they are; "refuse" fails the
# request on one (nothing attached), "skip" makes it a cancelled
# ``duplicate_file`` row.
DuplicateRule = Literal["refuse", "skip"] | None


class FileSettings(NamedTuple):
    """What a batch's ``files[]`` entry sets for its own file (None: the batch's)."""

    attributes: Attributes | None = None
    chunking_strategy: dict[str, Any] | None = None


NO_SETTINGS = FileSettings()


def new_files(
    state: AccountState,
    vector_store: VectorStore,
    file_ids: Sequence[str],
    now: float,
    actor: str | None,
    *,
    attributes: Attributes | None = None,
    chunking_strategy: dict[str, Any] | None = None,
    per_file: Mapping[str, FileSettings] | None = None,
    duplicates: DuplicateRule = None,
) -> list[VectorStoreFile]:
    """Files for the uploads ``file_ids``, in progress from ``now``, set as sent
    (a file's own ``per_file`` entry over the request's) and admitted by the
    rate limit. The caller attaches them; nothing has changed if this raises."""
    files = _in_progress(state, vector_store, file_ids, now, actor)
    if duplicates is not None:
        state.uploads.check_duplicates(vector_store, files, skip=duplicates == "skip")
    # New files set neither (see VectorStoreFile): only what was sent is set.
    if per_file or attributes is not None or chunking_strategy is not None:
        _apply(files, FileSettings(attributes, chunking_strategy), per_file or {})
    # Counted against the rate limit only once nothing else refuses them.
    if state.attached is not None:
        state.attached.admit(now, len(files), state.on_rate_limited)
    return files


def _in_progress(
    state: AccountState,
    vector_store: VectorStore,
    file_ids: Sequence[str],
    now: float,
    actor: str | None,
) -> list[VectorStoreFile]:
    seen: set[str] = set()
    files: list[VectorStoreFile] = []
    default_processing = state.default_processing
    for file_id in file_ids:
        upload = state.uploads.get(file_id)
        if upload is None or not visible(upload.owner, actor):
            raise UnknownFileError(file_id)
        if file_id in seen:
            raise DuplicateFileError(file_id)
        seen.add(file_id)
        # The upload's own outcome, time and error win; the scenario's
        # defaults fill in the rest.
        processing = upload.processing.over(default_processing)
        files.append(processing.new_file(upload.id, vector_store.id, int(now), now, upload.bytes))
    return files


def _apply(
    files: Sequence[VectorStoreFile], sent: FileSettings, per_file: Mapping[str, FileSettings]
) -> None:
    for file in files:
        own = per_file.get(file.id, NO_SETTINGS)
        chosen = own.attributes if own.attributes is not None else sent.attributes
        file.attributes = dict(chosen) if chosen is not None else None
        file.chunking_strategy = own.chunking_strategy or sent.chunking_strategy
