"""Everything one running fake holds: the scenario, its world, the contract."""

from __future__ import annotations

import threading
from collections import deque

from fake_server.clock import Clock
from fake_server.contract import Contract, Violation
from fake_server.scenarios import Scenario, World
from fake_server.store import Store

# Violations are kept for the test that caused them; a long-running server
# only needs the recent ones.
MAX_RECORDED_VIOLATIONS = 100


class ServerState:
    def __init__(self, scenario: Scenario, contract: Contract, *, strict: bool = True) -> None:
        self.contract = contract
        self.strict = strict
        self.violations: deque[Violation] = deque(maxlen=MAX_RECORDED_VIOLATIONS)
        self._lock = threading.Lock()
        self._scenario = scenario
        self._world: World = scenario.instantiate()

    @property
    def scenario(self) -> Scenario:
        return self._scenario

    @property
    def store(self) -> Store:
        return self._world.store

    @property
    def clock(self) -> Clock:
        return self._world.clock

    def load(self, scenario: Scenario) -> None:
        """Replace the scenario; the new world is built before the old one is dropped."""
        world = scenario.instantiate()
        with self._lock:
            self._scenario, self._world = scenario, world

    def reset(self) -> None:
        self.load(self._scenario)

    def record(self, violation: Violation) -> None:
        self.violations.append(violation)
