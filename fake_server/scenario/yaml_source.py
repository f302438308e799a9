"""YAML that remembers where each value came from.

PyYAML's loaders drop line numbers, yet a scenario error must name its line.
``load_with_lines`` composes the node tree (which keeps marks), builds plain
Python values from it, and returns a map from each value's path to its line.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import yaml

from fake_server.contract import strict_json
from fake_server.scenario import yaml_events

YamlPath = tuple[str | int, ...]


class YamlSourceError(Exception):
    def __init__(self, message: str, line: int | None, path: YamlPath = ()) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.path = path


class LocatedYaml(NamedTuple):
    value: Any
    value_lines: dict[YamlPath, int]
    key_lines: dict[YamlPath, int]

    def line_of(self, path: YamlPath, *, key: bool = False) -> int | None:
        """The line of the value at ``path`` (or of its key), else of the nearest parent."""
        lines = self.key_lines if key else self.value_lines
        while path:
            if path in lines:
                return lines[path]
            if path in self.value_lines:
                return self.value_lines[path]
            path = path[:-1]
        return self.value_lines.get(())


class _QuickLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml's parser when available; refuses duplicate keys instead of keeping the last."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        keys = [key.value for key, _ in node.value if isinstance(key, yaml.ScalarNode)]
        if len(set(keys)) != len(node.value):
            raise yaml.constructor.ConstructorError(None, None, "duplicate key", node.start_mark)
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]


class QuickYaml(NamedTuple):
    value: Any


def load_quickly(text: str) -> QuickYaml | None:
    """The document's value, fast, or None if anything at all is wrong with it.

    JSON (a subset of YAML) goes through the json module, many times faster
    than any YAML parser for big scenarios; plain YAML is built from
    libyaml's events (``yaml_events``); anything else takes the full loader.
    """
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            return QuickYaml(strict_json.loads(text))
        except (ValueError, RecursionError):
            pass
    plain = yaml_events.load_plain(text)
    if plain is not None:
        return QuickYaml(plain[0])
    try:
        return QuickYaml(yaml.load(text, Loader=_QuickLoader))
    except (yaml.YAMLError, RecursionError):
        return None


def load_with_lines(text: str) -> LocatedYaml:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        raise YamlSourceError(f"invalid YAML: {error.problem or error}", line) from None
    except yaml.YAMLError as error:
        raise YamlSourceError(f"invalid YAML: {error}", None) from None
    value_lines: dict[YamlPath, int] = {}
    key_lines: dict[YamlPath, int] = {}
    if root is None:
        return LocatedYaml(None, {(): 1}, {})
    builder = _Builder(value_lines, key_lines)
    return LocatedYaml(builder.build(root, ()), value_lines, key_lines)


class _Builder:
    def __init__(self, value_lines: dict[YamlPath, int], key_lines: dict[YamlPath, int]) -> None:
        self._value_lines = value_lines
        self._key_lines = key_lines
        self._scalars = yaml.SafeLoader("")
        self._depth = 0

    def build(self, node: yaml.Node, path: YamlPath) -> Any:
        self._value_lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.ScalarNode):
            try:
                return self._scalars.construct_object(node, deep=True)
            except yaml.constructor.ConstructorError as error:
                raise YamlSourceError(str(error.problem), node.start_mark.line + 1, path) from None
        # Aliases make the node graph a DAG (or a cycle); the depth bound keeps
        # a hostile document from recursing forever.
        self._depth += 1
        if self._depth > 64:
            raise YamlSourceError("nesting is too deep", node.start_mark.line + 1, path)
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path)
            raise YamlSourceError("unsupported YAML node", node.start_mark.line + 1, path)
        finally:
            self._depth -= 1

    def _mapping(self, node: yaml.MappingNode, path: YamlPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlSourceError("keys must be plain strings", line, path)
            key = str(self._scalars.construct_object(key_node))
            child = (*path, key)
            if key in result:
                raise YamlSourceError(f"duplicate key '{key}'", line, child)
            self._key_lines[child] = line
            result[key] = self.build(value_node, child)
        return result
