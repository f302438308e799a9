"""Finding what an operation names, as the end user may see it: the one rule for
"not found" and "forbidden", whichever operation asks."""

from __future__ import annotations

from fake_server.domain.account.state import AccountState
from fake_server.domain.errors import ForbiddenError, InvalidRequestError, NotFoundError, quoted
from fake_server.domain.ids import FILE_BATCH_PREFIX, VECTOR_STORE_PREFIX
from fake_server.domain.model import VectorStore, VectorStoreFile
from fake_server.domain.permissions import Role, refusal, role_of


def find_vector_store(
    state: AccountState, vector_store_id: str, actor: str | None, need: Role
) -> VectorStore:
    """The vector store, if ``actor`` holds the role ``need`` names on it."""
    _check_id_prefix("vector_store_id", vector_store_id, VECTOR_STORE_PREFIX)
    found = state.vector_stores.get(vector_store_id)
    role = Role.NONE if found is None else role_of(found, actor)
    # A store the end user cannot see answers exactly as a missing one would.
    if found is None or role is Role.NONE:
        raise NotFoundError(f"No vector store found with id {quoted(vector_store_id)}.")
    if role < need:
        # Only what the end user may already see: the store and its own rights.
        raise ForbiddenError(refusal(found.id, need))
    return found


def find_batch_owner(
    state: AccountState, vector_store_id: str, batch_id: str, actor: str | None, need: Role
) -> VectorStore:
    """The vector store holding the batch; raises if either is not found, or
    if ``actor`` lacks ``need``."""
    owner = find_vector_store(state, vector_store_id, actor, need)
    _check_id_prefix("batch_id", batch_id, FILE_BATCH_PREFIX)
    if batch_id not in owner.batches:
        raise NotFoundError(
            f"No file batch found with id {quoted(batch_id)} in vector store '{vector_store_id}'."
        )
    return owner


def find_store_file(owner: VectorStore, file_id: str) -> VectorStoreFile:
    """The vector store's file ``file_id`` (the store was found for the actor already)."""
    file = owner.files.get(file_id)
    if file is None:
        raise NotFoundError(
            f"No file found with id {quoted(file_id)} in vector store '{owner.id}'."
        )
    return file


def _check_id_prefix(param: str, value: str, prefix: str) -> None:
    if not value.startswith(prefix):
        raise InvalidRequestError(
            f"Invalid '{param}': {quoted(value)}. Expected an ID that begins with '{prefix}'.",
            param=param,
        )
