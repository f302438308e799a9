"""Vector store permissions: who holds which role on a store.

Served by the dialects with the permissions extension (MKA1 today:
``Dialect.extensions``).

They agree with the ``X-On-Behalf-Of`` isolation: an end user granted a role
(or every end user, once the team holds one) sees the store; revoked, it gets
the same 404 as before. What each role may do, here and in every dialect, is
one rule of the domain (``domain.permissions.role_of``): only the owner, or the whole
account (no end user), may grant or revoke.
"""

from __future__ import annotations

from typing import Any

from fake_server.domain.permissions import TEAM, Permission
from fake_server.http.bodies import json_object
from fake_server.http.context import Call


def permission(vector_store_id: str, row: Permission) -> dict[str, Any]:
    return {
        "vector_store_id": vector_store_id,
        "grantee_type": row.grantee_type,
        "user_id": row.user_id,
        "role": row.role,
        "object": "vector_store.permission",
    }


async def list_vector_store_permissions(call: Call) -> dict[str, Any]:
    vector_store_id, rows = call.state.account.list_permissions(
        call.path_param("vector_store_id"), actor=call.actor
    )
    return {"object": "list", "data": [permission(vector_store_id, row) for row in rows]}


async def create_vector_store_permission(call: Call) -> dict[str, Any]:
    body = await json_object(call)
    team = body.get("grantee_type") == TEAM or "user_id" not in body
    row = call.state.account.grant_permission(
        call.path_param("vector_store_id"),
        None if team else body["user_id"],
        body["role"],
        actor=call.actor,
    )
    return permission(call.path_param("vector_store_id"), row)


async def get_vector_store_permission(call: Call) -> dict[str, Any]:
    row, source = call.state.account.effective_permission(
        call.path_param("vector_store_id"), call.path_param("user_id"), actor=call.actor
    )
    return permission(call.path_param("vector_store_id"), row) | {"source": source}


async def delete_vector_store_permission(call: Call) -> dict[str, Any]:
    user_id = call.path_param("user_id")
    row = call.state.account.revoke_permission(
        call.path_param("vector_store_id"), None if user_id == TEAM else user_id, actor=call.actor
    )
    return {
        "vector_store_id": call.path_param("vector_store_id"),
        "grantee_type": row.grantee_type,
        "user_id": row.user_id,
        "object": "vector_store.permission.deleted",
        "deleted": True,
    }
