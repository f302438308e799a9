"""One list of operations (the table); one place where providers differ (the dialects)."""

from __future__ import annotations

import ast
from pathlib import Path
from types import ModuleType

import pytest

from fake_server.contract.dialects import DIALECTS, MKA1, OPENAI, SPEC, Extension
from fake_server.contract.operations import (
    ALL_OPERATION_IDS,
    CONTROL_OPERATIONS,
    MKA1_ONLY_OPERATION_IDS,
    OPERATION_IDS,
    OPERATIONS,
    PROVIDER_OPERATIONS,
    Plane,
    Shows,
    handler_name,
)
from fake_server.http.app import HANDLERS
from fake_server.http.binding import (
    UnboundOperationError,
    bind_handlers,
    find_handler,
    handler_modules,
)

# The handler modules, imported (a start imports none: see http/binding.py).
HANDLER_MODULES = handler_modules()
PACKAGE = Path(__file__).resolve().parents[2] / "fake_server"
# String literals equal to a dialect's name that are not about dialects:
# the schema sets the contract loads, and the openai SDK's package name.
DIALECT_NAME_ALLOWED = {"contract/loading.py", "testing/handle.py"}


def string_constants(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    }


def modules_holding(words: set[str], allowed: set[str]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        held = string_constants(path) & words
        if held and relative not in allowed:
            found[relative] = held
    return found


def test_every_operation_has_exactly_one_handler_and_every_handler_an_operation() -> None:
    assert set(HANDLERS) == {operation.id for operation in OPERATIONS}
    assert set(bind_handlers(HANDLER_MODULES)) == set(HANDLERS)


def test_each_route_finds_on_its_first_request_the_handler_the_check_binds() -> None:
    bound = bind_handlers(HANDLER_MODULES)
    assert {op.id: find_handler(op) for op in OPERATIONS} == bound


def test_a_handler_for_no_operation_or_a_missing_one_stops_the_binding() -> None:
    stray = ModuleType("stray")

    async def fake_no_such_thing() -> None: ...

    fake_no_such_thing.__module__ = "stray"
    stray.fake_no_such_thing = fake_no_such_thing  # type: ignore[attr-defined]
    with pytest.raises(UnboundOperationError) as raised:
        bind_handlers([*HANDLER_MODULES, stray])
    assert "stray.fake_no_such_thing answers no operation" in str(raised.value)
    with pytest.raises(UnboundOperationError, match="fakeHealth has no handler"):
        bind_handlers(HANDLER_MODULES[:-2])
    with pytest.raises(UnboundOperationError, match="fakeHealth has two handlers"):
        bind_handlers([*HANDLER_MODULES, HANDLER_MODULES[-2]])


def test_handler_names_are_the_ids_in_snake_case() -> None:
    assert handler_name("cancelVectorStoreFileBatch") == "cancel_vector_store_file_batch"
    assert handler_name("fakeOpenApi") == "fake_open_api"


def test_the_id_lists_others_read_are_derived_from_the_table() -> None:
    assert ALL_OPERATION_IDS == OPERATION_IDS + MKA1_ONLY_OPERATION_IDS
    assert {op.id for op in PROVIDER_OPERATIONS} | {op.id for op in CONTROL_OPERATIONS} == {
        op.id for op in OPERATIONS
    }
    beyond = [op for op in PROVIDER_OPERATIONS if op.id in MKA1_ONLY_OPERATION_IDS]
    assert beyond
    assert all(op.extension is Extension.PERMISSIONS for op in beyond)
    assert [d.serves(Extension.PERMISSIONS) for d in (OPENAI, MKA1, SPEC)] == [False, True, False]


def test_only_the_table_names_operations() -> None:
    ids = {operation.id for operation in OPERATIONS}
    assert modules_holding(ids, {"contract/operations.py"}) == {}


def test_only_the_dialect_definitions_name_dialects() -> None:
    names = {dialect.name for dialect in DIALECTS}
    assert modules_holding(names, {"contract/dialects.py", *DIALECT_NAME_ALLOWED}) == {}


def test_the_recording_facts_name_one_upload_and_searches_made_of_content() -> None:
    uploads = [op for op in OPERATIONS if op.creates and op.shows is Shows.FILE]
    assert len(uploads) == 1
    searching = [op for op in OPERATIONS if op.lists_search_results]
    assert searching
    assert all(op.made_of_content for op in searching)
    assert all(op.plane is Plane.PROVIDER for op in OPERATIONS if op.shows or op.made_of_content)
