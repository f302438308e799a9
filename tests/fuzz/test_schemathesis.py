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

import httpx
import pytest
import schemathesis
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    negative_data_rejection,
)

from fake_server.contract.operations import MKA1_ONLY_OPERATION_IDS, OPERATION_IDS
from tests.fuzz.fuzzing import CHECKS, FUZZ_EXAMPLES, SCENARIO, Check, FuzzCase, fuzz
from tests.helpers import StartServer

PREFIXES = {"openai": "/v1", "mka1": "/api/v1/llm", "spec": "/spec/v1"}
EXAMPLE_EXAMPLES = 3
SENT: Counter[str] = Counter()


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
