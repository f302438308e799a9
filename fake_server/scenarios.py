"""Scenarios: YAML in, validated ``Scenario`` out, and a fresh world from it.

A scenario is checked as a whole before anything is built: first against its
JSON Schema (``schemas/scenario.schema.json``), then for what a schema cannot
say (duplicate ids, settings that only apply to in-progress files). Every
problem names the file, the line and the field. A refused scenario builds
nothing, so whatever was running keeps its state.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from fake_server.clock import Clock, SystemClock, VirtualClock
from fake_server.errors import ScenarioError, ScenarioProblem
from fake_server.ids import new_file_batch_id, new_file_id, new_vector_store_id
from fake_server.resources import scenario_path, schema_path
from fake_server.store import BatchFile, FileBatch, FileStatus, Store, VectorStore
from fake_server.yaml_source import LocatedYaml, YamlPath, YamlSourceError, load_with_lines

DEFAULT_PROCESSING_SECONDS = 1.0
DEFAULT_USAGE_BYTES = 1024
DEFAULT_ERROR_MESSAGES = {
    "server_error": "The file could not be processed because of a server error.",
    "unsupported_file": "The file type is not supported.",
    "invalid_file": "The file could not be parsed.",
}


@dataclass(frozen=True, slots=True)
class World:
    """What a scenario instantiates: a clock and the state read against it."""

    clock: Clock
    store: Store


@dataclass(frozen=True, slots=True)
class Scenario:
    """A validated scenario. ``instantiate`` can be called any number of times."""

    source: str
    data: dict[str, Any]

    @property
    def virtual_clock(self) -> bool:
        return bool(self.data.get("clock", {}).get("mode") == "virtual")

    def instantiate(self) -> World:
        clock_settings = self.data.get("clock", {})
        start = clock_settings.get("start")
        clock: Clock = VirtualClock(start) if self.virtual_clock else SystemClock(start)
        loaded_at = clock.now()
        default_seconds = float(
            self.data.get("defaults", {}).get("processing_seconds", DEFAULT_PROCESSING_SECONDS)
        )
        stores = [
            _build_vector_store(spec, loaded_at, default_seconds)
            for spec in self.data.get("vector_stores", [])
        ]
        return World(clock, Store(clock, stores))

    def summary(self) -> str:
        stores = self.data.get("vector_stores", [])
        batches = [batch for store in stores for batch in store.get("file_batches", [])]
        files = sum(len(batch["files"]) for batch in batches)
        return f"{len(stores)} vector stores, {len(batches)} file batches, {files} files"


def _build_vector_store(
    spec: dict[str, Any], loaded_at: float, default_seconds: float
) -> VectorStore:
    created_at = spec.get("created_at", int(loaded_at))
    store = VectorStore(
        id=spec.get("id") or new_vector_store_id(), name=spec.get("name"), created_at=created_at
    )
    for batch_spec in spec.get("file_batches", []):
        batch_created = batch_spec.get("created_at", created_at)
        batch = FileBatch(
            id=batch_spec.get("id") or new_file_batch_id(),
            vector_store_id=store.id,
            created_at=batch_created,
            files=[
                _build_file(file_spec, batch_created, loaded_at, default_seconds)
                for file_spec in batch_spec["files"]
            ],
        )
        store.batches[batch.id] = batch
    return store


def _build_file(
    spec: dict[str, Any], batch_created: int, loaded_at: float, default_seconds: float
) -> BatchFile:
    status = FileStatus(spec.get("status", "in_progress"))
    error = spec.get("error", {})
    error_code = error.get("code", "server_error")
    return BatchFile(
        id=spec.get("id") or new_file_id(),
        created_at=spec.get("created_at", batch_created),
        status=status,
        outcome=FileStatus(spec.get("outcome", "completed")),
        finishes_at=(
            loaded_at + float(spec.get("processing_seconds", default_seconds))
            if status is FileStatus.IN_PROGRESS
            else None
        ),
        usage_bytes=spec.get("usage_bytes", DEFAULT_USAGE_BYTES),
        error_code=error_code,
        error_message=error.get("message", DEFAULT_ERROR_MESSAGES[error_code]),
    )


# --- loading and validation ---------------------------------------------------


def load_scenario(path: str | Path) -> Scenario:
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise ScenarioError([ScenarioProblem(source, None, "", f"cannot read: {reason}")]) from None
    return parse_scenario(text, source)


def default_scenario() -> Scenario:
    return load_scenario(scenario_path("default.yaml"))


def parse_scenario(text: str, source: str = "<scenario>") -> Scenario:
    try:
        document = load_with_lines(text)
    except YamlSourceError as error:
        field = format_field(error.path)
        raise ScenarioError([ScenarioProblem(source, error.line, field, error.message)]) from None
    if document.value is None:
        document = LocatedYaml({}, document.value_lines, document.key_lines)
    problems = _schema_problems(document, source)
    if not problems:
        problems = list(_semantic_problems(document, source))
    if problems:
        raise ScenarioError(problems)
    return Scenario(source, document.value)


@cache
def scenario_validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(schema_path("scenario.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def _schema_problems(document: LocatedYaml, source: str) -> list[ScenarioProblem]:
    problems: list[ScenarioProblem] = []
    for error in scenario_validator().iter_errors(document.value):
        path: tuple[str | int, ...] = tuple(error.absolute_path)
        if error.validator == "additionalProperties":
            allowed = set(error.schema.get("properties", {}))
            problems.extend(
                ScenarioProblem(
                    source,
                    document.line_of((*path, key), key=True),
                    format_field((*path, key)),
                    f"unknown key (allowed here: {', '.join(sorted(allowed))})",
                )
                for key in sorted(set(error.instance) - allowed)
            )
        else:
            problems.append(
                ScenarioProblem(
                    source, document.line_of(path), format_field(path), _describe(error)
                )
            )
    return sorted(problems, key=lambda problem: (problem.line or 0, problem.field))


def _describe(error: jsonschema.ValidationError) -> str:
    custom = error.schema.get("x-message") if isinstance(error.schema, dict) else None
    instance: Any = error.instance
    expected: Any = error.validator_value
    match error.validator:
        case "type":
            return f"expected {_type_words(expected)}, got {json.dumps(instance)}"
        case "enum":
            options = ", ".join(str(option) for option in expected)
            return f"{json.dumps(instance)} is not one of: {options}"
        case "minimum":
            return f"must be >= {expected}, got {instance}"
        case "pattern" if custom:
            return f"{json.dumps(instance)} {custom}"
        case "required":
            return error.message.replace("is a required property", "is required")
        case "minItems":
            return f"must have at least {expected} item(s)"
        case "maxItems":
            return f"must have at most {expected} items, got {len(instance)}"
    return error.message


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


def _semantic_problems(document: LocatedYaml, source: str) -> Iterator[ScenarioProblem]:
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

    for store_index, store in enumerate(document.value.get("vector_stores", [])):
        store_path: YamlPath = ("vector_stores", store_index)
        yield from duplicates("vector store", store_path, store)
        for batch_index, batch in enumerate(store.get("file_batches", [])):
            batch_path = (*store_path, "file_batches", batch_index)
            yield from duplicates("batch", batch_path, batch)
            for file_index, file in enumerate(batch["files"]):
                file_path = (*batch_path, "files", file_index)
                # A file may sit in several vector stores, but only once in each.
                yield from duplicates(store_path, file_path, file, " in this vector store")
                for key, message in _file_conflicts(file):
                    yield problem((*file_path, key), message)


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
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text
