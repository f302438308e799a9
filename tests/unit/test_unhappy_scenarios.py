"""Scenario keys for the unhappy paths: cancel modes, files that never finish."""

from __future__ import annotations

import pytest

from fake_server.domain.views import FileCounts
from fake_server.scenario.loading import parse_scenario
from fake_server.scenario.problems import ScenarioError

BATCH = """
vector_stores:
  - id: vs_a
    file_batches:
      - id: vsfb_a
        files: [{id: file-a}, {id: file-b, processing_seconds: 1}]
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "cancel:\n  delay_seconds: 2\n",
            "<s>:2: cancel.delay_seconds: only applies to mode: gradual",
        ),
        ("cancel:\n  mode: slow\n", '<s>:2: cancel.mode: "slow" is not one of: immediate, gradual'),
        (
            "defaults:\n  processing_seconds: soon\n",
            '<s>:2: defaults.processing_seconds: expected a number, or never, got "soon"',
        ),
        (
            "files:\n  - processing_seconds: -1\n",
            "<s>:2: files[0].processing_seconds: must be >= 0, got -1",
        ),
        (
            "cancel:\n  mode: gradual\n  delay_seconds: -1\n",
            "<s>:3: cancel.delay_seconds: must be >= 0, got -1",
        ),
    ],
)
def test_bad_unhappy_path_keys_are_refused_with_file_line_and_field(
    text: str, expected: str
) -> None:
    with pytest.raises(ScenarioError) as refused:
        parse_scenario(text, "<s>")
    assert str(refused.value) == expected


def test_never_in_defaults_keeps_files_in_progress_until_a_gradual_cancel_reaches_them() -> None:
    world = parse_scenario(
        "clock: {mode: virtual, start: 1000}\n"
        "defaults: {processing_seconds: never}\n"
        "cancel: {mode: gradual, delay_seconds: 5}\n" + BATCH
    ).instantiate()
    account = world.account
    world.clock.advance(10**6)  # type: ignore[attr-defined]
    assert account.get_batch("vs_a", "vsfb_a").value.counts == FileCounts(1, 1, 0, 0)
    assert account.cancel_batch("vs_a", "vsfb_a").value.counts == FileCounts(1, 1, 0, 0)
    world.clock.advance(5)  # type: ignore[attr-defined]
    assert account.get_batch("vs_a", "vsfb_a").value.counts == FileCounts(0, 1, 0, 1)


def test_an_immediate_cancel_is_the_default() -> None:
    world = parse_scenario("clock: {mode: virtual, start: 1000}\n" + BATCH).instantiate()
    assert world.account.cancel_batch("vs_a", "vsfb_a").value.counts == FileCounts(0, 0, 0, 2)


def test_never_on_an_upload_applies_once_it_is_added() -> None:
    world = parse_scenario(
        "clock: {mode: virtual, start: 1000}\n"
        "files: [{id: file-slow, processing_seconds: never}]\n"
        "vector_stores: [{id: vs_b}]\n"
    ).instantiate()
    account = world.account
    view = account.create_batch("vs_b", ["file-slow"])
    world.clock.advance(10**6)  # type: ignore[attr-defined]
    assert account.get_batch("vs_b", view.id).value.counts == FileCounts(1, 0, 0, 0)
