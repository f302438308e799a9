"""Scenario files: what is accepted, and how refusals name file, line and field."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from fake_server import ScenarioError, load_scenario, parse_scenario
from fake_server.contract.resources import shipped_scenarios
from fake_server.domain.views import FileStatus

SHIPPED = shipped_scenarios()


def test_scenarios_are_shipped() -> None:
    assert {path.name for path in SHIPPED} >= {"default.yaml", "mixed.yaml"}


@pytest.mark.parametrize("path", SHIPPED, ids=[path.name for path in SHIPPED])
def test_every_shipped_scenario_is_valid(path: Path) -> None:
    scenario = load_scenario(path)
    world = scenario.instantiate()
    for store in world.account.vector_stores():
        for batch_id in store.batches:
            counts = world.account.get_batch(store.id, batch_id).value.counts
            assert counts.total == len(store.batches[batch_id].files)


# (scenario text, expected line, expected field, expected words in the message)
BAD_SCENARIOS: dict[str, tuple[str, int | None, str, str]] = {
    "files is a number": (
        """
        vector_stores:
          - id: vs_a
            file_batches:
              - id: vsfb_a
                files: 7
        """,
        5,
        "vector_stores[0].file_batches[0].files",
        "expected a list, got 7",
    ),
    "unknown top-level key": (
        "clock: {mode: virtual}\ncolour: blue\n",
        2,
        "colour",
        "unknown key",
    ),
    "unknown key in a file": (
        """
        vector_stores:
          - file_batches:
              - files:
                  - id: file-a
                    statuss: completed
        """,
        5,
        "vector_stores[0].file_batches[0].files[0].statuss",
        "unknown key",
    ),
    "wrong type": (
        "defaults:\n  processing_seconds: soon\n",
        2,
        "defaults.processing_seconds",
        'expected a number, or never, got "soon"',
    ),
    "boolean is not a number": (
        "defaults:\n  processing_seconds: true\n",
        2,
        "defaults.processing_seconds",
        "expected a number, got true",
    ),
    "negative processing time": (
        """
        vector_stores:
          - file_batches:
              - files:
                  - processing_seconds: -5
        """,
        4,
        "vector_stores[0].file_batches[0].files[0].processing_seconds",
        "must be >= 0, got -5",
    ),
    "negative timestamp": (
        "vector_stores:\n  - created_at: -1\n",
        2,
        "vector_stores[0].created_at",
        "must be >= 0",
    ),
    "unknown status": (
        """
        vector_stores:
          - file_batches:
              - files:
                  - {id: file-a, status: done}
        """,
        4,
        "vector_stores[0].file_batches[0].files[0].status",
        '"done" is not one of',
    ),
    "unknown clock mode": (
        "clock:\n  mode: fast\n",
        2,
        "clock.mode",
        '"fast" is not one of: real, virtual',
    ),
    "duplicate vector store id": (
        "vector_stores:\n  - id: vs_a\n  - id: vs_b\n  - id: vs_a\n",
        4,
        "vector_stores[2].id",
        "duplicate id 'vs_a' (first at vector_stores[0].id)",
    ),
    "duplicate batch id": (
        """
        vector_stores:
          - file_batches:
              - {id: vsfb_a, files: [{}]}
          - file_batches:
              - {id: vsfb_a, files: [{}]}
        """,
        5,
        "vector_stores[1].file_batches[0].id",
        "duplicate id 'vsfb_a'",
    ),
    "duplicate file id in a vector store": (
        """
        vector_stores:
          - file_batches:
              - files: [{id: file-a}]
              - files:
                  - id: file-a
        """,
        5,
        "vector_stores[0].file_batches[1].files[0].id",
        "duplicate id 'file-a'",
    ),
    "wrong id prefix": (
        "vector_stores:\n  - id: store_a\n",
        2,
        "vector_stores[0].id",
        "must be 'vs_' followed by",
    ),
    "empty batch": (
        "vector_stores:\n  - file_batches:\n      - files: []\n",
        3,
        "vector_stores[0].file_batches[0].files",
        "at least 1 item",
    ),
    "batch without files": (
        "vector_stores:\n  - file_batches:\n      - id: vsfb_a\n",
        3,
        "vector_stores[0].file_batches[0]",
        "'files' is required",
    ),
    "processing time on a finished file": (
        """
        vector_stores:
          - file_batches:
              - files:
                  - status: completed
                    processing_seconds: 3
        """,
        5,
        "vector_stores[0].file_batches[0].files[0].processing_seconds",
        "only applies to in_progress files",
    ),
    "error on a file that completes": (
        """
        vector_stores:
          - file_batches:
              - files:
                  - error: {code: invalid_file}
        """,
        4,
        "vector_stores[0].file_batches[0].files[0].error",
        "only applies to files that fail",
    ),
    "invalid YAML": ("vector_stores:\n  - id: vs_a\n    name: [unclosed\n", 4, "", "invalid YAML"),
    "tab indentation": ("clock:\n\tmode: real\n", 2, "", "invalid YAML"),
    "duplicate YAML key": (
        "clock: {mode: real}\nclock: {mode: virtual}\n",
        2,
        "clock",
        "duplicate key",
    ),
    "not a mapping": ("- just\n- a list\n", 1, "", "expected a mapping"),
    "a search pattern nested too deeply": (
        "vector_stores:\n  - id: vs_a\n    search:\n      - pattern: '"
        + "(?:" * 200
        + "a"
        + ")" * 200
        + "'\n        results: []\n",
        4,
        "vector_stores[0].search[0].pattern",
        "not a regular expression: its groups are nested too deeply",
    ),
    "a blank owner of an upload": (
        "files:\n  - {id: file-a, owner: '   '}\n",
        2,
        "files[0].owner",
        "must name an end user (not blank",
    ),
    "a blank owner of a vector store": (
        'vector_stores:\n  - {id: vs_a, owner: "\\t"}\n',
        2,
        "vector_stores[0].owner",
        "must name an end user (not blank",
    ),
    "a grant to a blank end user": (
        "vector_stores:\n  - id: vs_a\n    permissions: [{user_id: ' ', role: reader}]\n",
        3,
        "vector_stores[0].permissions[0].user_id",
        "must name an end user (not blank",
    ),
    "a purpose no client can upload with": (
        "files:\n  - {id: file-a, purpose: nonsense}\n",
        2,
        "files[0].purpose",
        "is not one of",
    ),
    "a purpose only OpenAI's file object shows": (
        "files:\n  - {id: file-a, purpose: batch_output}\n",
        2,
        "files[0].purpose",
        "is not one of",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_SCENARIOS))
def test_bad_scenarios_are_refused_with_file_line_and_field(case: str) -> None:
    text, line, field, words = BAD_SCENARIOS[case]
    text = textwrap.dedent(text).lstrip("\n")

    with pytest.raises(ScenarioError) as raised:
        parse_scenario(text, "bad.yaml")

    problem = raised.value.problems[0]
    assert (problem.source, problem.line, problem.field) == ("bad.yaml", line, field), str(
        raised.value
    )
    assert words in problem.message
    where = f"bad.yaml:{line}: {field}: " if field else f"bad.yaml:{line}: "
    assert str(raised.value).startswith(where)


def test_every_problem_is_reported_at_once() -> None:
    text = "colour: blue\nclock: {mode: fast}\ndefaults: {processing_seconds: -1}\n"
    with pytest.raises(ScenarioError) as raised:
        parse_scenario(text, "many.yaml")
    assert [(p.line, p.field) for p in raised.value.problems] == [
        (1, "colour"),
        (2, "clock.mode"),
        (3, "defaults.processing_seconds"),
    ]


def test_an_unreadable_file_is_a_scenario_error(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    with pytest.raises(ScenarioError, match=r"missing\.yaml: cannot read"):
        load_scenario(missing)


@pytest.mark.parametrize(
    ("text", "line"),
    [("\udcff: 1\n", 1), ("vector_stores: []\ndescription: caf\u00e9 \ud800\n", 2)],
)
def test_text_utf8_cannot_carry_is_a_scenario_error(text: str, line: int) -> None:
    """A lone surrogate (only a Python caller can pass one) is named, not a traceback."""
    with pytest.raises(ScenarioError, match=rf"<t>:{line}: .*lone surrogate \(U\+D"):
        parse_scenario(text, "<t>")


def test_a_file_error_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text("vector_stores:\n  - id: vs_a\n    file_batches: 3\n")
    with pytest.raises(ScenarioError) as raised:
        load_scenario(path)
    assert str(raised.value).startswith(f"{path}:3: vector_stores[0].file_batches: ")


def test_an_empty_scenario_is_an_empty_account() -> None:
    world = parse_scenario("", "empty.yaml").instantiate()
    assert list(world.account.vector_stores()) == []


def test_defaults_and_generated_ids() -> None:
    scenario = parse_scenario(
        """
        clock: {mode: virtual, start: 500}
        defaults: {processing_seconds: 30}
        vector_stores:
          - file_batches:
              - files: [{}, {processing_seconds: 60, outcome: failed}]
        """
    )
    world = scenario.instantiate()
    (store,) = world.account.vector_stores()
    (batch,) = store.batches.values()
    assert store.id.startswith("vs_") and len(store.id) == 3 + 32
    assert batch.id.startswith("vsfb_") and len(batch.id) == 5 + 32
    assert all(f.id.startswith("file-") and len(f.id) == 5 + 22 for f in batch.files)
    assert store.created_at == batch.created_at == 500
    assert [f.finishes_at for f in batch.files] == [530, 560]

    assert world.clock.advance(60) == 560  # type: ignore[attr-defined]
    files = world.account.batch_files(store.id, batch.id).value.views
    assert sorted(view.status for view in files) == [FileStatus.COMPLETED, FileStatus.FAILED]


def test_each_instantiation_starts_from_scratch() -> None:
    scenario = parse_scenario(
        "clock: {mode: virtual, start: 0}\n"
        "vector_stores: [{id: vs_a, file_batches: [{id: vsfb_a, files: [{}]}]}]\n"
    )
    first = scenario.instantiate()
    first.account.cancel_batch("vs_a", "vsfb_a")
    second = scenario.instantiate()
    assert second.account.get_batch("vs_a", "vsfb_a").value.status is FileStatus.IN_PROGRESS


def test_a_json_scenario_loads_like_yaml() -> None:
    text = '{"clock": {"mode": "virtual", "start": 5}, "vector_stores": [{"id": "vs_j"}]}'
    world = parse_scenario(text).instantiate()
    assert [store.id for store in world.account.vector_stores()] == ["vs_j"]
    assert world.clock.now() == 5


def test_a_json_scenario_with_a_problem_names_its_line() -> None:
    text = '{\n  "vector_stores": [\n    {"id": "vs_j", "colour": 1}\n  ]\n}\n'
    with pytest.raises(ScenarioError) as raised:
        parse_scenario(text, "s.json")
    assert str(raised.value).startswith("s.json:3: vector_stores[0].colour: unknown key")


def test_duplicate_keys_are_refused_in_json_too() -> None:
    with pytest.raises(ScenarioError, match="duplicate key"):
        parse_scenario('{"clock": {"mode": "real"}, "clock": {"mode": "virtual"}}', "d.json")


def test_an_owner_is_blank_in_a_scenario_exactly_where_a_header_is() -> None:
    # The runtime refuses an end user that str.strip() empties (a blank
    # X-On-Behalf-Of, a blank grant); a scenario must not load one either.
    for space in (chr(code) for code in range(0x3001) if chr(code).isspace()):
        text = f"files:\n  - {{id: file-a, owner: {json.dumps(space * 2)}}}\n"
        with pytest.raises(ScenarioError, match="must name an end user"):
            parse_scenario(text)
    # Not whitespace, but invisible: no header could tell it from none (issue 30).
    with pytest.raises(ScenarioError, match="must name an end user"):
        parse_scenario('files:\n  - {id: file-a, owner: "\\u200b"}\n')


@pytest.mark.parametrize(
    ("where", "text"),
    [
        ("files[0].owner", "files:\n  - {id: file-a, owner: 'alice, bob'}\n"),
        ("vector_stores[0].owner", "vector_stores:\n  - {id: vs_a, owner: a/b}\n"),
        (
            "vector_stores[0].permissions[0].user_id",
            "vector_stores:\n  - id: vs_a\n    permissions: [{user_id: 'a,b', role: reader}]\n",
        ),
        (
            "vector_stores[0].permissions[0].user_id",
            "vector_stores:\n  - id: vs_a\n    permissions: [{user_id: team, role: reader}]\n",
        ),
    ],
)
def test_a_scenario_names_end_users_by_the_rule_the_runtime_keeps(where: str, text: str) -> None:
    # What X-On-Behalf-Of and a grant refuse (a ',', a '/', a user called
    # 'team'), a scenario cannot load either: no request could reach it.
    with pytest.raises(ScenarioError) as raised:
        parse_scenario(text, "s.yaml")
    assert f": {where}: " in str(raised.value) and " must " in str(raised.value)


def test_a_refusal_says_when_it_lists_only_the_first_problems() -> None:
    text = "files:\n" + "".join(f"  - {{id: file-{index}, nonsense: 1}}\n" for index in range(60))
    with pytest.raises(ScenarioError) as raised:
        parse_scenario(text)
    lines = str(raised.value).splitlines()
    assert len(raised.value.problems) == 50
    assert lines[-1] == "... and more problems (the first 50 are listed)"
