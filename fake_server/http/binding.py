"""Which function answers which operation: found by name, checked once.

A handler module defines one public coroutine function per operation it
answers, named as the operation id in snake_case
(``contract.operations.handler_name``). Binding by name keeps the table the
only list of operations: a handler module says nothing about ids, and a
typo, a missing handler or a handler for no operation fails at import of
the app, not on the first request that needs it.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from types import ModuleType
from typing import cast

from fake_server.contract.operations import OPERATIONS, handler_name
from fake_server.http.context import Handler


class UnboundOperationError(Exception):
    """The table and the handler modules disagree."""


def bind_handlers(modules: Iterable[ModuleType]) -> dict[str, Handler]:
    """Every operation's handler, by operation id; every public coroutine
    function of ``modules`` must answer exactly one operation."""
    wanted = {handler_name(operation.id): operation.id for operation in OPERATIONS}
    bound: dict[str, Handler] = {}
    problems: list[str] = []
    for module in modules:
        for name, value in vars(module).items():
            if (
                name.startswith("_")
                or not inspect.iscoroutinefunction(value)
                or value.__module__ != module.__name__
            ):
                continue
            operation_id = wanted.get(name)
            if operation_id is None:
                problems.append(f"{module.__name__}.{name} answers no operation of the table")
            elif operation_id in bound:
                problems.append(f"{operation_id} has two handlers")
            else:
                bound[operation_id] = cast(Handler, value)
    problems.extend(
        f"{operation.id} has no handler (a function named {handler_name(operation.id)})"
        for operation in OPERATIONS
        if operation.id not in bound
    )
    if problems:
        raise UnboundOperationError("\n".join(problems))
    return bound
