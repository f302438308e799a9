"""What a parity difference most likely is, so a person knows where to fix it.

- ``overlay``: the upstream's answer breaks the contract the fake is checked
  against at exactly that place (a value the schema does not allow, a
  required field it lacks, a field the schema does not declare): the spec or
  its errata overlay is the candidate mistake.
- ``scenario``: the difference is one of time or limits (a status still
  ``in_progress`` or already finished, counts, an error of a failed file, a
  429, the poll and retry headers, how many results a search gives), or a
  404 on the one side for an object the scenario declares: a setting of the
  scenario, not the fake's behaviour.
- ``defect``: anything else; the fake answers otherwise than the service.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any

from fake_server.contract.operations import BY_ID
from fake_server.contract.validation import CompiledSchema
from fake_server.recording.parity_compare import POLL_HEADER, RETRY_HEADERS, Answer, Difference

OVERLAY, SCENARIO, DEFECT = "overlay", "scenario", "defect"
TAGS = (OVERLAY, SCENARIO, DEFECT)
# Statuses that say "not now" or "not so many": limits, a scenario's settings.
LIMIT_STATUSES = frozenset({429})
NOT_FOUND = 404
# Fields whose value depends on when the request came (a file's progress).
TIMING_FIELDS = frozenset(
    {"status", "last_error", "file_counts", "in_progress", "completed", "failed", "cancelled"}
)
TIMING_HEADERS = frozenset({f"header {name}" for name in (POLL_HEADER, *RETRY_HEADERS)})
_COMBINATORS = frozenset({"anyOf", "oneOf", "allOf"})
_PART = re.compile(r"\.([^.\[]+)|\[\*\]")


def parts(where: str) -> list[str]:
    """``$.data[*].status`` -> ``["data", "*", "status"]``."""
    return [match.group(1) or "*" for match in _PART.finditer(where.removeprefix("$"))]


class Judged:
    """The upstream's answer against the schema it is checked against (None: no
    schema declared), the places it breaks that schema found once, when first asked."""

    def __init__(self, body: Any, schema: CompiledSchema | None) -> None:
        self.body, self.schema = body, schema

    @functools.cached_property
    def broken(self) -> frozenset[str]:
        if self.schema is None:
            return frozenset()
        return frozenset(_violated_places(self.body, self.schema))


def tag(
    difference: Difference,
    upstream: Answer,
    fake: Answer,
    judged: Judged,
    *,
    filtered: bool,
    names_declared: bool = False,
) -> str:
    """The tag of one difference. ``judged``: the upstream's answer against its
    schema; ``filtered``: the request asked for a filtered list; ``names_declared``:
    its path names an object the scenario declares (so whether it exists is the
    scenario's to say)."""
    if difference.kind == "status":
        statuses = {upstream.status, fake.status}
        if statuses & LIMIT_STATUSES or (names_declared and NOT_FOUND in statuses):
            return SCENARIO
        return DEFECT
    if difference.kind == "header":
        return SCENARIO if difference.where in TIMING_HEADERS else DEFECT
    if difference.kind == "content" or not difference.where.startswith("$"):
        return DEFECT
    if _breaks_schema(difference, judged):
        return OVERLAY
    path = parts(difference.where)
    if difference.kind == "count" and (filtered or _lists_search_results(difference)):
        return SCENARIO
    if TIMING_FIELDS & set(path):
        return SCENARIO
    return DEFECT


def _lists_search_results(difference: Difference) -> bool:
    """A list whose length follows the scenario: a search's results (a filtered
    list is the other)."""
    operation = BY_ID.get(difference.operation)
    return operation is not None and operation.lists_search_results


def _breaks_schema(difference: Difference, judged: Judged) -> bool:
    if judged.schema is None:
        return False
    if difference.where in judged.broken:
        return True
    # A field the upstream sends that the schema does not know of.
    if difference.kind == "presence" and difference.fake == "absent":
        return not declares(judged.schema.schema, parts(difference.where))
    return False


def _violated_places(body: Any, schema: CompiledSchema) -> Iterator[str]:
    """Each place where ``body`` breaks ``schema``, as a difference names places."""
    pending = list(schema.errors(body))
    for _ in range(10_000):  # bounded: every error's context is finite
        if not pending:
            return
        error = pending.pop()
        if error.context:
            pending.extend(error.context)
            continue
        where = "$" + "".join(
            "[*]" if isinstance(part, int) else f".{part}" for part in error.absolute_path
        )
        instance = error.instance
        required: Any = error.validator_value
        if error.validator == "required" and isinstance(instance, dict):
            yield from (f"{where}.{name}" for name in required if name not in instance)
        elif error.validator == "additionalProperties" and isinstance(instance, dict):
            known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
            yield from (f"{where}.{name}" for name in instance if name not in known)
        else:
            yield where


def declares(schema: dict[str, Any], path: list[str]) -> bool:
    """Whether the schema names the field at ``path`` (or leaves that object open:
    a map such as ``metadata``). A path the schema does not lead along is taken
    as declared: only a clear "no such field" counts."""
    nodes = _expand(schema, schema)
    last = len(path) - 1
    for index, part in enumerate(path):
        following: list[dict[str, Any]] = []
        for node in nodes:
            if part == "*":
                items = node.get("items")
                if isinstance(items, dict):
                    following.extend(_expand(items, schema))
                continue
            properties = node.get("properties")
            if not isinstance(properties, dict):
                if _COMBINATORS & set(node):
                    continue  # its branches are among the nodes
                open_map = node.get("additionalProperties") is not False
                if node.get("type") in ("object", None) and open_map:
                    return True  # an open map
                continue
            if part in properties:
                following.extend(_expand(properties[part], schema))
        if not following:
            return index != last or part == "*"
        nodes = following
    return True


def _expand(node: Any, root: dict[str, Any], depth: int = 0) -> list[dict[str, Any]]:
    """``node`` with its reference followed and its ``anyOf``/``oneOf``/``allOf`` spread."""
    if not isinstance(node, dict) or depth > 20:
        return []
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = root
        for name in ref[2:].split("/"):
            target = target.get(name.replace("~1", "/").replace("~0", "~"), {})
        return _expand(target, root, depth + 1)
    expanded = [node]
    for combinator in _COMBINATORS:
        for branch in node.get(combinator, ()):
            expanded.extend(_expand(branch, root, depth + 1))
    return expanded
