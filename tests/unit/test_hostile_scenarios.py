"""Hostile scenarios are refused with a problem list that names field and line, never a crash."""

from __future__ import annotations

import pytest

from fake_server import ScenarioError, parse_scenario
from fake_server.http.control.admin import MAX_ADVANCE_SECONDS
from fake_server.scenario.checks import MAX_DURATION_SECONDS, MAX_TIMESTAMP, scenario_validator
from tests.cases.hostile_scenarios import ALL, MAX_MESSAGE_CHARACTERS


@pytest.mark.parametrize("name", list(ALL))
def test_a_hostile_scenario_is_refused_naming_field_and_line(name: str) -> None:
    case = ALL[name]
    with pytest.raises(ScenarioError) as raised:
        parse_scenario(case.text, "hostile.yaml")
    problems = raised.value.problems
    matching = [
        problem
        for problem in problems
        if problem.field.startswith(case.field) and case.words in problem.message
    ]
    assert matching, [str(problem)[:300] for problem in problems]
    assert all(problem.source == "hostile.yaml" for problem in problems)
    if case.line is not None:
        assert matching[0].line == case.line, str(matching[0])[:300]
    message = str(raised.value)
    assert len(message) <= MAX_MESSAGE_CHARACTERS
    assert all(len(str(problem)) <= 600 for problem in problems), "client input is cut"


# What the bounds must not refuse: YAML features real scenarios use.
ACCEPTED: dict[str, tuple[str, dict[str, object]]] = {
    "a merge key; the mapping's own keys win": (
        "defaults: &slow {processing_seconds: 60, outcome: failed}\n"
        "files:\n  - <<: *slow\n    outcome: completed\n",
        {"processing_seconds": 60, "outcome": "completed"},
    ),
    "merge keys from a list; the last wins, as in yaml.safe_load": (
        "defaults: &a {processing_seconds: 1}\n"
        "files:\n  - &b {processing_seconds: 2, outcome: failed}\n  - {<<: [*a, *b]}\n",
        {"processing_seconds": 2, "outcome": "failed"},
    ),
    "the same, read carefully (a float sends it there)": (
        "defaults: &a {processing_seconds: 1.0}\n"
        "files:\n  - &b {processing_seconds: 2, outcome: failed}\n  - {<<: [*a, *b]}\n",
        {"processing_seconds": 2, "outcome": "failed"},
    ),
    "an integral float where a number is due": (
        "defaults: {processing_seconds: 60.0}\n",
        {"processing_seconds": 60.0},
    ),
    "the same, as JSON": (
        '{"defaults": {"processing_seconds": 6e1}}',
        {"processing_seconds": 60.0},
    ),
    "explicit JSON tags": (
        "defaults: !!map {processing_seconds: !!int '5'}\n",
        {"processing_seconds": 5},
    ),
    "numbers at their bounds": (
        "clock: {mode: virtual, start: 253402300799, advance_on_poll: 1000000000}\n"
        "defaults: {processing_seconds: 1000000000}\n",
        {"processing_seconds": 1_000_000_000},
    ),
}


@pytest.mark.parametrize("name", list(ACCEPTED))
def test_yaml_features_within_the_bounds_still_load(name: str) -> None:
    text, expected = ACCEPTED[name]
    data = parse_scenario(text).data
    assert (data["files"][-1] if "files" in data else data["defaults"]) == expected


def test_aliases_up_to_the_bound_load() -> None:
    # 49 batches sharing one list of 2,000 files: 98,049 values through aliases.
    text = (
        "vector_stores:\n  - id: vs_a\n    file_batches:\n      - files: &f ["
        + ", ".join(["{}"] * 2000)
        + "]\n"
        + "      - files: *f\n" * 49
    )
    assert parse_scenario(text).summary() == "1 vector stores, 50 file batches, 100000 files"
    with pytest.raises(ScenarioError, match="aliases expand to more than 100,000 values"):
        parse_scenario(text + "      - files: *f\n")


def test_the_schema_states_the_bounds_the_code_uses() -> None:
    schema = scenario_validator().schema
    clock = schema["properties"]["clock"]["properties"]
    assert clock["start"]["maximum"] == MAX_TIMESTAMP == schema["$defs"]["timestamp"]["maximum"]
    assert clock["advance_on_poll"]["maximum"] == MAX_DURATION_SECONDS == MAX_ADVANCE_SECONDS
    for where in (
        schema["properties"]["defaults"],
        schema["$defs"]["file"],
        schema["$defs"]["upload"],
    ):
        # A number (or "never"): the bound is on the number.
        seconds = where["properties"]["processing_seconds"]
        assert seconds["else"]["maximum"] == MAX_DURATION_SECONDS
