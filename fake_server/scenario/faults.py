"""Scripted failures: which calls of an operation fail, and how.

A rule matches an operation by its operationId and, if it names them, the
path parameters of the call (``vector_store_id``, ``batch_id``, ``file_id``,
``user_id``): a fault for one store or one batch. It can let ``after`` calls
through first (counted from when the rule came into force), fire at most
``times`` times, and fire with a seeded ``probability`` (the same seed gives
the same sequence on every run). What it does: answer an error status, add
latency (wall time, to exercise client timeouts), or drop the connection.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

# The path parameters a rule may name, as the operation table's paths spell them.
PATH_PARAMETERS = ("vector_store_id", "batch_id", "file_id", "user_id")


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
    # Only calls with these path parameters (None: any).
    vector_store_id: str | None = None
    batch_id: str | None = None
    file_id: str | None = None
    user_id: str | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FaultRule:
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        return {name: value for name, value in self._asdict().items() if value is not None}

    def aims_at(self, path_params: Mapping[str, str]) -> bool:
        """Whether a call with these path parameters is one the rule names."""
        for name in PATH_PARAMETERS:
            wanted = getattr(self, name)
            if wanted is not None and path_params.get(name) != wanted:
                return False
        return True


class FaultAction(NamedTuple):
    """What to do to one request."""

    rule: FaultRule
    latency_seconds: float
    status: int | None
    drop_connection: bool | str
    # The rule's place in the plan (GET /__fake__/faults lists them in order),
    # which the journal, the log and the inspector show on the answer it made.
    rule_index: int = 0


@dataclass(slots=True)
class _ArmedRule:
    rule: FaultRule
    random: random.Random
    seen: int = 0  # calls it aims at since the rule came into force
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

    def progress(self) -> list[tuple[FaultRule, int, int]]:
        """Each rule with the calls it aimed at so far and the times it fired."""
        with self._lock:
            return [(armed.rule, armed.seen, armed.fired) for armed in self._rules]

    def decide(
        self, operation: str, path_params: Mapping[str, str] | None = None
    ) -> FaultAction | None:
        """Count one call of ``operation`` for the rules aimed at it; the first rule
        that fires decides."""
        if not self._rules:
            return None  # the common case, on every request: no lock taken
        params = path_params or {}
        with self._lock:
            action = None
            for index, armed in enumerate(self._rules):
                rule = armed.rule
                if rule.operation != operation or not rule.aims_at(params):
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
                    rule_index=index,
                )
            return action
