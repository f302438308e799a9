"""Scenarios: YAML in, validated ``Scenario`` out, and a fresh world from it.

A scenario is checked as a whole before anything is built: first against its
JSON Schema (``schemas/scenario.schema.json``), then for what a schema cannot
say (duplicate ids, settings that only apply to in-progress files). Every
problem names the file, the line and the field. A refused scenario builds
nothing, so whatever was running keeps its state.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from fake_server import defaults
from fake_server.contract.operations import ALL_OPERATION_IDS
from fake_server.contract.resources import scenario_path, schema_path
from fake_server.contract.twins import twin_value
from fake_server.contract.validation import CompiledSchema
from fake_server.domain.errors import quoted
from fake_server.domain.search import compile_pattern
from fake_server.scenario.faults import FaultRule
from fake_server.scenario.problems import MAX_LISTED_PROBLEMS, ScenarioError, ScenarioProblem

# Where a content_file's bytes are kept once read (never a key a scenario may
# write: the schema refuses unknown keys).
from fake_server.scenario.world import CONTENT_BYTES, World, build_world
from fake_server.scenario.yaml.located import (
    LocatedYaml,
    QuickYaml,
    YamlPath,
    YamlSourceError,
    load_json_quickly,
)

if TYPE_CHECKING:
    import jsonschema

# The bounds the schema gives numbers, named here for code and tests that
# need them (tests check that the schema says the same).
MAX_DURATION_SECONDS = 1_000_000_000  # processing times, advance_on_poll, one clock advance
MAX_TIMESTAMP = 253_402_300_799  # 9999-12-31T23:59:59Z: clock.start and every created_at
# Looked for, of each kind: one more than a refusal lists, so that it can say
# there are more.
MAX_PROBLEMS = MAX_LISTED_PROBLEMS + 1
MAX_FIELD_CHARACTERS = 200


class Scenario(NamedTuple):
    """A validated scenario. ``instantiate`` can be called any number of times."""

    source: str
    data: dict[str, Any]

    def instantiate(self) -> World:
        return build_world(self.data)

    def summary(self) -> str:
        stores = self.data.get("vector_stores", [])
        batches = [batch for store in stores for batch in store.get("file_batches", [])]
        files = sum(len(batch["files"]) for batch in batches)
        return f"{len(stores)} vector stores, {len(batches)} file batches, {files} files"


# --- loading and validation ---------------------------------------------------


def load_scenario(path: str | Path) -> Scenario:
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise ScenarioError([ScenarioProblem(source, None, "", f"cannot read: {reason}")]) from None
    return parse_scenario(text, source, base_dir=Path(path).resolve().parent)


def default_scenario() -> Scenario:
    """The shipped default scenario, read from its JSON twin when the twin was made
    from default.yaml as it is (no PyYAML on the way to a first answer), else from
    the YAML, as any scenario."""
    path = scenario_path("default.yaml")
    value = twin_value("scenarios", "default.yaml")
    if isinstance(value, dict):
        # The source and base folder load_scenario would give it.
        scenario = scenario_from_value(value, str(path), base_dir=path.resolve().parent)
        if scenario is not None:
            return scenario
    return load_scenario(path)


def parse_scenario(
    text: str, source: str = "<scenario>", *, base_dir: Path | None = None
) -> Scenario:
    """``base_dir``: where ``content_file`` paths start (a scenario read from disk)."""
    _check_encodable(text, source)
    # Fast path: most scenarios are valid, and for those line numbers are not
    # needed. Only a scenario with a problem (or anything the quick loaders do
    # not take, see _load_quickly) is parsed again, slowly, keeping the line of
    # every value so each problem can name it.
    quick = _load_quickly(text)
    if quick is not None:
        scenario = scenario_from_value(
            {} if quick.value is None else quick.value, source, base_dir=base_dir
        )
        if scenario is not None:
            return scenario
    # PyYAML only now (about 15 ms to import): valid JSON never needs it.
    from fake_server.scenario.yaml.source import load_with_lines  # noqa: PLC0415

    try:
        document = load_with_lines(text)
    except YamlSourceError as error:
        if quick is None or not error.unreadable:
            field = format_field(error.path)
            raise ScenarioError(
                [ScenarioProblem(source, error.line, field, error.message)]
            ) from None
        # JSON that YAML cannot read (YAML limits keys to 1024 characters):
        # the JSON reading stands, its problems named without lines.
        document = LocatedYaml(quick.value, {}, {})
    if document.value is None:
        document = document._replace(value={})
    problems = _structural_problems(document, source) or list(
        islice(_semantic_problems(document, source, base_dir), MAX_PROBLEMS)
    )
    if problems:
        raise ScenarioError(problems)
    # The quick parser refused what the careful one accepts (a YAML corner
    # case, a float such as 60.0): the careful reading stands.
    return Scenario(source, with_contents(document.value, base_dir))


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


def scenario_from_value(data: Any, source: str, *, base_dir: Path | None = None) -> Scenario | None:
    """The scenario ``data`` describes if it has no problem at all, else None (the
    careful reading, from its text, names the problems)."""
    if scenario_validator().is_valid(data) and not any(
        _semantic_problems(LocatedYaml(data, {}, {}), source, base_dir)
    ):
        return Scenario(source, with_contents(data, base_dir))
    return None


def _load_quickly(text: str) -> QuickYaml | None:
    """The document's value, fast (JSON first, then YAML), or None if anything at
    all is wrong with it; PyYAML (about 15 ms to import) only for YAML."""
    quick = load_json_quickly(text)
    if quick is not None:
        return quick
    from fake_server.scenario.yaml.source import load_yaml_quickly  # noqa: PLC0415

    return load_yaml_quickly(text)


def with_contents(data: dict[str, Any], base_dir: Path | None) -> dict[str, Any]:
    """The data with every ``content_file`` read once, into ``CONTENT_BYTES``."""
    uploads = data.get("files", [])
    if not any("content_file" in upload for upload in uploads):
        return data
    assert base_dir is not None, "checked by _semantic_problems"
    files = [
        {**upload, CONTENT_BYTES: content_path(base_dir, upload["content_file"]).read_bytes()}
        if "content_file" in upload
        else upload
        for upload in uploads
    ]
    return {**data, "files": files}


def _structural_problems(document: LocatedYaml, source: str) -> list[ScenarioProblem]:
    """Values that are not JSON, then what breaks the schema, in the order of the lines."""
    refused = [problem.path for problem in document.problems]
    problems = [
        ScenarioProblem(source, problem.line, format_field(problem.path), problem.message)
        for problem in document.problems
    ]
    schema_problems = _problems(
        scenario_validator(), document.value, source, document.line_of, skip=refused
    )
    integers = _integral_float_problems(
        document.value, document.integral_floats, scenario_validator().schema, source
    )
    problems.extend(schema_problems)
    problems.extend(integers(document.line_of))
    return sorted(problems, key=lambda problem: (problem.line or 0, problem.field))


@cache
def scenario_validator() -> CompiledSchema:
    schema = json.loads(schema_path("scenario.schema.json").read_text(encoding="utf-8"))
    return CompiledSchema(schema)


LineOf = Callable[..., int | None]


def _schema_problems(document: LocatedYaml, source: str) -> list[ScenarioProblem]:
    return _problems(scenario_validator(), document.value, source, document.line_of)


def _problems(
    validator: CompiledSchema,
    value: Any,
    source: str,
    line_of: LineOf,
    skip: list[YamlPath] | None = None,
) -> list[ScenarioProblem]:
    """What breaks the schema; errors at or under a ``skip`` path (a value
    already refused, read as null) are left out."""
    problems: list[ScenarioProblem] = []
    for error in islice(validator.errors(value), MAX_PROBLEMS):
        path: YamlPath = tuple(error.absolute_path)
        if skip and any(path[: len(refused)] == refused for refused in skip):
            continue
        if error.validator == "additionalProperties":
            schema: Any = error.schema
            instance: Any = error.instance
            allowed = set(schema.get("properties", {}))
            problems.extend(
                ScenarioProblem(
                    source,
                    line_of((*path, key), key=True),
                    format_field((*path, key)),
                    f"unknown key (allowed here: {', '.join(sorted(allowed))})",
                )
                for key in islice(sorted(set(instance) - allowed), MAX_PROBLEMS)
            )
        else:
            problems.append(
                ScenarioProblem(source, line_of(path), format_field(path), _describe(error))
            )
    return sorted(problems, key=lambda problem: (problem.line or 0, problem.field))


def _integral_float_problems(
    value: Any, paths: Iterable[YamlPath], schema: dict[str, Any], source: str
) -> Callable[[LineOf], list[ScenarioProblem]]:
    """``503.0`` where the schema wants an integer: JSON Schema counts it as one,
    but an integer field takes integers written as such (``503``)."""

    def problems(line_of: LineOf) -> list[ScenarioProblem]:
        found = []
        for path in paths:
            types = _schema_at(schema, path).get("type")
            if types == "integer" or (
                isinstance(types, list) and "integer" in types and "number" not in types
            ):
                number = _value_at(value, path)
                found.append(
                    ScenarioProblem(
                        source,
                        line_of(path),
                        format_field(path),
                        f"expected an integer, got {number!r} (write it without a fraction)",
                    )
                )
        return found

    return problems


def _schema_at(schema: dict[str, Any], path: YamlPath) -> dict[str, Any]:
    """The subschema that applies at ``path`` ({} where none does)."""
    definitions = schema.get("$defs", {})

    def resolved(node: Any) -> dict[str, Any]:
        while isinstance(node, dict) and "$ref" in node:
            node = definitions.get(node["$ref"].rsplit("/", 1)[-1], {})
        return node if isinstance(node, dict) else {}

    node = resolved(schema)
    for part in path:
        child = node.get("items") if isinstance(part, int) else node.get("properties", {}).get(part)
        node = resolved(child)
    return node


def _value_at(value: Any, path: YamlPath) -> Any:
    for part in path:
        value = value[part]
    return value


def _integral_floats(value: Any, path: YamlPath = ()) -> Iterator[YamlPath]:
    """Where floats with an integral value are, in a small parsed value (a fault rule)."""
    if type(value) is float and value.is_integer():
        yield path
    elif isinstance(value, dict):
        for key, child in value.items():
            yield from _integral_floats(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _integral_floats(child, (*path, index))


@cache
def fault_validator() -> CompiledSchema:
    definitions = scenario_validator().schema["$defs"]
    return CompiledSchema({"$ref": "#/$defs/fault", "$defs": definitions})


def parse_fault(data: Any, source: str) -> FaultRule:
    """A fault rule given at runtime, checked like a scenario's ``faults`` entry.

    ``data`` comes from ``strict_json``: its numbers are finite and within 64
    bits; the schema bounds each field further.
    """
    no_line: LineOf = lambda *_, **__: None  # noqa: E731
    problems = _problems(fault_validator(), data, source, no_line)
    if not problems:
        schema = fault_validator().schema
        problems = _integral_float_problems(data, list(_integral_floats(data)), schema, source)(
            no_line
        )
    if not problems and data["operation"] not in ALL_OPERATION_IDS:
        problems = [ScenarioProblem(source, None, "operation", _unknown_operation(data))]
    if problems:
        raise ScenarioError(problems)
    return FaultRule.from_dict(data)


def _unknown_operation(fault: dict[str, Any]) -> str:
    known = ", ".join(ALL_OPERATION_IDS)
    return f"unknown operation {quoted(fault['operation'])} (one of: {known})"


def _describe(error: jsonschema.ValidationError) -> str:
    """The rule an instance breaks, in the scenario's words; client input shown cut short."""
    custom = error.schema.get("x-message") if isinstance(error.schema, dict) else None
    instance: Any = error.instance
    expected: Any = error.validator_value
    shown = _shown(instance)
    match error.validator:
        case "type":
            return f"expected {_type_words(expected)}, got {shown}"
        case "enum":
            options = ", ".join(str(option) for option in expected)
            return f"{shown} is not one of: {options}"
        case "minimum":
            return f"must be >= {expected}, got {shown}"
        case "maximum":
            return f"must be <= {expected}, got {shown}"
        case "pattern" | "anyOf" | "not" if custom:
            return f"{shown} {custom}"
        case "const" if custom:
            return f"{custom}, got {shown}"
        case "required":
            return error.message.replace("is a required property", "is required")
        case "minItems":
            return f"must have at least {expected} item(s)"
        case "maxItems":
            return f"must have at most {expected} items, got {len(instance)}"
        case "minLength":
            return f"must have at least {expected} character(s)"
        case "maxLength":
            return f"must have at most {expected} characters, got {shown}"
    return f"{shown} breaks the rule {error.validator!r} ({_shown(expected)})"


def _shown(value: Any) -> str:
    """A value from the scenario for a message: containers by kind, the rest cut short."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return json.dumps(_cut(value))
    return _cut(json.dumps(value))


def _cut(text: str) -> str:
    """Client text cut as ``quoted`` cuts it (without the quotes)."""
    return quoted(text)[1:-1]


def _type_words(expected: Any) -> str:
    names = {
        "array": "a list",
        "object": "a mapping",
        "string": "a string",
        "integer": "an integer",
        "number": "a number",
        "null": "null",
        "boolean": "true or false",
    }
    kinds = expected if isinstance(expected, list) else [expected]
    return " or ".join(names.get(str(kind), str(kind)) for kind in kinds)


def _semantic_problems(
    document: LocatedYaml, source: str, base_dir: Path | None = None
) -> Iterator[ScenarioProblem]:
    """What the schema cannot say: unique ids, settings that fit the file's status."""
    first_use: dict[tuple[object, str], YamlPath] = {}

    def problem(path: YamlPath, message: str) -> ScenarioProblem:
        return ScenarioProblem(source, document.line_of(path), format_field(path), message)

    def duplicates(
        scope: object, path: YamlPath, item: dict[str, Any], where: str = ""
    ) -> Iterator[ScenarioProblem]:
        if "id" not in item:
            return
        id_path = (*path, "id")
        first = first_use.setdefault((scope, item["id"]), id_path)
        if first != id_path:
            yield problem(
                id_path, f"duplicate id {item['id']!r}{where} (first at {format_field(first)})"
            )

    data = document.value
    if data.get("clock", {}).get("advance_on_poll") and data["clock"].get("mode") != "virtual":
        yield problem(
            ("clock", "advance_on_poll"), "only applies to a virtual clock (mode: virtual)"
        )
    cancel = data.get("cancel", {})
    if "delay_seconds" in cancel and cancel.get("mode") != "gradual":
        yield problem(("cancel", "delay_seconds"), "only applies to mode: gradual")
    for index, fault in enumerate(data.get("faults", [])):
        if fault["operation"] not in ALL_OPERATION_IDS:
            yield problem(("faults", index, "operation"), _unknown_operation(fault))
    yield from _contents_problems(data.get("files", []), base_dir, problem)
    for index, upload in enumerate(data.get("files", [])):
        yield from duplicates("upload", ("files", index), upload)
        if "error" in upload and upload.get("outcome") != "failed":
            yield problem(
                ("files", index, "error"), "only applies to files that fail (outcome failed)"
            )
    for store_index, store in enumerate(data.get("vector_stores", [])):
        store_path: YamlPath = ("vector_stores", store_index)
        yield from duplicates("vector store", store_path, store)
        yield from _store_problems(store_path, store, problem)
        for batch_index, batch in enumerate(store.get("file_batches", [])):
            batch_path = (*store_path, "file_batches", batch_index)
            yield from duplicates("batch", batch_path, batch)
            for file_index, file in enumerate(batch["files"]):
                file_path = (*batch_path, "files", file_index)
                # A file may sit in several vector stores, but only once in each.
                yield from duplicates(store_path, file_path, file, " in this vector store")
                for key, message in _file_conflicts(file):
                    yield problem((*file_path, key), message)


OVERLAP_MESSAGE = "chunk_overlap_tokens must not exceed half of max_chunk_size_tokens"


def _overlap_too_large(strategy: dict[str, Any] | None) -> bool:
    static = (strategy or {}).get("static")
    if not static:
        return False
    return int(static["chunk_overlap_tokens"]) > int(static["max_chunk_size_tokens"]) // 2


def _store_problems(
    store_path: YamlPath,
    store: dict[str, Any],
    problem: Callable[[YamlPath, str], ScenarioProblem],
) -> Iterator[ScenarioProblem]:
    """Scripted search answers and chunking strategies of one vector store."""
    for answer_index, answer in enumerate(store.get("search", [])):
        answer_path: YamlPath = (*store_path, "search", answer_index)
        for key, message in _search_problems(answer):
            yield problem((*answer_path, key) if key else answer_path, message)
    for batch_index, batch in enumerate(store.get("file_batches", [])):
        batch_path: YamlPath = (*store_path, "file_batches", batch_index)
        items = [(batch_path, batch)] + [
            ((*batch_path, "files", index), file) for index, file in enumerate(batch["files"])
        ]
        for path, item in items:
            if _overlap_too_large(item.get("chunking_strategy")):
                yield problem((*path, "chunking_strategy"), OVERLAP_MESSAGE)


def _contents_problems(
    uploads: list[dict[str, Any]],
    base_dir: Path | None,
    problem: Callable[[YamlPath, str], ScenarioProblem],
) -> Iterator[ScenarioProblem]:
    total = 0
    for index, upload in enumerate(uploads):
        for key, message, size in _content_problems(upload, base_dir):
            if message:
                yield problem(("files", index, key), message)
            total += size
        if total > defaults.MAX_CONTENT_BYTES:
            limit = defaults.MAX_CONTENT_BYTES
            message = f"the files' content adds up to more than {limit} bytes"
            yield problem(("files", index), message)
            return


def _content_problems(
    upload: dict[str, Any], base_dir: Path | None
) -> Iterator[tuple[str, str, int]]:
    """(key, problem or "", bytes of content) for an upload's content."""
    if "content" in upload:
        if "content_file" in upload:
            yield "content_file", "give content or content_file, not both", 0
            return
        yield "content", "", len(upload["content"].encode("utf-8"))
        return
    if "content_file" not in upload:
        return
    name = str(upload["content_file"])
    if base_dir is None:
        yield "content_file", "only in a scenario read from a file (paths start at its folder)", 0
        return
    try:
        path = content_path(base_dir, name)
        size = path.stat().st_size
    except OSError as error:
        yield "content_file", f"cannot read {name!r}: {error.strerror or error}", 0
        return
    if not path.is_relative_to(base_dir.resolve()):
        yield "content_file", f"{name!r} leads outside the scenario's folder (a symbolic link)", 0
    elif not path.is_file():
        yield "content_file", f"{name!r} is not a file", 0
    elif size > MAX_CONTENT_FILE_BYTES:
        yield "content_file", f"{name!r} is larger than {MAX_CONTENT_FILE_BYTES} bytes", 0
    else:
        yield "content_file", "", size


def content_path(base_dir: Path, name: str) -> Path:
    """Where a content_file really is, symbolic links followed.

    The text of the path is held inside the folder by the schema; only the
    resolved path shows whether a link inside leads out of it.
    """
    return (base_dir / name).resolve(strict=True)


# A content_file is bounded as an upload is.
MAX_CONTENT_FILE_BYTES = 32 * 1024 * 1024


def _search_problems(answer: dict[str, Any]) -> Iterator[tuple[str | None, str]]:
    if ("query" in answer) == ("pattern" in answer):
        yield None, "give query or pattern (one of them)"
    pattern = answer.get("pattern")
    if pattern is not None:
        try:
            compile_pattern(pattern)
        except ValueError as error:
            yield "pattern", f"not a regular expression: {error}"


def _file_conflicts(file: dict[str, Any]) -> Iterator[tuple[str, str]]:
    status = file.get("status", "in_progress")
    if status != "in_progress":
        for key in ("processing_seconds", "outcome"):
            if key in file:
                yield key, f"only applies to in_progress files (this one is {status})"
    fails = status == "failed" or (status == "in_progress" and file.get("outcome") == "failed")
    if "error" in file and not fails:
        yield "error", "only applies to files that fail (status failed or outcome failed)"


def format_field(path: tuple[str | int, ...]) -> str:
    """``vector_stores[0].file_batches[1].files``; long keys and long paths cut short."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            key = _cut(part)
            text += f".{key}" if text else key
    if len(text) > MAX_FIELD_CHARACTERS:
        text = text[:MAX_FIELD_CHARACTERS] + "..."
    return text
