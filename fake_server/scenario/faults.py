"""Scripted failures: which calls of an operation fail, and how.

A rule matches an operation by its operationId. It can let ``after`` calls
through first (counted from when the rule came into force), fire at most
``times`` times, and fire with a seeded ``probability`` (the same seed gives
the same sequence on every run). What it does: answer an error status, add
latency (wall time, to exercise client timeouts), or drop the connection.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from typing import Any, NamedTuple


class FaultRule(NamedTuple):
    operation: str
    status: int | None = None
    times: int | None = None
    after: int = 0
    probability: float = 1.0
    seed: int = 0
    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    # true: closed before any status line; "mid_body": after the status (http.drops)
    drop_connection: bool | str = False
    retry_after_ms: int | None = None
    message: str | None = None
    code: str | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FaultRule:
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        return {name: value for name, value in self._asdict().items() if value is not None}


class FaultAction(NamedTuple):
    """What to do to one request."""

    rule: FaultRule
    latency_seconds: float
    status: int | None
    drop_connection: bool | str


@dataclass(slots=True)
class _ArmedRule:
    rule: FaultRule
    random: random.Random
    seen: int = 0  # calls of its operation since the rule came into force
    fired: int = 0


@dataclass(slots=True)
class FaultPlan:
    """The rules in force, with their counters. Thread safe."""

    _rules: list[_ArmedRule] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def of(cls, rules: list[FaultRule]) -> FaultPlan:
        plan = cls()
        for rule in rules:
            plan.add(rule)
        return plan

    def add(self, rule: FaultRule) -> None:
        with self._lock:
            self._rules.append(_ArmedRule(rule, random.Random(rule.seed)))

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def rules(self) -> list[FaultRule]:
        with self._lock:
            return [armed.rule for armed in self._rules]

    def decide(self, operation: str) -> FaultAction | None:
        """Count one call of ``operation`` for its rules; the first rule that fires decides."""
        if not self._rules:
            return None  # the common case, on every request: no lock taken
        with self._lock:
            action = None
            for armed in self._rules:
                rule = armed.rule
                if rule.operation != operation:
                    continue
                call, armed.seen = armed.seen, armed.seen + 1
                if action is not None or call < rule.after:
                    continue
                if rule.times is not None and armed.fired >= rule.times:
                    continue
                # Draw for every candidate call so the sequence depends only on the seed.
                if armed.random.random() >= rule.probability:
                    continue
                armed.fired += 1
                jitter = armed.random.uniform(0, rule.jitter_ms) if rule.jitter_ms else 0.0
                action = FaultAction(
                    rule,
                    latency_seconds=(rule.latency_ms + jitter) / 1000,
                    status=rule.status,
                    drop_connection=rule.drop_connection,
                )
            return action
