"""MKA1 permissions on a vector store: list, grant, read and revoke roles.

What a grant or a revoke may name, and what each role allows, are the rules
of ``fake_server.domain.permissions``; here they meet the account's stores.
"""

from __future__ import annotations

from fake_server.domain.account.find import find_vector_store
from fake_server.domain.account.state import AccountState
from fake_server.domain.errors import NotFoundError, quoted
from fake_server.domain.permissions import (
    Permission,
    Role,
    check_grant,
    check_revoke,
    held_by,
    permission_rows,
)


def rows(
    state: AccountState, vector_store_id: str, actor: str | None
) -> tuple[str, list[Permission]]:
    vector_store = find_vector_store(state, vector_store_id, actor, Role.READER)
    return vector_store.id, permission_rows(vector_store)


def grant(
    state: AccountState, vector_store_id: str, user_id: str | None, role: str, actor: str | None
) -> Permission:
    vector_store = find_vector_store(state, vector_store_id, actor, Role.OWNER)
    check_grant(vector_store, user_id)
    vector_store.grant(user_id, role)
    return _row(user_id, role)


def effective(
    state: AccountState, vector_store_id: str, user_id: str, actor: str | None
) -> tuple[Permission, str]:
    vector_store = find_vector_store(state, vector_store_id, actor, Role.READER)
    role, source = held_by(vector_store, user_id)
    return Permission("user", user_id, role), source


def revoke(
    state: AccountState, vector_store_id: str, user_id: str | None, actor: str | None
) -> Permission:
    vector_store = find_vector_store(state, vector_store_id, actor, Role.OWNER)
    check_revoke(vector_store, user_id)
    if not vector_store.revoke(user_id):
        raise NotFoundError(
            f"{quoted(user_id or 'team')} holds no permission on vector store '{vector_store.id}'.",
            "user_id",
        )
    return _row(user_id, None)


def _row(user_id: str | None, role: str | None) -> Permission:
    """The permission of ``user_id``, or the team's when None."""
    return Permission("team" if user_id is None else "user", user_id, role)
