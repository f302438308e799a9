"""fake_server: a stateful, contract-checked fake of the vector store file batch API."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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
    from fake_server.testing.handle import (
        ClientBehaviourError,
        ClientCheckWarning,
        ContractViolationError,
        FakeServer,
    )
    from fake_server.testing.inprocess import InProcessTransport

# Each name loads its module on first use. Importing the package therefore
# changes nothing and costs nothing: a pytest run with the plugin installed,
# or the command line, loads only what it uses (`fake-server serve` starts
# without httpx; `fake-server wait` without the app).
_HOMES = {
    "Contract": "fake_server.contract.checker",
    "Violation": "fake_server.contract.checker",
    "DIALECTS": "fake_server.contract.dialects",
    "MKA1": "fake_server.contract.dialects",
    "OPENAI": "fake_server.contract.dialects",
    "SPEC": "fake_server.contract.dialects",
    "Dialect": "fake_server.contract.dialects",
    "Clock": "fake_server.domain.clock",
    "SystemClock": "fake_server.domain.clock",
    "VirtualClock": "fake_server.domain.clock",
    "create_app": "fake_server.http.app",
    "Scenario": "fake_server.scenario.loading",
    "default_scenario": "fake_server.scenario.loading",
    "load_scenario": "fake_server.scenario.loading",
    "parse_scenario": "fake_server.scenario.loading",
    "ScenarioError": "fake_server.scenario.problems",
    "ScenarioProblem": "fake_server.scenario.problems",
    "ServerThread": "fake_server.serve.thread",
    "ClientBehaviourError": "fake_server.testing.handle",
    "ClientCheckWarning": "fake_server.testing.handle",
    "ContractViolationError": "fake_server.testing.handle",
    "FakeServer": "fake_server.testing.handle",
    "InProcessTransport": "fake_server.testing.inprocess",
}


def __getattr__(name: str) -> Any:
    module = _HOMES.get(name)
    if module is None:
        raise AttributeError(f"module 'fake_server' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # found once; later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})


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
