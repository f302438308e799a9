"""One session: its scenario and live world, the view cache beside it, faults, journal."""

from __future__ import annotations

import threading
from collections import deque
from typing import Any

from fake_server.contract.checker import Contract, Violation
from fake_server.domain.account import Account
from fake_server.domain.answers import ScriptedReply
from fake_server.domain.clock import Clock, VirtualClock
from fake_server.domain.errors import ConflictError
from fake_server.domain.file_search import ResponseStore
from fake_server.domain.limits import Limits
from fake_server.http.provider.view_cache import ViewCache
from fake_server.http.sessions.journal import Journal
from fake_server.http.sessions.report import ClientLog, findings
from fake_server.http.sessions.settings import Settings
from fake_server.scenario.faults import FaultPlan
from fake_server.scenario.loading import Scenario
from fake_server.scenario.world import World

# Violations are kept for the test that caused them; a long-running server
# only needs the recent ones.
MAX_RECORDED_VIOLATIONS = 100


class Session:
    """What one X-Fake-Session (or the default session) holds; swapped whole on a reset."""

    def __init__(self, scenario: Scenario, contract: Contract, settings: Settings) -> None:
        self.contract = contract
        self.strict = settings.strict
        self.violations: deque[Violation] = deque(maxlen=MAX_RECORDED_VIOLATIONS)
        self._journal_override = settings.journal_max_entries
        self._lock = threading.Lock()
        self._scenario = scenario
        self._world: World = scenario.instantiate()
        # Encodings of this world's views; replaced with the world.
        self._views = ViewCache()
        self.faults = FaultPlan.of(self._world.faults)
        self.journal = Journal(self._journal_size(self._world))
        self.client_log = ClientLog()
        # Stored model responses (``store``), bounded; ``responses.recent()`` lists them.
        self.responses = ResponseStore()
        # The last report and what it was made of: the inspector asks every second.
        self._report: tuple[tuple[Any, ...], list[dict[str, Any]]] | None = None

    @property
    def scenario(self) -> Scenario:
        return self._scenario

    @property
    def account(self) -> Account:
        return self._world.account

    @property
    def views(self) -> ViewCache:
        return self._views

    @property
    def scripted_replies(self) -> tuple[ScriptedReply, ...]:
        """The scenario's ``responses`` rules: scripted answers to questions."""
        return self._world.replies

    @property
    def clock(self) -> Clock:
        return self._world.clock

    @property
    def limits(self) -> Limits:
        return self._world.limits

    @property
    def cancel_delay(self) -> float | None:
        return self._world.cancel_delay

    @property
    def poll_after_ms(self) -> int | None:
        return self._world.poll_after_ms

    def advance_clock(self, seconds: float) -> float:
        """Move a virtual clock forward; a real one cannot be moved."""
        clock = self._world.clock
        if not isinstance(clock, VirtualClock):
            raise ConflictError(
                "The scenario's clock is real and cannot be advanced; "
                "use clock: {mode: virtual} in the scenario.",
                "real_clock",
            )
        return clock.advance(seconds)

    def api_keys(self) -> frozenset[str]:
        """The keys the scenario accepts (none listed: any key)."""
        return frozenset(self._world.api_keys or ())

    def accepts(self, api_key: str) -> bool:
        keys = self._world.api_keys
        return keys is None or api_key in keys

    def load(self, scenario: Scenario) -> None:
        """Replace the scenario: state, clock, faults and journal start afresh.

        The new world is built completely before anything is swapped, so a
        failure leaves the old one in place.
        """
        world = scenario.instantiate()
        faults = FaultPlan.of(world.faults)
        journal = Journal(self._journal_size(world))
        with self._lock:
            self._scenario, self._world, self._views = scenario, world, ViewCache()
            self.faults, self.journal = faults, journal
            self.client_log = ClientLog()
            self.responses = ResponseStore()
            self._report = None
            self.violations.clear()

    def reset(self) -> None:
        self.load(self._scenario)

    def report(self) -> list[dict[str, Any]]:
        """What the client did wrong, as far as this session saw (``http.report``).

        Made again only when what it reads changed: the client log, and the
        clock if a gradual cancel may wait on it (``cancel_not_confirmed``)."""
        log, delay, now = self.client_log, self.cancel_delay, self.clock.now()
        key = (log, log.stamp(), delay, None if delay is None else now)
        made = self._report
        if made is None or made[0] != key:
            made = self._report = (key, findings(log.observations(), now, delay))
        return list(made[1])

    def record(self, violation: Violation) -> None:
        self.violations.append(violation)

    def _journal_size(self, world: World) -> int:
        return self._journal_override or world.journal_max_entries
