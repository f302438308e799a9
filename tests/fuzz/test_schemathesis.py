"""schemathesis against a running server, every operation of every provider dialect.

The server publishes its own OpenAPI document (built from the schemas it
validates against); schemathesis generates requests from it: the document's
examples, then fuzzed valid data, then fuzzed invalid data, all with a fixed
seed. No answer may be a 5xx, and every answer must be documented, of the
documented media type and valid against its schema.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from fake_server.contract.operations import MKA1_ONLY_OPERATION_IDS, OPERATION_IDS
from tests.helpers import StartServer

SCENARIO = """
clock: {mode: virtual, start: 1704067200}
files: [{id: file-abc123}, {id: file-abc456}, {id: file-abc789}]
vector_stores:
  - id: vs_abc123
    file_batches: [{id: vsfb_abc123, files: [{id: file-abc123}, {id: file-abc456}]}]
"""
CHECKS: list[Check] = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
PREFIXES = {"openai": "/v1", "mka1": "/api/v1/llm", "spec": "/spec/v1"}
# Small enough that the whole run stays well within a minute in CI.
FUZZ_EXAMPLES = 12
EXAMPLE_EXAMPLES = 3
SENT: Counter[str] = Counter()
FuzzCase = schemathesis.Case[Any]
Check = Callable[..., bool | None]


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


@pytest.mark.parametrize("dialect", list(PREFIXES))
def test_every_answer_is_documented_and_valid(dialect: str, start_server: StartServer) -> None:
    server = start_server(SCENARIO)
    document = httpx.get(f"{server.url}/__fake__/openapi/{dialect}.json").json()
    schema = schemathesis.openapi.from_dict(document)
    base_url = server.url + PREFIXES[dialect]
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    own = MKA1_ONLY_OPERATION_IDS if dialect == "mka1" else ()
    assert len(operations) == len(OPERATION_IDS) + len(own)

    def call(case: FuzzCase, checks: list[Check]) -> None:
        SENT[dialect] += 1
        case.call_and_validate(
            base_url=base_url, headers={"Authorization": "Bearer fuzz"}, checks=checks
        )

    for operation in operations:
        phases = [
            (st.one_of(examples), EXAMPLE_EXAMPLES, CHECKS)
            for examples in [operation.get_strategies_from_examples()]
            if examples
        ]
        phases.append((operation.as_strategy(), FUZZ_EXAMPLES, CHECKS))
        phases.append(
            (
                operation.as_strategy(GenerationMode.NEGATIVE),
                FUZZ_EXAMPLES,
                [*CHECKS, negative_data_rejection],
            )
        )
        for strategy, examples, checks in phases:
            fuzz(strategy, examples, functools.partial(call, checks=checks))
    print(f"schemathesis sent {SENT[dialect]} requests to the {dialect} dialect")
