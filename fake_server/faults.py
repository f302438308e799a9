"""Scripted failures: which calls of an operation fail, and how.

A rule matches an operation by its operationId. It can wait ``after`` calls
before it starts, fire at most ``times`` times, and fire with a seeded
``probability`` (the same seed gives the same sequence on every run). What it
does: answer an error status, add latency (wall time, to exercise client
timeouts), or drop the connection.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class FaultRule:
    operation: str
    status: int | None = None
    times: int | None = None
    after: int = 0
    probability: float = 1.0
    seed: int = 0
    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    drop_connection: bool = False
    retry_after_ms: int | None = None
    message: str | None = None
    code: str | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FaultRule:
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        return {
            name: getattr(self, name)
            for name in self.__dataclass_fields__
            if getattr(self, name) is not None
        }


@dataclass(frozen=True, slots=True)
class FaultAction:
    """What to do to one request."""

    rule: FaultRule
    latency_seconds: float
    status: int | None
    drop_connection: bool


@dataclass(slots=True)
class _ArmedRule:
    rule: FaultRule
    random: random.Random
    fired: int = 0


@dataclass(slots=True)
class FaultPlan:
    """The rules in force, with their counters. Thread safe."""

    _rules: list[_ArmedRule] = field(default_factory=list)
    _calls: dict[str, int] = field(default_factory=dict)
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
            self._calls.clear()

    def rules(self) -> list[FaultRule]:
        with self._lock:
            return [armed.rule for armed in self._rules]

    def decide(self, operation: str) -> FaultAction | None:
        """Count one call of ``operation``; the first rule that fires decides."""
        with self._lock:
            call = self._calls.get(operation, 0)
            self._calls[operation] = call + 1
            for armed in self._rules:
                rule = armed.rule
                if rule.operation != operation or call < rule.after:
                    continue
                if rule.times is not None and armed.fired >= rule.times:
                    continue
                # Draw for every candidate call so the sequence depends only on the seed.
                if armed.random.random() >= rule.probability:
                    continue
                armed.fired += 1
                jitter = armed.random.uniform(0, rule.jitter_ms) if rule.jitter_ms else 0.0
                return FaultAction(
                    rule,
                    latency_seconds=(rule.latency_ms + jitter) / 1000,
                    status=rule.status,
                    drop_connection=rule.drop_connection,
                )
        return None
