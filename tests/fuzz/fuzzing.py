"""What the schemathesis runs share: the scenario, the checks, and one fuzzing loop
with a fixed seed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

SCENARIO = """
clock: {mode: virtual, start: 1704067200}
files: [{id: file-abc123}, {id: file-abc456}, {id: file-abc789}]
vector_stores:
  - id: vs_abc123
    file_batches: [{id: vsfb_abc123, files: [{id: file-abc123}, {id: file-abc456}]}]
"""
FuzzCase = schemathesis.Case[Any]
Check = Callable[..., bool | None]
CHECKS: list[Check] = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Small enough that the whole run stays well within a minute in CI.
FUZZ_EXAMPLES = 12


def fuzz(
    strategy: st.SearchStrategy[FuzzCase],
    examples: int,
    check: Callable[[FuzzCase], None],
) -> None:
    @given(case=strategy)
    @settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: FuzzCase) -> None:
        check(case)

    run()
