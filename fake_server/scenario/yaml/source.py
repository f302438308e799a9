"""YAML that remembers where each value came from.

PyYAML's loaders drop line numbers, yet a scenario error must name its line.
``load_with_lines`` composes the node tree (which keeps marks), builds plain
Python values from it, and returns a map from each value's path to its line.
"""

from __future__ import annotations

import math
from typing import Any

import yaml

from fake_server.contract import strict_json
from fake_server.domain.errors import quoted
from fake_server.scenario.yaml import events as yaml_events
from fake_server.scenario.yaml.located import (
    LocatedYaml,
    QuickYaml,
    ValueProblem,
    YamlPath,
    YamlSourceError,
)
from fake_server.scenario.yaml.mistakes import Mark, plain_words

# --- the quick loaders: a value, or None for the careful reading to explain --

_JSON_TAGS = tuple(
    f"tag:yaml.org,2002:{name}" for name in ("null", "bool", "int", "float", "str", "seq", "map")
)
MERGE_TAG = "tag:yaml.org,2002:merge"
_JSON_NUMBER_STARTS = frozenset("-0123456789NI")  # and NaN, Infinity, which JSON refuses
_NOT_A_JSON_TOKEN = object()


class _QuickLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml's parser when available, building JSON values only.

    It refuses (raises) what the careful reading reports: duplicate keys,
    keys that are not strings, values that are not JSON (dates, binary,
    sets, ...), numbers outside the policy, and floats with an integral value
    (whether ``503.0`` may stand for an integer depends on the field).
    """

    yaml_constructors: dict[Any, Any] = {  # noqa: RUF012 -- PyYAML's class-level registry
        tag: yaml.SafeLoader.yaml_constructors[tag] for tag in (*_JSON_TAGS, None)
    }

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        keys = [key.value for key, _ in node.value if isinstance(key, yaml.ScalarNode)]
        if len(set(keys)) != len(node.value):
            raise yaml.constructor.ConstructorError(None, None, "duplicate key", node.start_mark)
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        if any(type(key) is not str for key in mapping):
            raise yaml.constructor.ConstructorError(None, None, "a key not a string", None)
        return mapping

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        if len(node.value) > strict_json.MAX_INT_LITERAL_CHARACTERS:
            raise yaml.constructor.ConstructorError(None, None, "integer too long", None)
        value: int = super().construct_yaml_int(node)
        if strict_json.number_problem(value) is not None:
            raise yaml.constructor.ConstructorError(None, None, "integer out of range", None)
        return value

    def construct_yaml_float(self, node: yaml.ScalarNode) -> float:
        value: float = super().construct_yaml_float(node)
        if not math.isfinite(value) or value.is_integer():
            raise yaml.constructor.ConstructorError(None, None, "float refused", None)
        return value


_QuickLoader.add_constructor("tag:yaml.org,2002:int", _QuickLoader.construct_yaml_int)
_QuickLoader.add_constructor("tag:yaml.org,2002:float", _QuickLoader.construct_yaml_float)


def load_yaml_quickly(text: str) -> QuickYaml | None:
    """The document's value, fast, or None if anything at all is wrong with it.

    For text ``located.load_json_quickly`` did not take (JSON goes through the
    json module, many times faster than any YAML parser for big scenarios):
    plain YAML is built from libyaml's events (``yaml_events``); anything else
    takes the full loader, once ``yaml_events.check_bounds`` has made sure it
    cannot explode.
    """
    plain = yaml_events.load_plain(text)
    if plain is not None:
        return QuickYaml(plain[0])
    try:
        yaml_events.check_bounds(text)
        return QuickYaml(yaml.load(text, Loader=_QuickLoader))
    except (yaml.YAMLError, yaml_events.BoundsError, RecursionError):
        return None


# --- the careful reading: every value with its line, every problem named -----


def load_with_lines(text: str) -> LocatedYaml:
    try:
        yaml_events.check_bounds(text)
    except yaml_events.BoundsError as error:
        raise YamlSourceError(error.message, error.line, error.path) from None
    try:
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.MarkedYAMLError as error:
        raise _syntax_error(text, error) from None
    except yaml.YAMLError as error:
        problem = quoted(str(error))[1:-1]
        raise YamlSourceError(f"invalid YAML: {problem}", None, unreadable=True) from None
    value_lines: dict[YamlPath, int] = {}
    key_lines: dict[YamlPath, int] = {}
    if root is None:
        return LocatedYaml(None, {(): 1}, {})
    builder = _Builder(value_lines, key_lines, json_numbers=_is_json(text))
    value = builder.build(root, ())
    return LocatedYaml(
        value, value_lines, key_lines, tuple(builder.problems), tuple(builder.integral_floats)
    )


def _syntax_error(text: str, error: yaml.MarkedYAMLError) -> YamlSourceError:
    at, opened = _mark(error.problem_mark), _mark(error.context_mark)
    where = at or opened
    words = plain_words(text, str(error.problem or error), at, opened)
    column = None if where is None else where.column
    said = "invalid YAML" if column is None else f"invalid YAML (column {column})"
    return YamlSourceError(
        f"{said}: {words}",
        None if where is None else where.line,
        unreadable=True,
        column=column,
    )


def _mark(mark: yaml.Mark | None) -> Mark | None:
    return None if mark is None else Mark(mark.line + 1, mark.column + 1)


def _is_json(text: str) -> bool:
    """Whether the document is JSON (whatever its numbers and keys)."""
    if not text.lstrip().startswith(("{", "[")):
        return False
    try:
        strict_json.loads(text)
    except (strict_json.NumberError, strict_json.DuplicateKeyError):
        return True
    except (ValueError, RecursionError):
        return False
    return True


def _short(tag: str) -> str:
    """A tag as written, cut short: ``!!set``, ``!custom``."""
    return quoted(tag.replace("tag:yaml.org,2002:", "!!"))[1:-1]


class _Builder:
    """JSON values from the node tree, with the line of each; what is not
    JSON becomes a ``ValueProblem`` (and null), so every one is reported."""

    def __init__(
        self,
        value_lines: dict[YamlPath, int],
        key_lines: dict[YamlPath, int],
        *,
        json_numbers: bool = False,
    ) -> None:
        # In a JSON document, unquoted scalars are JSON tokens: 6e1 is a number
        # (YAML 1.1 would read a string), NaN is no number at all.
        self._json_numbers = json_numbers
        self._value_lines = value_lines
        self._key_lines = key_lines
        self._scalars = yaml.SafeLoader("")
        self._depth = 0
        self.problems: list[ValueProblem] = []
        self.integral_floats: list[YamlPath] = []

    def _refuse(self, node: yaml.Node, path: YamlPath, message: str) -> None:
        self.problems.append(ValueProblem(path, node.start_mark.line + 1, message))

    def build(self, node: yaml.Node, path: YamlPath) -> Any:
        self._value_lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node, path)
        # check_bounds has refused deeper documents; this guards the recursion
        # all the same, as aliases make the node graph a DAG.
        self._depth += 1
        if self._depth > yaml_events.MAX_DEPTH:
            raise YamlSourceError("nesting is too deep", node.start_mark.line + 1, path)
        try:
            if isinstance(node, yaml.SequenceNode) and node.tag == "tag:yaml.org,2002:seq":
                return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
            if isinstance(node, yaml.MappingNode) and node.tag == "tag:yaml.org,2002:map":
                return self._mapping(node, path)
            kind = "mapping" if isinstance(node, yaml.MappingNode) else "list"
            self._refuse(
                node, path, f"a {kind} tagged {_short(node.tag)} is not a JSON value (drop the tag)"
            )
            return None
        finally:
            self._depth -= 1

    def _scalar(self, node: yaml.ScalarNode, path: YamlPath) -> Any:
        tag = node.tag
        shown = quoted(node.value)
        if self._json_numbers and not node.style and node.value[:1] in _JSON_NUMBER_STARTS:
            value = self._json_token(node, path)
            if value is not _NOT_A_JSON_TOKEN:
                return value
        if tag == "tag:yaml.org,2002:timestamp":
            self._refuse(
                node,
                path,
                f"{shown} is a YAML date or timestamp, not a JSON value "
                "(write unix seconds, e.g. 1704067200, or quote it for a string)",
            )
            return None
        if tag not in _JSON_TAGS[:5]:
            self._refuse(node, path, f"a value tagged {_short(tag)} is not a JSON value")
            return None
        if tag == yaml_events.INT_TAG and len(node.value) > strict_json.MAX_INT_LITERAL_CHARACTERS:
            self._refuse(node, path, f"{shown} is {strict_json.number_problem(2**64)}")
            return None
        try:
            value = self._scalars.construct_object(node, deep=True)
        except (yaml.constructor.ConstructorError, ValueError) as error:
            self._refuse(node, path, f"{shown}: {getattr(error, 'problem', None) or error}")
            return None
        if type(value) is int or type(value) is float:
            problem = strict_json.number_problem(value)
            if problem is not None:
                self._refuse(node, path, f"{shown} is {problem}")
                return None
            if type(value) is float and value.is_integer():
                self.integral_floats.append(path)
        return value

    def _json_token(self, node: yaml.ScalarNode, path: YamlPath) -> Any:
        """A scalar of a JSON document read as JSON reads it (None if refused),
        or ``_NOT_A_JSON_TOKEN`` for YAML to read."""
        try:
            value = strict_json.loads(node.value)
        except strict_json.NumberError as error:
            self._refuse(node, path, f"{quoted(node.value)} is {error.reason}")
            return None
        except ValueError:
            return _NOT_A_JSON_TOKEN
        if type(value) is float and value.is_integer():
            self.integral_floats.append(path)
        return value

    def _mapping(self, node: yaml.MappingNode, path: YamlPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        # Merge keys first: the mapping's own keys override what they bring;
        # of several merged mappings the last wins, as PyYAML's loaders have
        # it (and so the quick loader: both readings must agree).
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag == MERGE_TAG:
                self._key_lines[(*path, "<<")] = key_node.start_mark.line + 1
                sources = (
                    value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                )
                for source in sources:
                    if isinstance(source, yaml.MappingNode):
                        result.update(self._mapping(source, path))
                    else:
                        self._refuse(
                            source,
                            (*path, "<<"),
                            "a merge key (<<) takes a mapping or a list of mappings",
                        )
        own: set[str] = set()
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                self._refuse(key_node, path, "keys must be plain strings")
                continue
            if key_node.tag == MERGE_TAG:
                continue
            key = key_node.value
            child = (*path, key)
            if key in own:
                self._refuse(key_node, child, f"duplicate key {quoted(key)}")
                continue
            own.add(key)
            self._key_lines[child] = line
            result[key] = self.build(value_node, child)
        return result
