"""What test authors use: FakeServer, the in-process transport, the pytest plugin."""

from fake_server.testing.handle import (
    ClientBehaviourError,
    ClientCheckWarning,
    ContractViolationError,
    FakeServer,
)
from fake_server.testing.inprocess import InProcessTransport

__all__ = [
    "ClientBehaviourError",
    "ClientCheckWarning",
    "ContractViolationError",
    "FakeServer",
    "InProcessTransport",
]
