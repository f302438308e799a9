"""Who may do what: roles on a vector store, the one rule every operation obeys,
what a grant or a revoke may name, and which uploads an end user sees.

Pure rules, no state of their own: they read a vector store's owner and the
roles it grants (``model.VectorStore``), which only its own methods change.
"""

from __future__ import annotations

import unicodedata
from enum import IntEnum
from typing import NamedTuple

from fake_server import defaults
from fake_server.domain.errors import InvalidRequestError
from fake_server.domain.model import VectorStore
from fake_server.domain.printable import printable

# The ``user_id`` a permissions path names the team's permission by: no user
# may be granted a role under it.
TEAM = "team"
# What no end user's id holds anywhere: control characters (line breaks,
# tabs, NUL), invisible format characters (zero-width, bidi marks, the byte
# order mark), line and paragraph separators, lone surrogates. The scenario
# schema's ``end_user`` pattern spells the same set out as ranges.
_UNSENDABLE = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


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


def visible(owner: str | None, actor: str | None) -> bool:
    """End users (``X-On-Behalf-Of``) see their own objects and the account's;
    requests without an end user act for the whole account."""
    return owner is None or actor is None or owner == actor


def refusal(vector_store_id: str, need: Role) -> str:
    """Why an end user who sees the store may not do what needs ``need``."""
    if need is Role.OWNER:
        return (
            f"Only the owner of vector store '{vector_store_id}' (or the whole account) "
            "can delete it or change its permissions."
        )
    return (
        f"Vector store '{vector_store_id}' can be changed only by its owner or an end user "
        "granted writer; this end user may only read it."
    )


# --- MKA1 permissions -----------------------------------------------------------


class Permission(NamedTuple):
    """A role on a vector store: of one end user, or of the team (``user_id`` None)."""

    grantee_type: str
    user_id: str | None
    role: str | None


def permission_rows(vector_store: VectorStore) -> list[Permission]:
    """The owner first, then the team, then individual principals."""
    rows = [Permission("user", owner, "owner") for owner in [vector_store.owner] if owner]
    if vector_store.team_role is not None:
        rows.append(Permission("team", None, vector_store.team_role))
    rows += [Permission("user", user, role) for user, role in vector_store.grants.items()]
    return rows


def check_grant(vector_store: VectorStore, user_id: str | None) -> None:
    """Refuse a grant to ``user_id`` (None: the team) the store cannot take."""
    _check_user_id(user_id)
    if user_id == TEAM:
        raise InvalidRequestError(
            f"Invalid 'user_id': {TEAM!r} names the team's permission in a path, so a user "
            "called so could never be read or revoked. Leave user_id out for the team's role.",
            "user_id",
        )
    if (
        user_id is not None
        and user_id not in vector_store.grants
        and len(vector_store.grants) >= defaults.MAX_PERMISSIONS_PER_STORE
    ):
        raise InvalidRequestError(
            f"The vector store already grants {defaults.MAX_PERMISSIONS_PER_STORE} "
            "roles; revoke one first.",
            "user_id",
            "too_many_permissions",
        )
    if user_id is not None and user_id == vector_store.owner:
        raise InvalidRequestError(
            "The owner's role is fixed at creation and cannot be granted.", "user_id"
        )


def check_revoke(vector_store: VectorStore, user_id: str | None) -> None:
    """Refuse a revoke of ``user_id`` (None: the team) that could never apply.

    A full store still revokes: a user it does not grant is then not found,
    not "too many"."""
    _check_user_id(user_id)
    if user_id is not None and user_id == vector_store.owner:
        raise InvalidRequestError("The owner's permission cannot be removed.", "user_id")


def _check_user_id(user_id: str | None) -> None:
    if user_id is None:
        return
    problem = end_user_problem(user_id)
    if problem is not None:
        raise InvalidRequestError(
            f"Invalid 'user_id': {problem}. Name one end user, or leave user_id out for "
            "the team's role.",
            "user_id",
        )


def end_user_problem(end_user: str) -> str | None:
    """Why no request could act as ``end_user``, or None when one can.

    The one rule for an end user's id, wherever it is named: in
    ``X-On-Behalf-Of`` and in a grant (a scenario follows it through its
    schema's ``end_user``): not blank, not too long, no surrounding
    space, no control or invisible character, no ',' or '/', and not ``team``
    for a grant.
    """
    if not end_user.strip():
        # Read as "no end user", a blank one would act for the whole account.
        return "it is blank"
    if len(end_user) > defaults.MAX_END_USER_CHARACTERS:
        return f"longer than {defaults.MAX_END_USER_CHARACTERS} characters"
    if end_user != end_user.strip():
        # HTTP drops a header value's surrounding spaces: "bob " would arrive
        # as bob, and a grant to "bob " could never be used.
        return "it begins or ends with a space, which no header can carry"
    hidden = next((char for char in end_user if unicodedata.category(char) in _UNSENDABLE), None)
    if hidden is not None:
        # A line break would end the header (or forge another); a tab, NUL or
        # zero-width mark is invisible where the id is read back.
        return f"it holds {printable(hidden)}, a control or invisible character"
    if "," in end_user:
        # A proxy that merges a repeated header joins the values with ", ".
        return "it holds ',', as a repeated header does once a proxy joins it"
    if "/" in end_user:
        return "it holds '/', which no permissions path can name"
    return None
