"""fake_server: a stateful, contract-checked fake of the vector store file batch API."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from fake_server.contract.checker import Contract, Violation
from fake_server.contract.dialects import DIALECTS, MKA1, OPENAI, SPEC, Dialect
from fake_server.domain.clock import Clock, SystemClock, VirtualClock
from fake_server.http.app import create_app
from fake_server.scenario.parsing import Scenario, default_scenario, load_scenario, parse_scenario
from fake_server.scenario.problems import ScenarioError, ScenarioProblem
from fake_server.server import ServerThread

if TYPE_CHECKING:
    from fake_server.inprocess import InProcessTransport
    from fake_server.testing import (
        ClientBehaviourError,
        ClientCheckWarning,
        ContractViolationError,
        FakeServer,
    )

# The testing helpers need httpx; they load on first use so that
# `fake-server serve` starts without it.
_LAZY = {
    "ClientBehaviourError": "fake_server.testing",
    "ClientCheckWarning": "fake_server.testing",
    "ContractViolationError": "fake_server.testing",
    "FakeServer": "fake_server.testing",
    "InProcessTransport": "fake_server.inprocess",
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
