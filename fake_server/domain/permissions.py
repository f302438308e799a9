"""Who may do what with a vector store: roles, and the one rule every operation obeys.

Pure rules, no state of their own: they read a vector store's owner and the
roles it grants (``model.VectorStore``), which only its own methods change.
"""

from __future__ import annotations

from enum import IntEnum

from fake_server.domain.model import VectorStore


class Role(IntEnum):
    """What an end user may do with a vector store; each role includes those below
    (MKA1: owner > writer > reader)."""

    NONE = 0
    # Read the store, its files, their content and its batches; search it; read
    # its permissions.
    READER = 1
    # Also change it: modify it, attach, update and detach files, create and
    # cancel batches.
    WRITER = 2
    # Also delete it, and grant and revoke roles on it.
    OWNER = 3

    @classmethod
    def named(cls, name: str | None) -> Role:
        """The role a grant names ("reader", "writer", "owner"); None: no role."""
        return cls.NONE if name is None else cls[name.upper()]


def held_by(vector_store: VectorStore, user_id: str) -> tuple[str | None, str]:
    """The highest role ``user_id`` holds (None: none) and where it comes from:
    ``owner``, its own ``grant``, the ``team``'s, or ``none``."""
    if user_id == vector_store.owner:
        return "owner", "owner"
    granted = vector_store.grants.get(user_id)
    if granted is not None and Role.named(granted) >= Role.named(vector_store.team_role):
        return granted, "grant"
    if vector_store.team_role is not None:
        return vector_store.team_role, "team"
    return None, "none"


def role_of(vector_store: VectorStore, actor: str | None) -> Role:
    """What ``actor`` may do with the store, the one rule every operation obeys.

    The whole account (no end user) may do everything. The account's own
    store (no owner) is read and written by every end user, but deleted and
    shared only by the account. Otherwise an end user has the role it holds
    (owner, granted, or the team's); ``Role.NONE`` sees nothing at all.
    """
    if actor is None:
        return Role.OWNER
    if vector_store.owner is None:
        return Role.WRITER
    return Role.named(held_by(vector_store, actor)[0])


def reachable_by(vector_store: VectorStore, actor: str | None) -> bool:
    """Whether an end user sees the store (lists it, reads it)."""
    return role_of(vector_store, actor) >= Role.READER
