"""schemathesis against the control plane, from its own OpenAPI document.

As for the provider dialects (test_schemathesis.py): examples, then fuzzed
valid data, then fuzzed invalid data, with a fixed seed. No answer may be a
5xx, and every answer must be documented, of the documented media type and
valid against its schema.
"""

from __future__ import annotations

import functools

import httpx
import schemathesis
from schemathesis import GenerationMode
from schemathesis.checks import negative_data_rejection

from fake_server.contract.operations import CONTROL_OPERATIONS
from fake_server.serve.waiting import wait_until_healthy
from tests.fuzz.fuzzing import CHECKS, FUZZ_EXAMPLES, SCENARIO, Check, FuzzCase, fuzz
from tests.helpers import READY_TIMEOUT_SECONDS, StartServer


def test_every_control_plane_answer_is_documented_and_valid(start_server: StartServer) -> None:
    server = start_server(SCENARIO)
    # Ready first: a 503 before the validators are compiled is the one 5xx it sends.
    assert wait_until_healthy(server.url, READY_TIMEOUT_SECONDS, ready=True) is None
    document = httpx.get(f"{server.url}/__fake__/openapi/admin.json").json()
    schema = schemathesis.openapi.from_dict(document)
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) == len(CONTROL_OPERATIONS)
    sent = 0

    def call(case: FuzzCase, checks: list[Check]) -> None:
        nonlocal sent
        sent += 1
        case.call_and_validate(base_url=server.url, checks=checks)

    for operation in operations:
        phases = [(operation.as_strategy(), FUZZ_EXAMPLES, CHECKS)]
        documented = document["paths"][operation.path][operation.method.lower()]
        # Invalid data needs something to make invalid: a body (any text is
        # a valid path parameter).
        if "requestBody" in documented:
            phases.append(
                (
                    operation.as_strategy(GenerationMode.NEGATIVE),
                    FUZZ_EXAMPLES,
                    [*CHECKS, negative_data_rejection],
                )
            )
        for strategy, examples, checks in phases:
            fuzz(strategy, examples, functools.partial(call, checks=checks))
    print(f"schemathesis sent {sent} requests to the control plane")
