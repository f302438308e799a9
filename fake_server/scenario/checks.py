"""What makes a scenario (or a fault rule given at runtime) acceptable.

First its JSON Schema (``schemas/scenario.schema.json``), with values that
are not JSON and floats standing for integers; then what a schema cannot
say (unique ids, settings that only apply to in-progress files, patterns
that compile, content files that exist). The words of each problem are
``messages``'s.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from functools import cache
from itertools import islice
from typing import Any

from fake_server.contract.operations import ALL_OPERATION_IDS, BY_ID
from fake_server.contract.resources import schema_path
from fake_server.contract.validation import CompiledSchema
from fake_server.domain.search import compile_pattern
from fake_server.scenario.contents import ContentFiles, contents_problems
from fake_server.scenario.faults import PATH_PARAMETERS
from fake_server.scenario.messages import (
    LineOf,
    Placed,
    format_field,
    in_line_order,
    integer_expected,
    no_line,
    parameter_not_in_path,
    placed,
    problems_of,
    unknown_operation,
)
from fake_server.scenario.problems import MAX_LISTED_PROBLEMS, ScenarioProblem
from fake_server.scenario.yaml.located import LocatedYaml, YamlPath

# The bounds the schema gives numbers, named here for code and tests that
# need them (tests check that the schema says the same).
MAX_DURATION_SECONDS = 1_000_000_000  # processing times, advance_on_poll, one clock advance
MAX_TIMESTAMP = 253_402_300_799  # 9999-12-31T23:59:59Z: clock.start and every created_at
# Looked for, of each kind: one more than a refusal lists, so that it can say
# there are more.
MAX_PROBLEMS = MAX_LISTED_PROBLEMS + 1
OVERLAP_MESSAGE = "chunk_overlap_tokens must not exceed half of max_chunk_size_tokens"


@cache
def scenario_validator() -> CompiledSchema:
    schema = json.loads(schema_path("scenario.schema.json").read_text(encoding="utf-8"))
    return CompiledSchema(schema)


@cache
def fault_validator() -> CompiledSchema:
    definitions = scenario_validator().schema["$defs"]
    return CompiledSchema({"$ref": "#/$defs/fault", "$defs": definitions})


def is_acceptable(data: Any, source: str, contents: ContentFiles) -> bool:
    """Whether ``data`` has no problem at all (without naming any)."""
    return scenario_validator().is_valid(data) and not any(
        semantic_problems(LocatedYaml(data, {}, {}), source, contents)
    )


# --- the schema -----------------------------------------------------------------


def structural_problems(document: LocatedYaml, source: str) -> list[ScenarioProblem]:
    """Values that are not JSON, then what breaks the schema, in the order of the lines."""
    refused = [problem.path for problem in document.problems]
    problems = [
        ScenarioProblem(source, problem.line, format_field(problem.path), problem.message)
        for problem in document.problems
    ]
    validator = scenario_validator()
    problems.extend(
        _schema_problems(validator, document.value, source, document.line_of, skip=refused)
    )
    problems.extend(
        _integral_float_problems(
            document.value, document.integral_floats, validator.schema, source, document.line_of
        )
    )
    return in_line_order(problems)


def fault_problems(data: Any, source: str) -> list[ScenarioProblem]:
    """A fault rule given at runtime, checked like a scenario's ``faults`` entry.

    ``data`` comes from ``strict_json``: its numbers are finite and within 64
    bits; the schema bounds each field further.
    """
    problems = _schema_problems(fault_validator(), data, source, no_line)
    if not problems:
        schema = fault_validator().schema
        paths = list(_integral_floats(data))
        problems = _integral_float_problems(data, paths, schema, source, no_line)
    if not problems:
        problems = list(_fault_problems(data, (), _placer(source, no_line)))
    return problems


def _schema_problems(
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
        problems.extend(islice(problems_of(error, source, line_of), MAX_PROBLEMS))
    return in_line_order(problems)


def _integral_float_problems(
    value: Any, paths: Iterable[YamlPath], schema: dict[str, Any], source: str, line_of: LineOf
) -> list[ScenarioProblem]:
    """``503.0`` where the schema wants an integer: JSON Schema counts it as one,
    but an integer field takes integers written as such (``503``)."""
    found = []
    for path in paths:
        types = _schema_at(schema, path).get("type")
        if types == "integer" or (
            isinstance(types, list) and "integer" in types and "number" not in types
        ):
            found.append(placed(source, line_of, path, integer_expected(_value_at(value, path))))
    return found


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


# --- what the schema cannot say -------------------------------------------------


def semantic_problems(
    document: LocatedYaml, source: str, contents: ContentFiles | None = None
) -> Iterator[ScenarioProblem]:
    """What the schema cannot say: unique ids, settings that fit the file's status.

    Only for a document the schema accepts; lazy, so that a caller may stop
    at the first problem (or at as many as it lists).
    """
    problem = _placer(source, document.line_of)
    ids = _Ids(problem)
    data = document.value
    yield from _setting_problems(data, problem)
    uploads = data.get("files", [])
    yield from contents_problems(uploads, contents or ContentFiles(None), problem)
    for index, upload in enumerate(uploads):
        yield from ids.duplicates("upload", ("files", index), upload)
        if "error" in upload and upload.get("outcome") != "failed":
            yield problem(
                ("files", index, "error"), "only applies to files that fail (outcome failed)"
            )
    for store_index, store in enumerate(data.get("vector_stores", [])):
        yield from _vector_store_problems(("vector_stores", store_index), store, ids, problem)
    for index, reply in enumerate(data.get("responses", [])):
        for key, message in _matcher_problems(reply, "input"):
            path: YamlPath = ("responses", index)
            yield problem((*path, key) if key else path, message)


def _placer(source: str, line_of: LineOf) -> Placed:
    return lambda path, message: placed(source, line_of, path, message)


class _Ids:
    """Where each id was first given, by scope: ids are unique within theirs."""

    def __init__(self, problem: Placed) -> None:
        self._problem = problem
        self._first_use: dict[tuple[object, str], YamlPath] = {}

    def duplicates(
        self, scope: object, path: YamlPath, item: dict[str, Any], where: str = ""
    ) -> Iterator[ScenarioProblem]:
        if "id" not in item:
            return
        id_path = (*path, "id")
        first = self._first_use.setdefault((scope, item["id"]), id_path)
        if first != id_path:
            message = f"duplicate id {item['id']!r}{where} (first at {format_field(first)})"
            yield self._problem(id_path, message)


def _setting_problems(data: dict[str, Any], problem: Placed) -> Iterator[ScenarioProblem]:
    """Settings that only apply in a mode the scenario does not choose; fault rules."""
    clock = data.get("clock", {})
    if clock.get("advance_on_poll") and clock.get("mode") != "virtual":
        yield problem(
            ("clock", "advance_on_poll"), "only applies to a virtual clock (mode: virtual)"
        )
    cancel = data.get("cancel", {})
    if "delay_seconds" in cancel and cancel.get("mode") != "gradual":
        yield problem(("cancel", "delay_seconds"), "only applies to mode: gradual")
    for index, fault in enumerate(data.get("faults", [])):
        yield from _fault_problems(fault, ("faults", index), problem)


def _fault_problems(
    fault: dict[str, Any], path: YamlPath, problem: Placed
) -> Iterator[ScenarioProblem]:
    """A fault rule names an operation the fake serves, and only path parameters
    that operation's path has."""
    if fault["operation"] not in ALL_OPERATION_IDS:
        yield problem((*path, "operation"), unknown_operation(fault))
        return
    template = BY_ID[fault["operation"]].path
    for name in PATH_PARAMETERS:
        if name in fault and "{" + name + "}" not in template:
            yield problem((*path, name), parameter_not_in_path(fault["operation"], name, template))


def _vector_store_problems(
    store_path: YamlPath, store: dict[str, Any], ids: _Ids, problem: Placed
) -> Iterator[ScenarioProblem]:
    yield from ids.duplicates("vector store", store_path, store)
    yield from _search_and_chunking_problems(store_path, store, problem)
    for batch_index, batch in enumerate(store.get("file_batches", [])):
        batch_path = (*store_path, "file_batches", batch_index)
        yield from ids.duplicates("batch", batch_path, batch)
        for file_index, file in enumerate(batch["files"]):
            file_path = (*batch_path, "files", file_index)
            # A file may sit in several vector stores, but only once in each.
            yield from ids.duplicates(store_path, file_path, file, " in this vector store")
            for key, message in _file_conflicts(file):
                yield problem((*file_path, key), message)


def _search_and_chunking_problems(
    store_path: YamlPath, store: dict[str, Any], problem: Placed
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


def _overlap_too_large(strategy: dict[str, Any] | None) -> bool:
    static = (strategy or {}).get("static")
    if not static:
        return False
    return int(static["chunk_overlap_tokens"]) > int(static["max_chunk_size_tokens"]) // 2


def _search_problems(answer: dict[str, Any]) -> Iterator[tuple[str | None, str]]:
    return _matcher_problems(answer, "query")


def _matcher_problems(rule: dict[str, Any], exact: str) -> Iterator[tuple[str | None, str]]:
    """A scripted answer matches exactly (``exact``) or by ``pattern``: one of them."""
    if (exact in rule) == ("pattern" in rule):
        yield None, f"give {exact} or pattern (one of them)"
    pattern = rule.get("pattern")
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
