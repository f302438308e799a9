"""Scenarios in: a file, text (YAML or JSON) or a value; a validated ``Scenario`` out.

A scenario is checked as a whole before anything is built (``checks``):
every problem names the file, the line and the field (``messages``). A
refused scenario builds nothing, so whatever was running keeps its state.
"""

from __future__ import annotations

from itertools import islice
from pathlib import Path
from typing import Any, NamedTuple

from fake_server import defaults
from fake_server.contract.resources import scenario_path
from fake_server.contract.twins import twin_value
from fake_server.domain.clock import Clock
from fake_server.scenario.checks import (
    MAX_PROBLEMS,
    fault_problems,
    is_acceptable,
    semantic_problems,
    structural_problems,
)
from fake_server.scenario.contents import ContentFiles, with_contents
from fake_server.scenario.faults import FaultRule
from fake_server.scenario.messages import format_field
from fake_server.scenario.opening import UnreadableError, read_regular_file
from fake_server.scenario.problems import ScenarioError, ScenarioProblem
from fake_server.scenario.world import World, build_world
from fake_server.scenario.yaml.located import (
    LocatedYaml,
    QuickYaml,
    YamlSourceError,
    load_json_quickly,
)


class Scenario(NamedTuple):
    """A validated scenario. ``instantiate`` can be called any number of times."""

    source: str
    data: dict[str, Any]
    # A clock the caller moves, shared by every instantiation, instead of the one
    # the scenario's ``clock`` describes (``fake-server parity``); None: that one.
    clock: Clock | None = None

    def instantiate(self) -> World:
        return build_world(self.data, self.clock)

    def summary(self) -> str:
        stores = self.data.get("vector_stores", [])
        batches = [batch for store in stores for batch in store.get("file_batches", [])]
        files = sum(len(batch["files"]) for batch in batches)
        return f"{len(stores)} vector stores, {len(batches)} file batches, {files} files"


def load_scenario(path: str | Path) -> Scenario:
    """The scenario in the file at ``path``: a regular file of at most
    ``defaults.MAX_SCENARIO_BYTES`` (as ``PUT /__fake__/scenario`` takes), read once."""
    source = str(path)
    try:
        opened = read_regular_file(Path(path), defaults.MAX_SCENARIO_BYTES)
        text = _universal_newlines(opened.data.decode("utf-8"))
    except (UnreadableError, UnicodeDecodeError) as error:
        problem = ScenarioProblem(source, None, "", f"cannot read: {_unreadable_words(error)}")
        raise ScenarioError([problem]) from None
    # content_file paths start where the file read really is.
    return parse_scenario(text, source, base_dir=opened.location.parent)


def _unreadable_words(error: UnreadableError | UnicodeDecodeError) -> str:
    if isinstance(error, UnicodeDecodeError):
        return str(error)
    if error.kind == "not_regular":
        return f"not a regular file ({error.reason})"
    if error.kind == "too_large":
        return f"larger than the limit of {error.reason} bytes"
    return error.reason


def _universal_newlines(text: str) -> str:
    r"""Line breaks as reading the file as text gives them (``\r\n`` and ``\r`` as ``\n``)."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def default_scenario() -> Scenario:
    """The shipped default scenario, read from its JSON twin when the twin was made
    from default.yaml as it is (no PyYAML on the way to a first answer), else from
    the YAML, as any scenario."""
    path = scenario_path("default.yaml")
    value = twin_value("scenarios", "default.yaml")
    if isinstance(value, dict):
        # The source and base folder load_scenario would give it. A current twin
        # holds default.yaml's value, which a test holds to the scenario schema:
        # compiling that schema here would be about 2 ms of every start, so only
        # what a schema cannot say (the files it names, unique ids) is checked.
        source, contents = str(path), ContentFiles(path.resolve().parent)
        if not any(semantic_problems(LocatedYaml(value, {}, {}), source, contents)):
            return Scenario(source, with_contents(value, contents))
    return load_scenario(path)


def parse_scenario(
    text: str, source: str = "<scenario>", *, base_dir: Path | None = None
) -> Scenario:
    """``base_dir``: where ``content_file`` paths start (a scenario read from disk)."""
    _check_encodable(text, source)
    contents = ContentFiles(base_dir)
    # Fast path: most scenarios are valid, and for those line numbers are not
    # needed. Only a scenario with a problem (or anything the quick loaders do
    # not take, see _load_quickly) is parsed again, slowly, keeping the line of
    # every value so each problem can name it.
    quick = _load_quickly(text)
    if quick is not None:
        scenario = _acceptable_scenario(
            {} if quick.value is None else quick.value, source, contents
        )
        if scenario is not None:
            return scenario
    document = _load_with_lines(text, source, quick)
    problems = structural_problems(document, source) or list(
        islice(semantic_problems(document, source, contents), MAX_PROBLEMS)
    )
    if problems:
        raise ScenarioError(problems)
    # The quick parser refused what the careful one accepts (a YAML corner
    # case, a float such as 60.0): the careful reading stands.
    return Scenario(source, with_contents(document.value, contents))


def scenario_from_value(data: Any, source: str, *, base_dir: Path | None = None) -> Scenario | None:
    """The scenario ``data`` describes if it has no problem at all, else None (the
    careful reading, from its text, names the problems)."""
    return _acceptable_scenario(data, source, ContentFiles(base_dir))


def _acceptable_scenario(data: Any, source: str, contents: ContentFiles) -> Scenario | None:
    if is_acceptable(data, source, contents):
        return Scenario(source, with_contents(data, contents))
    return None


def parse_fault(data: Any, source: str) -> FaultRule:
    """A fault rule given at runtime, checked like a scenario's ``faults`` entry.

    ``data`` comes from ``strict_json``: its numbers are finite and within 64
    bits; the schema bounds each field further.
    """
    problems = fault_problems(data, source)
    if problems:
        raise ScenarioError(problems)
    return FaultRule.from_dict(data)


def _check_encodable(text: str, source: str) -> None:
    """Refuse text that is not Unicode text UTF-8 can carry (a lone surrogate, which
    only a Python caller can pass): the YAML reader would fail on it with an
    encoding error, not a scenario problem."""
    if text.isascii():
        return
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        line = text.count("\n", 0, error.start) + 1
        character = f"U+{ord(text[error.start]):04X}"
        raise ScenarioError(
            [ScenarioProblem(source, line, "", f"not UTF-8 text: a lone surrogate ({character})")]
        ) from None


def _load_quickly(text: str) -> QuickYaml | None:
    """The document's value, fast (JSON first, then YAML), or None if anything at
    all is wrong with it; PyYAML (about 15 ms to import) only for YAML."""
    quick = load_json_quickly(text)
    if quick is not None:
        return quick
    from fake_server.scenario.yaml.source import load_yaml_quickly  # noqa: PLC0415

    return load_yaml_quickly(text)


def _load_with_lines(text: str, source: str, quick: QuickYaml | None) -> LocatedYaml:
    """The careful reading: every value with its line (an empty document as ``{}``)."""
    # PyYAML only now (about 15 ms to import): valid JSON never needs it.
    from fake_server.scenario.yaml.source import load_with_lines  # noqa: PLC0415

    try:
        document = load_with_lines(text)
    except YamlSourceError as error:
        if quick is None or not error.unreadable:
            field = format_field(error.path)
            raise ScenarioError(
                [ScenarioProblem(source, error.line, field, error.message, error.column)]
            ) from None
        # JSON that YAML cannot read (YAML limits keys to 1024 characters):
        # the JSON reading stands, its problems named without lines.
        document = LocatedYaml(quick.value, {}, {})
    if document.value is None:
        document = document._replace(value={})
    return document
