"""YAML mistakes in plain words: line and column, a tab named, a bad indent explained."""

from __future__ import annotations

import pytest

from fake_server.scenario.loading import parse_scenario
from fake_server.scenario.problems import ScenarioError, ScenarioProblem


def refused(text: str) -> ScenarioProblem:
    with pytest.raises(ScenarioError) as error:
        parse_scenario(text, "s.yaml")
    (problem,) = error.value.problems
    return problem


@pytest.mark.parametrize(
    "text",
    ["clock:\n\tmode: real\n", "clock:\n  mode: virtual\n\tstart: 5\n"],
)
def test_a_tab_is_named(text: str) -> None:
    problem = refused(text)
    assert "a tab" in problem.message
    assert "spaces" in problem.message
    assert problem.column == 1
    assert str(problem).startswith(f"s.yaml:{problem.line}: invalid YAML (column 1): a tab")


def test_a_key_indented_off_its_mapping_is_explained() -> None:
    problem = refused("clock:\n  mode: real\n start: 5\n")
    assert (problem.line, problem.column) == (3, 2)
    assert "bad indent" in problem.message
    assert "the keys of one mapping start at the same column" in problem.message


def test_a_line_indented_into_a_list_is_explained() -> None:
    problem = refused("vector_stores:\n  - id: x\n  name: 1\n")
    assert (problem.line, problem.column) == (3, 3)
    assert "bad indent: the list that starts at line 2, column 3" in problem.message


def test_a_key_too_deep_or_an_unquoted_colon_is_explained() -> None:
    deeper = refused("vector_stores:\n  - id: vs_a\n     name: x\n")
    assert deeper.line == 3
    assert "indented deeper than the key above it" in deeper.message
    colon = refused("description: a: b\n")
    assert (colon.line, colon.column) == (1, 15)
    assert "put it in quotes" in colon.message


def test_an_unclosed_list_says_where_it_opened() -> None:
    problem = refused("vector_stores:\n  - id: vs_a\n    name: [unclosed\n")
    assert problem.line == 4
    assert "the list ('[') opened at line 3, column 11 is never closed" in problem.message


def test_other_syntax_errors_keep_the_parser_words_with_a_column() -> None:
    problem = refused("a: 'unterminated\n")
    assert problem.message.startswith("invalid YAML (column ")
    assert problem.column is not None
