"""fake_server: a stateful, contract-checked fake of the vector store file batch API."""

from __future__ import annotations

import gc
import importlib
from typing import TYPE_CHECKING, Any

# Importing the package (uvicorn, Starlette, every module here) makes some
# 30,000 objects that live as long as the process. The cyclic collector ran
# about 80 times while they were made, freeing next to nothing: ~10 ms of
# CPU, 4% of `fake-server serve`'s start. It is paused while they import and
# then restored as it was.
_collecting = gc.isenabled()
gc.disable()
try:
    from fake_server.contract.checker import Contract, Violation
    from fake_server.contract.dialects import DIALECTS, MKA1, OPENAI, SPEC, Dialect
    from fake_server.domain.clock import Clock, SystemClock, VirtualClock
    from fake_server.http.app import create_app
    from fake_server.scenario.loading import (
        Scenario,
        default_scenario,
        load_scenario,
        parse_scenario,
    )
    from fake_server.scenario.problems import ScenarioError, ScenarioProblem
    from fake_server.serve.thread import ServerThread
finally:
    if _collecting:
        if gc.get_freeze_count() == 0:
            # What the imports made joins the oldest generation, as if it had
            # survived collections: otherwise the first young collection
            # would scan all of it at once, and nothing would be saved.
            gc.freeze()
            gc.unfreeze()
        gc.enable()
    del _collecting

if TYPE_CHECKING:
    from fake_server.testing.handle import (
        ClientBehaviourError,
        ClientCheckWarning,
        ContractViolationError,
        FakeServer,
    )
    from fake_server.testing.inprocess import InProcessTransport

# The testing helpers need httpx; they load on first use so that
# `fake-server serve` starts without it.
_LAZY = {
    "ClientBehaviourError": "fake_server.testing.handle",
    "ClientCheckWarning": "fake_server.testing.handle",
    "ContractViolationError": "fake_server.testing.handle",
    "FakeServer": "fake_server.testing.handle",
    "InProcessTransport": "fake_server.testing.inprocess",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'fake_server' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = [
    "DIALECTS",
    "MKA1",
    "OPENAI",
    "SPEC",
    "ClientBehaviourError",
    "ClientCheckWarning",
    "Clock",
    "Contract",
    "ContractViolationError",
    "Dialect",
    "FakeServer",
    "InProcessTransport",
    "Scenario",
    "ScenarioError",
    "ScenarioProblem",
    "ServerThread",
    "SystemClock",
    "Violation",
    "VirtualClock",
    "create_app",
    "default_scenario",
    "load_scenario",
    "parse_scenario",
]
