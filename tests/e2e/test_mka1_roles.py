"""MKA1 roles are enforced: a reader reads, a writer also writes, only the owner
(or the whole account) deletes the store or changes its permissions.

One matrix per client (the meetkai-mka1 SDK, the openai SDK through ``/v1``):
every kind of principal against every operation on a store. A refused write
answers 403 and changes nothing; a principal with no role gets the 404 of a
missing store, whatever it tries.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import httpx
import openai
import pytest
from meetkai_mka1 import SDK, errors

from fake_server.domain.permissions import Role
from fake_server.testing.handle import TEST_API_KEY, FakeServer
from tests.helpers import StartServer

SCENARIO = """
clock: {mode: virtual, start: 1704067200}
files:
  - {id: file-guide, content: "Refunds are paid within 14 days."}
  - {id: file-spare, content: "Parcels ship within three days."}
vector_stores:
  - id: vs_kb
    name: Knowledge
    owner: alice
    permissions:
      - {user_id: bob, role: reader}
      - {user_id: erin, role: writer}
    file_batches:
      - id: vsfb_kb
        files:
          - {id: file-guide, status: completed, attributes: {topic: refunds}}
          - {id: file-slow, processing_seconds: never}
"""
STORE, BATCH = "vs_kb", "vsfb_kb"
LLM = "/api/v1/llm/vector_stores"
AUTH = {"Authorization": f"Bearer {TEST_API_KEY}"}


class Who(NamedTuple):
    """A principal: the end user it acts as (None: the whole account), what the
    account does first, and the role that leaves it with on the store."""

    actor: str | None
    role: Role
    grant: dict[str, str] | None = None  # the account grants this first
    revoke: str | None = None  # the account revokes this user's role first


WHO = {
    "owner": Who("alice", Role.OWNER),
    "account": Who(None, Role.OWNER),
    "writer": Who("erin", Role.WRITER),
    "reader": Who("bob", Role.READER),
    "team writer": Who("dave", Role.WRITER, grant={"grantee_type": "team", "role": "writer"}),
    "team reader": Who("dave", Role.READER, grant={"grantee_type": "team", "role": "reader"}),
    "revoked": Who("bob", Role.NONE, revoke="bob"),
    "stranger": Who("dave", Role.NONE),
}


def prepare(server: FakeServer, who: Who) -> None:
    """What the account does before the principal acts, through raw HTTP."""
    url = f"{server.url}{LLM}/{STORE}/permissions"
    if who.grant is not None:
        httpx.post(url, json=who.grant, headers=AUTH).raise_for_status()
    if who.revoke is not None:
        httpx.delete(f"{url}/{who.revoke}", headers=AUTH).raise_for_status()


def state(server: FakeServer) -> list[Any]:
    """All a write could change, as the whole account reads it."""
    with httpx.Client(base_url=server.url + LLM, headers=AUTH) as http:
        paths = ["", "/files", f"/file_batches/{BATCH}", f"/file_batches/{BATCH}/files"]
        answers = [http.get(f"/{STORE}{path}") for path in paths]
        answers.append(http.get(f"/{STORE}/permissions"))
        answers.append(http.get("", params={"limit": 100}))
    return [(answer.status_code, answer.json()) for answer in answers]


def check(server: FakeServer, who: Who, need: Role, call: Callable[[], object]) -> None:
    """The call succeeds with ``need``; else it is refused (403, nothing changes),
    or the store is not there for this principal at all (404)."""
    before = state(server)
    if who.role >= need:
        call()
        return
    expected = 404 if who.role is Role.NONE else 403
    assert status_of(call) == expected
    assert state(server) == before


def status_of(call: Callable[[], object]) -> int:
    try:
        call()
    except errors.SDKError as error:
        return int(error.status_code)
    except openai.APIStatusError as error:
        return error.status_code
    raise AssertionError("the call was not refused")


# --- the meetkai-mka1 SDK ----------------------------------------------------------

Mka1Call = Callable[[Any, str | None], object]
MKA1_OPERATIONS: dict[str, tuple[Role, Mka1Call]] = {
    "get": (Role.READER, lambda s, a: s.get(vector_store_id=STORE, x_on_behalf_of=a)),
    "list files": (Role.READER, lambda s, a: s.list_files(vector_store_id=STORE, x_on_behalf_of=a)),
    "get file": (
        Role.READER,
        lambda s, a: s.get_file(vector_store_id=STORE, file_id="file-guide", x_on_behalf_of=a),
    ),
    "file content": (
        Role.READER,
        lambda s, a: s.get_file_content(
            vector_store_id=STORE, file_id="file-guide", x_on_behalf_of=a
        ),
    ),
    "search": (
        Role.READER,
        lambda s, a: s.search(vector_store_id=STORE, query="refunds", x_on_behalf_of=a),
    ),
    "get batch": (
        Role.READER,
        lambda s, a: s.get_file_batch(vector_store_id=STORE, batch_id=BATCH, x_on_behalf_of=a),
    ),
    "list batch files": (
        Role.READER,
        lambda s, a: s.list_files_in_batch(vector_store_id=STORE, batch_id=BATCH, x_on_behalf_of=a),
    ),
    "list permissions": (
        Role.READER,
        lambda s, a: s.list_permissions(vector_store_id=STORE, x_on_behalf_of=a),
    ),
    "get permission": (
        Role.READER,
        lambda s, a: s.get_permission(vector_store_id=STORE, user_id="erin", x_on_behalf_of=a),
    ),
    "modify": (
        Role.WRITER,
        lambda s, a: s.update(vector_store_id=STORE, name="Renamed", x_on_behalf_of=a),
    ),
    "attach a file": (
        Role.WRITER,
        lambda s, a: s.create_file(vector_store_id=STORE, file_id="file-spare", x_on_behalf_of=a),
    ),
    "update a file": (
        Role.WRITER,
        lambda s, a: s.update_file(
            vector_store_id=STORE,
            file_id="file-guide",
            attributes={"topic": "changed"},
            x_on_behalf_of=a,
        ),
    ),
    "detach a file": (
        Role.WRITER,
        lambda s, a: s.delete_file(vector_store_id=STORE, file_id="file-guide", x_on_behalf_of=a),
    ),
    "create a batch": (
        Role.WRITER,
        lambda s, a: s.create_file_batch(
            vector_store_id=STORE, file_ids=["file-spare"], x_on_behalf_of=a
        ),
    ),
    "cancel a batch": (
        Role.WRITER,
        lambda s, a: s.cancel_file_batch(vector_store_id=STORE, batch_id=BATCH, x_on_behalf_of=a),
    ),
    "grant": (
        Role.OWNER,
        lambda s, a: s.create_permission(
            vector_store_id=STORE,
            body={"grantee_type": "user", "user_id": "frank", "role": "reader"},
            x_on_behalf_of=a,
        ),
    ),
    "revoke": (
        Role.OWNER,
        lambda s, a: s.delete_permission(vector_store_id=STORE, user_id="erin", x_on_behalf_of=a),
    ),
    "delete": (Role.OWNER, lambda s, a: s.delete(vector_store_id=STORE, x_on_behalf_of=a)),
}


@pytest.mark.parametrize("operation", MKA1_OPERATIONS)
@pytest.mark.parametrize("name", WHO)
def test_the_mka1_sdk_gets_what_each_role_allows(
    start_server: StartServer, name: str, operation: str
) -> None:
    server = start_server(SCENARIO)
    who, (need, call) = WHO[name], MKA1_OPERATIONS[operation]
    prepare(server, who)
    stores = server.mka1_client().llm.vector_stores
    check(server, who, need, lambda: call(stores, who.actor))


@pytest.mark.parametrize("name", WHO)
def test_a_principal_lists_the_store_if_it_may_read_it(
    start_server: StartServer, name: str
) -> None:
    server = start_server(SCENARIO)
    who = WHO[name]
    prepare(server, who)
    listed = server.mka1_client().llm.vector_stores.list(x_on_behalf_of=who.actor).data
    assert [store.id for store in listed] == ([STORE] if who.role else [])


def test_the_highest_role_counts(start_server: StartServer) -> None:
    """bob's own grant is reader; once the team holds writer, bob writes (MKA1's
    effective permission: the highest role held)."""
    server = start_server(SCENARIO)
    stores: Any = server.mka1_client().llm.vector_stores

    def rename() -> Any:
        return stores.update(vector_store_id=STORE, name="By bob", x_on_behalf_of="bob")

    assert status_of(rename) == 403
    stores.create_permission(vector_store_id=STORE, body={"grantee_type": "team", "role": "writer"})
    effective = stores.get_permission(vector_store_id=STORE, user_id="bob")
    assert (effective.role, effective.source) == ("writer", "team")
    rename()
    assert stores.get(vector_store_id=STORE).name == "By bob"
    # A grant as high as the team's is the principal's own.
    stores.create_permission(
        vector_store_id=STORE, body={"grantee_type": "user", "user_id": "bob", "role": "writer"}
    )
    effective = stores.get_permission(vector_store_id=STORE, user_id="bob")
    assert (effective.role, effective.source) == ("writer", "grant")


def test_a_grant_takes_effect_at_once_and_a_downgrade_too(start_server: StartServer) -> None:
    server = start_server(SCENARIO)
    stores: Any = server.mka1_client().llm.vector_stores

    def cancel() -> Any:
        return stores.cancel_file_batch(
            vector_store_id=STORE, batch_id=BATCH, x_on_behalf_of="erin"
        )

    stores.create_permission(
        vector_store_id=STORE,
        body={"grantee_type": "user", "user_id": "erin", "role": "reader"},
        x_on_behalf_of="alice",
    )
    assert status_of(cancel) == 403
    stores.create_permission(
        vector_store_id=STORE,
        body={"grantee_type": "user", "user_id": "erin", "role": "writer"},
        x_on_behalf_of="alice",
    )
    assert cancel().status == "cancelled"


def test_the_accounts_own_store_is_written_by_every_end_user_but_kept_by_the_account(
    start_server: StartServer,
) -> None:
    server = start_server("vector_stores: [{id: vs_common, name: Common}]")
    stores: Any = server.mka1_client().llm.vector_stores
    renamed = stores.update(vector_store_id="vs_common", name="Mine", x_on_behalf_of="dave")
    assert renamed.name == "Mine"
    assert status_of(lambda: stores.delete(vector_store_id="vs_common", x_on_behalf_of="dave")) == (
        403
    )
    team_reader = {"grantee_type": "team", "role": "reader"}

    def share() -> Any:
        return stores.create_permission(
            vector_store_id="vs_common", body=team_reader, x_on_behalf_of="dave"
        )

    assert status_of(share) == 403
    assert stores.delete(vector_store_id="vs_common").deleted


# --- the openai SDK, through /v1: the same state, the same rule ---------------------

OpenAICall = Callable[[openai.OpenAI, dict[str, str]], object]
OPENAI_OPERATIONS: dict[str, tuple[Role, OpenAICall]] = {
    "retrieve": (Role.READER, lambda c, h: c.vector_stores.retrieve(STORE, extra_headers=h)),
    "list files": (
        Role.READER,
        lambda c, h: c.vector_stores.files.list(STORE, extra_headers=h),
    ),
    "retrieve a file": (
        Role.READER,
        lambda c, h: c.vector_stores.files.retrieve(
            "file-guide", vector_store_id=STORE, extra_headers=h
        ),
    ),
    "file content": (
        Role.READER,
        lambda c, h: c.vector_stores.files.content(
            "file-guide", vector_store_id=STORE, extra_headers=h
        ),
    ),
    "search": (
        Role.READER,
        lambda c, h: c.vector_stores.search(STORE, query="refunds", extra_headers=h),
    ),
    "retrieve a batch": (
        Role.READER,
        lambda c, h: c.vector_stores.file_batches.retrieve(
            BATCH, vector_store_id=STORE, extra_headers=h
        ),
    ),
    "list batch files": (
        Role.READER,
        lambda c, h: c.vector_stores.file_batches.list_files(
            BATCH, vector_store_id=STORE, extra_headers=h
        ),
    ),
    "update": (
        Role.WRITER,
        lambda c, h: c.vector_stores.update(STORE, name="Renamed", extra_headers=h),
    ),
    "attach a file": (
        Role.WRITER,
        lambda c, h: c.vector_stores.files.create(
            vector_store_id=STORE, file_id="file-spare", extra_headers=h
        ),
    ),
    "update a file": (
        Role.WRITER,
        lambda c, h: c.vector_stores.files.update(
            "file-guide", vector_store_id=STORE, attributes={"topic": "x"}, extra_headers=h
        ),
    ),
    "detach a file": (
        Role.WRITER,
        lambda c, h: c.vector_stores.files.delete(
            "file-guide", vector_store_id=STORE, extra_headers=h
        ),
    ),
    "create a batch": (
        Role.WRITER,
        lambda c, h: c.vector_stores.file_batches.create(
            vector_store_id=STORE, file_ids=["file-spare"], extra_headers=h
        ),
    ),
    "cancel a batch": (
        Role.WRITER,
        lambda c, h: c.vector_stores.file_batches.cancel(
            BATCH, vector_store_id=STORE, extra_headers=h
        ),
    ),
    "delete": (Role.OWNER, lambda c, h: c.vector_stores.delete(STORE, extra_headers=h)),
}


@pytest.mark.parametrize("operation", OPENAI_OPERATIONS)
@pytest.mark.parametrize("name", ["owner", "writer", "reader", "team reader", "revoked"])
def test_the_openai_sdk_gets_what_each_role_allows(
    start_server: StartServer, name: str, operation: str
) -> None:
    """Roles granted through MKA1 hold through /v1 too: the dialects share the state."""
    server = start_server(SCENARIO)
    who, (need, call) = WHO[name], OPENAI_OPERATIONS[operation]
    prepare(server, who)
    headers = {} if who.actor is None else {"X-On-Behalf-Of": who.actor}
    client = server.openai_client()
    check(server, who, need, lambda: call(client, headers))


def test_the_openai_sdk_sees_a_refusal_as_permission_denied(start_server: StartServer) -> None:
    client = start_server(SCENARIO).openai_client()
    with pytest.raises(openai.PermissionDeniedError) as raised:
        client.vector_stores.file_batches.cancel(
            BATCH, vector_store_id=STORE, extra_headers={"X-On-Behalf-Of": "bob"}
        )
    assert raised.value.code == "permission_denied"


# --- raw HTTP: the envelope, and what it does not say --------------------------------

Request = tuple[str, str, Any]
WRITES: list[Request] = [
    ("POST", f"/{STORE}", {"name": "Renamed"}),
    ("POST", f"/{STORE}/files", {"file_id": "file-spare"}),
    ("POST", f"/{STORE}/files/file-guide", {"attributes": {"topic": "x"}}),
    ("DELETE", f"/{STORE}/files/file-guide", None),
    ("POST", f"/{STORE}/file_batches", {"file_ids": ["file-spare"]}),
    ("POST", f"/{STORE}/file_batches/{BATCH}/cancel", None),
]
OWNER_ONLY: list[Request] = [
    ("DELETE", f"/{STORE}", None),
    ("POST", f"/{STORE}/permissions", {"user_id": "frank", "role": "reader"}),
    ("DELETE", f"/{STORE}/permissions/erin", None),
]


def send(server: FakeServer, prefix: str, request: Request, actor: str) -> httpx.Response:
    method, path, body = request
    headers = {**AUTH, "X-On-Behalf-Of": actor}
    return httpx.request(method, f"{server.url}{prefix}{path}", json=body, headers=headers)


PREFIXES = [LLM, "/v1/vector_stores", "/spec/v1/vector_stores"]
REFUSALS = [
    pytest.param(prefix, actor, request, id=f"{role} {request[0]} {prefix}{request[1]}")
    for prefix in PREFIXES
    for role, actor, requests in [("reader", "bob", WRITES), ("writer", "erin", OWNER_ONLY)]
    for request in requests
    # Permissions are served by the MKA1 dialect only.
    if prefix == LLM or "/permissions" not in request[1]
]


@pytest.mark.parametrize(("prefix", "actor", "request_"), REFUSALS)
def test_a_refusal_is_a_403_envelope_that_names_no_one(
    start_server: StartServer, prefix: str, actor: str, request_: Request
) -> None:
    server = start_server(SCENARIO)
    before = state(server)
    answer = send(server, prefix, request_, actor)
    assert answer.status_code == 403
    error = answer.json()["error"]
    assert (error["type"], error["code"], error["param"]) == (
        "invalid_request_error",
        "permission_denied",
        None,
    )
    # The store is known to whoever is refused; who else holds a role is not.
    assert STORE in error["message"]
    for other in ("alice", "bob", "erin", "frank"):
        assert other not in error["message"]
    assert state(server) == before


@pytest.mark.parametrize(
    "request_", WRITES + OWNER_ONLY, ids=[f"{m} {p}" for m, p, _ in WRITES + OWNER_ONLY]
)
def test_no_role_is_the_404_of_a_missing_store(
    start_server: StartServer, request_: Request
) -> None:
    server = start_server(SCENARIO)
    method, path, body = request_
    missing = send(server, LLM, (method, path.replace(STORE, "vs_missing"), body), "dave")
    answer = send(server, LLM, request_, "dave")
    assert answer.status_code == missing.status_code == 404
    assert answer.json() == {
        "error": {
            key: value.replace("vs_missing", STORE) if isinstance(value, str) else value
            for key, value in missing.json()["error"].items()
        }
    }


def test_a_refused_batch_uses_no_rate_limit(start_server: StartServer) -> None:
    """Refused before anything is counted: the writer's batch right after passes."""
    server = start_server(
        SCENARIO.replace("clock:", "limits: {attached_files_per_minute: 1}\nclock:", 1)
    )
    sdk: SDK = server.mka1_client()
    stores: Any = sdk.llm.vector_stores

    def create(actor: str) -> Any:
        return stores.create_file_batch(
            vector_store_id=STORE, file_ids=["file-spare"], x_on_behalf_of=actor
        )

    assert status_of(lambda: create("bob")) == 403
    assert create("erin").status == "in_progress"
