"""Every operation fake_server serves, once, with every fact the rest of the code asks about.

Provider operations are named by the spec's operationId (or the MKA1 SDK's,
for those beyond the spec) and served under each dialect's prefix; control
plane operations live under ``/__fake__``. Routing, the control plane's
auth, the inspector, the expired-store rule, the client report and the
OpenAPI documents all read this table: nothing else lists operations.

A handler is bound to its entry by name: the operation id in snake_case
(``cancelVectorStoreFileBatch`` -> ``cancel_vector_store_file_batch``), see
``handler_name``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import StrEnum
from typing import NamedTuple

from fake_server.contract.dialects import Extension

# The body types a change to the control plane takes (no Content-Type at all
# is always taken). None of them is one a web page may send anywhere without
# a CORS preflight: text/plain and the form encodings (see http/guards.py).
JSON_BODY = ("application/json",)
# A scenario is YAML, of which JSON is a part.
YAML_BODY = (*JSON_BODY, "application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")


class Plane(StrEnum):
    # A provider's API, served under every dialect's prefix.
    PROVIDER = "provider"
    # fake_server's own control plane, under ``/__fake__``.
    CONTROL = "control"


class Shows(StrEnum):
    """The object a provider operation's answer shows, of those a recording follows."""

    FILE = "file"
    FILE_LIST = "file_list"
    VECTOR_STORE = "vector_store"
    VECTOR_STORE_LIST = "vector_store_list"
    BATCH = "batch"
    STORE_FILE = "store_file"
    STORE_FILE_LIST = "store_file_list"


class Operation(NamedTuple):
    id: str
    method: str
    # The path after the dialect's prefix (provider) or ``/__fake__`` (control).
    path: str
    plane: Plane
    # Beyond the OpenAI spec: served only by the dialects that have this
    # extension (``Dialect.serves``). None: every dialect serves it.
    extension: Extension | None = None
    # Control plane: anyone may call it, even when an admin token is set
    # (health and ready, so that `fake-server wait` and probes need no secret).
    open: bool = False
    # Control plane: looks at an existing session only, never creating one.
    observes: bool = False
    # Control plane: may take the admin token from its URL, once (the inspector page).
    token_in_query: bool = False
    # Answers 410 once its vector store has expired, in a dialect whose SDK
    # documents that (``Dialect.expired_store_answers_gone``).
    gone_when_expired: bool = False
    # Client report: a read an SDK polls while its object is in progress.
    polled: bool = False
    # Client report: creates an object, so a blind retry may create two.
    creates: bool = False
    # Client report: reads (or cancels) a batch, which confirms an earlier cancel.
    reads_batch: bool = False
    # Client report: the cancel whose outcome a client must confirm.
    cancels_batch: bool = False
    # Client report: answers from vector stores it searches for the client
    # (a ``file_search`` tool), so asking before their files are ready is a mistake.
    searches_stores: bool = False
    # Answers with server-sent events when asked (``stream: true``): a
    # ``mid_body`` drop then cuts the events half way (``http.drops``).
    streams: bool = False
    # Contract: its schemas are a part of each schema set of their own, read on
    # its first check (the Responses API's: several times all the others').
    schemas_apart: bool = False
    # Control plane: the body types a change takes (JSON_BODY, YAML_BODY).
    body_types: tuple[str, ...] = JSON_BODY
    # Control plane: served at the server's root, not under ``/__fake__``.
    at_root: bool = False
    # Recording: the object its (2xx) answer shows, read off it to follow the
    # client's files, stores and batches (with ``creates``: one it made). None:
    # an answer that shows none of them (a deletion, content, a search, a response).
    shows: Shows | None = None
    # Parity: its answer lists the uploaded files' content (search results, a
    # store file's text), which stand-in bytes cannot give: not compared when a
    # recording kept only the uploads' digests. Not a download (compared by its
    # size, which stand-ins keep) nor a response (the service's model's own).
    made_of_content: bool = False
    # Parity: its answer lists search results, as many as the files ready to
    # search give (a scenario's timing), so a different number is the scenario's.
    lists_search_results: bool = False


PROVIDER, CONTROL = Plane.PROVIDER, Plane.CONTROL
PERMISSIONS = Extension.PERMISSIONS
_STORES = "/vector_stores"
_STORE = _STORES + "/{vector_store_id}"
_STORE_FILE = _STORE + "/files/{file_id}"
_BATCHES = _STORE + "/file_batches"
_BATCH = _BATCHES + "/{batch_id}"
_PERMISSIONS = _STORE + "/permissions"
_RESPONSES = "/responses"
_RESPONSE = _RESPONSES + "/{response_id}"

# Provider operations in the order the OpenAPI documents list them (and
# routes are tried: a path fits one template at most, so the order only
# decides how soon a new path is matched; a path seen before is remembered).
OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "createVectorStore", "POST", _STORES, PROVIDER, creates=True, shows=Shows.VECTOR_STORE
    ),
    Operation("listVectorStores", "GET", _STORES, PROVIDER, shows=Shows.VECTOR_STORE_LIST),
    Operation(
        "getVectorStore", "GET", _STORE, PROVIDER, gone_when_expired=True, shows=Shows.VECTOR_STORE
    ),
    Operation("deleteVectorStore", "DELETE", _STORE, PROVIDER),
    Operation("createFile", "POST", "/files", PROVIDER, creates=True, shows=Shows.FILE),
    Operation("retrieveFile", "GET", "/files/{file_id}", PROVIDER, shows=Shows.FILE),
    Operation(
        "createVectorStoreFileBatch",
        "POST",
        _BATCHES,
        PROVIDER,
        creates=True,
        gone_when_expired=True,
        shows=Shows.BATCH,
    ),
    Operation(
        "getVectorStoreFileBatch",
        "GET",
        _BATCH,
        PROVIDER,
        polled=True,
        reads_batch=True,
        gone_when_expired=True,
        shows=Shows.BATCH,
    ),
    Operation(
        "cancelVectorStoreFileBatch",
        "POST",
        _BATCH + "/cancel",
        PROVIDER,
        reads_batch=True,
        cancels_batch=True,
        gone_when_expired=True,
        shows=Shows.BATCH,
    ),
    Operation(
        "listFilesInVectorStoreBatch",
        "GET",
        _BATCH + "/files",
        PROVIDER,
        reads_batch=True,
        gone_when_expired=True,
        shows=Shows.STORE_FILE_LIST,
    ),
    Operation(
        "listVectorStoreFiles",
        "GET",
        _STORE + "/files",
        PROVIDER,
        gone_when_expired=True,
        shows=Shows.STORE_FILE_LIST,
    ),
    Operation(
        "getVectorStoreFile",
        "GET",
        _STORE_FILE,
        PROVIDER,
        polled=True,
        gone_when_expired=True,
        shows=Shows.STORE_FILE,
    ),
    Operation("listFiles", "GET", "/files", PROVIDER, shows=Shows.FILE_LIST),
    Operation("deleteFile", "DELETE", "/files/{file_id}", PROVIDER),
    Operation("downloadFile", "GET", "/files/{file_id}/content", PROVIDER),
    Operation(
        "modifyVectorStore",
        "POST",
        _STORE,
        PROVIDER,
        gone_when_expired=True,
        shows=Shows.VECTOR_STORE,
    ),
    Operation(
        "createVectorStoreFile",
        "POST",
        _STORE + "/files",
        PROVIDER,
        creates=True,
        gone_when_expired=True,
        shows=Shows.STORE_FILE,
    ),
    Operation(
        "updateVectorStoreFileAttributes",
        "POST",
        _STORE_FILE,
        PROVIDER,
        gone_when_expired=True,
        shows=Shows.STORE_FILE,
    ),
    Operation("deleteVectorStoreFile", "DELETE", _STORE_FILE, PROVIDER, gone_when_expired=True),
    Operation(
        "retrieveVectorStoreFileContent",
        "GET",
        _STORE_FILE + "/content",
        PROVIDER,
        gone_when_expired=True,
        made_of_content=True,
    ),
    Operation(
        "searchVectorStore",
        "POST",
        _STORE + "/search",
        PROVIDER,
        gone_when_expired=True,
        made_of_content=True,
        lists_search_results=True,
    ),
    Operation(
        "createResponse",
        "POST",
        _RESPONSES,
        PROVIDER,
        creates=True,
        searches_stores=True,
        streams=True,
        schemas_apart=True,
    ),
    Operation("getResponse", "GET", _RESPONSE, PROVIDER, schemas_apart=True),
    Operation("deleteResponse", "DELETE", _RESPONSE, PROVIDER, schemas_apart=True),
    Operation("listInputItems", "GET", _RESPONSE + "/input_items", PROVIDER, schemas_apart=True),
    Operation(
        "listVectorStorePermissions",
        "GET",
        _PERMISSIONS,
        PROVIDER,
        PERMISSIONS,
        gone_when_expired=True,
    ),
    Operation(
        "createVectorStorePermission",
        "POST",
        _PERMISSIONS,
        PROVIDER,
        PERMISSIONS,
        gone_when_expired=True,
    ),
    Operation(
        "getVectorStorePermission",
        "GET",
        _PERMISSIONS + "/{user_id}",
        PROVIDER,
        PERMISSIONS,
        gone_when_expired=True,
    ),
    Operation(
        "deleteVectorStorePermission",
        "DELETE",
        _PERMISSIONS + "/{user_id}",
        PROVIDER,
        PERMISSIONS,
        gone_when_expired=True,
    ),
    # The server's root points to the inspector, the OpenAPI documents and the docs.
    Operation("fakeIndex", "GET", "/", CONTROL, open=True, at_root=True),
    Operation("fakeHealth", "GET", "/health", CONTROL, open=True),
    # Liveness above, readiness here: 503 until the validators are compiled.
    Operation("fakeReady", "GET", "/ready", CONTROL, open=True),
    Operation("fakeReset", "POST", "/reset", CONTROL),
    Operation("fakeLoadScenario", "PUT", "/scenario", CONTROL, body_types=YAML_BODY),
    Operation("fakeGetClock", "GET", "/clock", CONTROL),
    Operation("fakeAdvanceClock", "POST", "/clock/advance", CONTROL),
    Operation("fakeListRequests", "GET", "/requests", CONTROL),
    Operation("fakeClearRequests", "DELETE", "/requests", CONTROL),
    Operation("fakeGetReport", "GET", "/report", CONTROL),
    Operation("fakeListFaults", "GET", "/faults", CONTROL),
    Operation("fakeAddFault", "POST", "/faults", CONTROL),
    Operation("fakeClearFaults", "DELETE", "/faults", CONTROL),
    Operation("fakeOpenApi", "GET", "/openapi/{dialect}.json", CONTROL, open=True),
    Operation("fakeListSessions", "GET", "/sessions", CONTROL),
    Operation("fakeDeleteSession", "DELETE", "/sessions/{name}", CONTROL),
    # The inspector: its page and files act on no session; the state read looks at one.
    Operation("fakeInspector", "GET", "/ui", CONTROL, observes=True, token_in_query=True),
    Operation("fakeInspectorAsset", "GET", "/ui/{name}", CONTROL, observes=True),
    Operation("fakeGetState", "GET", "/state", CONTROL, observes=True),
    Operation("fakeGetStateRequest", "GET", "/state/requests/{request_id}", CONTROL, observes=True),
)
BY_ID = {operation.id: operation for operation in OPERATIONS}
assert len(BY_ID) == len(OPERATIONS), "an operation id is listed twice"

PROVIDER_OPERATIONS = tuple(op for op in OPERATIONS if op.plane is PROVIDER)
CONTROL_OPERATIONS = tuple(op for op in OPERATIONS if op.plane is CONTROL)


def ids_where(test: Callable[[Operation], bool]) -> frozenset[str]:
    """The ids of the operations ``test`` holds for."""
    return frozenset(op.id for op in OPERATIONS if test(op))


# Every provider operation: what a scenario's fault may name.
ALL_OPERATION_IDS = tuple(op.id for op in PROVIDER_OPERATIONS)
# The spec's operations, which every dialect serves.
OPERATION_IDS = tuple(op.id for op in PROVIDER_OPERATIONS if op.extension is None)
# Those beyond the spec (today only MKA1's SDK has them).
MKA1_ONLY_OPERATION_IDS = tuple(op.id for op in PROVIDER_OPERATIONS if op.extension is not None)

_WORD_START = re.compile(r"(?<!^)(?=[A-Z])")


def handler_name(operation_id: str) -> str:
    """The name of the function that answers an operation: its id in snake_case."""
    return _WORD_START.sub("_", operation_id).lower()
