"""Many callers, one server: each ``X-Fake-Session`` name gets its own world.

A session has its own state, clock, faults and journal, created on first use
from the scenario the server has loaded. Requests without the header use the
default session. Named sessions are bounded: the least recently used one is
dropped when a new one would exceed the limit, so memory stays flat.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict

from fake_server.contract.checker import Contract
from fake_server.domain.errors import InvalidRequestError, NotFoundError, quoted
from fake_server.http.sessions.session import Session
from fake_server.http.sessions.settings import Settings
from fake_server.scenario.loading import Scenario

SESSION_HEADER = "x-fake-session"
SESSION_NAME = re.compile(r"[A-Za-z0-9_.:-]{1,64}")


class Sessions:
    def __init__(self, scenario: Scenario, contract: Contract, settings: Settings) -> None:
        self._contract = contract
        self._settings = settings
        self.max_sessions = settings.max_sessions
        self.default = self._new_state(scenario)
        self._named: OrderedDict[str, Session] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def contract(self) -> Contract:
        return self._contract

    def get(self, name: str | None) -> Session:
        """The session called ``name`` (created if new), or the default one."""
        if name is None:
            return self.default
        check_session_name(name)
        with self._lock:
            state = self._named.get(name)
            if state is None:
                state = self._new_state(self.default.scenario)
                self._named[name] = state
                while len(self._named) > self.max_sessions:
                    self._named.popitem(last=False)
            else:
                self._named.move_to_end(name)
            return state

    def existing(self, name: str | None) -> Session | None:
        """The session called ``name`` if it exists (the default one for None); creates none."""
        if name is None:
            return self.default
        with self._lock:
            return self._named.get(name)

    def names(self) -> list[str]:
        with self._lock:
            return list(self._named)

    def delete(self, name: str) -> None:
        with self._lock:
            if self._named.pop(name, None) is None:
                raise NotFoundError(f"No session named {quoted(name)}.", "name")

    def _new_state(self, scenario: Scenario) -> Session:
        return Session(scenario, self._contract, self._settings)


def check_session_name(name: str) -> None:
    if not SESSION_NAME.fullmatch(name):
        raise InvalidRequestError(
            f"Invalid X-Fake-Session header {quoted(name)}: use 1 to 64 letters, digits, "
            "'_', '.', ':' or '-'.",
            "X-Fake-Session",
        )
