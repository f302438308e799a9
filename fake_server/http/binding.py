"""Which function answers which operation: found by name, on its first request.

A handler module defines one public coroutine function per operation it
answers, named as the operation id in snake_case
(``contract.operations.handler_name``). Binding by name keeps the table the
only list of operations: a handler module says nothing about ids.

Each route starts with a ``DeferredHandler``: the modules of its plane are
imported, in order, only when its first request arrives, until one of them
defines the handler, which then takes the deferred one's place in the
route. A start thus imports no handler module, and a first request only the
module that answers it. That every public coroutine
function answers exactly one operation, and every operation has one, is
``bind_handlers``'s check, which a unit test runs over ``handler_modules()``
instead of every start paying for it.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Awaitable, Iterable
from functools import cache
from types import ModuleType
from typing import Any, cast

from fake_server.contract.operations import OPERATIONS, Operation, Plane, handler_name
from fake_server.http.context import Call, Handler

# The modules whose functions answer each plane's operations, most asked first.
HANDLER_MODULES: dict[Plane, tuple[str, ...]] = {
    Plane.PROVIDER: tuple(
        f"fake_server.http.provider.{name}"
        for name in ("batches", "vector_stores", "files", "permissions")
    ),
    Plane.CONTROL: ("fake_server.http.control.admin", "fake_server.http.control.inspector"),
}


class UnboundOperationError(Exception):
    """The table and the handler modules disagree."""


class DeferredHandler:
    """An operation's handler, looked up (its module imported) on the first call."""

    __slots__ = ("_found", "operation")

    def __init__(self, operation: Operation) -> None:
        self.operation = operation
        self._found: Handler | None = None

    def __call__(self, call: Call) -> Awaitable[Any]:
        found = self._found
        if found is None:
            found = self._found = find_handler(self.operation)
        if call.route is not None:
            # The route calls the function itself from now on: one frame less
            # on every later request.
            call.route.handler = found
        return found(call)


def find_handler(operation: Operation) -> Handler:
    """The function of the operation's plane's modules named after it."""
    name = handler_name(operation.id)
    for module_name in HANDLER_MODULES[operation.plane]:
        found = handlers_of(importlib.import_module(module_name)).get(name)
        if found is not None:
            return found
    raise UnboundOperationError(f"{operation.id} has no handler (a function named {name})")


def handler_modules() -> list[ModuleType]:
    """Every handler module, imported (for the check)."""
    return [importlib.import_module(name) for names in HANDLER_MODULES.values() for name in names]


@cache
def handlers_of(module: ModuleType) -> dict[str, Handler]:
    """The module's handlers by name: its own public coroutine functions."""
    return {
        name: cast(Handler, value)
        for name, value in vars(module).items()
        if not name.startswith("_")
        and inspect.iscoroutinefunction(value)
        and value.__module__ == module.__name__
    }


def bind_handlers(modules: Iterable[ModuleType]) -> dict[str, Handler]:
    """Every operation's handler, by operation id; every public coroutine
    function of ``modules`` must answer exactly one operation."""
    wanted = {handler_name(operation.id): operation.id for operation in OPERATIONS}
    bound: dict[str, Handler] = {}
    problems: list[str] = []
    for module in modules:
        for name, value in handlers_of(module).items():
            operation_id = wanted.get(name)
            if operation_id is None:
                problems.append(f"{module.__name__}.{name} answers no operation of the table")
            elif operation_id in bound:
                problems.append(f"{operation_id} has two handlers")
            else:
                bound[operation_id] = value
    problems.extend(
        f"{operation.id} has no handler (a function named {handler_name(operation.id)})"
        for operation in OPERATIONS
        if operation.id not in bound
    )
    if problems:
        raise UnboundOperationError("\n".join(problems))
    return bound
