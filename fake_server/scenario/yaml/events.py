"""Plain YAML built straight from libyaml's parse events, for big scenarios.

PyYAML with libyaml still composes a node object for every value and then
constructs Python values from the nodes in Python: about 30 us per file of
a scenario, 3 s for 100,000 files. libyaml's events alone take a tenth of
that. This module builds values directly from the events, for the YAML that
scenarios are written in: mappings with string keys, sequences and untagged
scalars, resolved exactly as the safe loader resolves them.

Anything else (anchors and aliases, tags, merge keys, timestamps, keys that
are not strings, duplicate keys, several documents, nesting deeper than
``MAX_DEPTH``, numbers outside the policy of ``strict_json`` or floats with
an integral value) makes ``load_plain`` answer None, and the caller uses the
full loader, which handles or reports it.

``check_bounds`` is the other use of the events: before any loader builds a
node tree, it refuses a document that nests too deep or whose aliases would
expand to too many values (a "billion laughs" bomb is a few hundred bytes).
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import yaml
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from fake_server.contract.strict_json import MAX_INT_LITERAL_CHARACTERS, number_problem

STR_TAG = "tag:yaml.org,2002:str"
INT_TAG = "tag:yaml.org,2002:int"
FLOAT_TAG = "tag:yaml.org,2002:float"
# Mappings and lists inside one another; a real scenario needs 8.
MAX_DEPTH = 64
# What aliases (and merge keys, which use them) may add to a document in all:
# values (mappings, lists, keys and scalars) and characters of scalars.
# Without aliases a document holds at most its own size; with them, a few
# hundred bytes could stand for billions of values.
MAX_ALIAS_VALUES = 100_000
MAX_ALIAS_CHARACTERS = 1_000_000
# The scalar types a plain YAML value may resolve to, and how each is built.
_CONSTRUCTORS = {
    tag: SafeConstructor.yaml_constructors[tag]
    for tag in (
        "tag:yaml.org,2002:null",
        "tag:yaml.org,2002:bool",
        "tag:yaml.org,2002:int",
        "tag:yaml.org,2002:float",
    )
}
_IMPLICIT_RESOLVERS: dict[str, list[tuple[str, Any]]] = Resolver.yaml_implicit_resolvers
_NO_RESOLVERS: list[tuple[str, Any]] = []


class _NeedsFullLoaderError(Exception):
    """The document needs the full loader."""


def available() -> bool:
    return hasattr(yaml, "CSafeLoader")


def load_plain(text: str) -> tuple[Any] | None:
    """``(value,)`` for a plain single document, None when the full loader is needed."""
    if not available():
        return None
    try:
        return (_build(yaml.parse(text, Loader=yaml.CSafeLoader)),)
    except (_NeedsFullLoaderError, yaml.YAMLError):
        return None


def _build(events: Any) -> Any:  # noqa: PLR0912, PLR0915 -- one flat loop: a call per event costs
    scalars = _ScalarBuilder()
    # Open containers, innermost last; for a mapping, the key waiting for
    # its value (or _NO_KEY).
    open_containers: list[Any] = []
    pending_keys: list[Any] = []
    root: list[Any] = []
    documents = 0
    for event in events:
        kind = type(event)
        if kind is yaml.ScalarEvent:
            if event.anchor is not None or event.tag not in (None, "!"):
                raise _NeedsFullLoaderError
            value: Any = scalars.build(event.value, event.implicit[0])
            is_scalar = True
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            if event.anchor is not None or event.tag not in (None, "!"):
                raise _NeedsFullLoaderError
            if (
                open_containers
                and pending_keys[-1] is _NO_KEY
                and type(open_containers[-1]) is dict
            ):
                raise _NeedsFullLoaderError  # a mapping or sequence as a key
            if len(open_containers) >= MAX_DEPTH:
                raise _NeedsFullLoaderError  # check_bounds reports it
            open_containers.append({} if kind is yaml.MappingStartEvent else [])
            pending_keys.append(_NO_KEY)
            continue
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            value = open_containers.pop()
            pending_keys.pop()
            is_scalar = False
        elif kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise _NeedsFullLoaderError
            continue
        elif kind is yaml.AliasEvent:
            raise _NeedsFullLoaderError
        else:  # stream start and end, document end
            continue
        if not open_containers:
            root.append(value)
            continue
        container = open_containers[-1]
        if type(container) is list:
            container.append(value)
            continue
        key = pending_keys[-1]
        if key is _NO_KEY:
            if not is_scalar or type(value) is not str:
                raise _NeedsFullLoaderError
            if value in container:
                raise _NeedsFullLoaderError  # a duplicate key: the full loader reports it
            pending_keys[-1] = value
        else:
            container[key] = value
            pending_keys[-1] = _NO_KEY
    return root[0] if root else None


_NO_KEY = object()


class _ScalarBuilder:
    def __init__(self) -> None:
        # The constructors take a constructor instance; only its scalar
        # helpers are used, so one that reads nothing serves.
        self._constructor = yaml.SafeLoader("")

    def build(self, value: str, plain: bool) -> Any:
        if not plain:
            return value  # quoted: always a string
        resolvers = _IMPLICIT_RESOLVERS.get(value[0] if value else "", _NO_RESOLVERS)
        for tag, pattern in resolvers:
            if pattern.match(value):
                construct = _CONSTRUCTORS.get(tag)
                if construct is None:
                    raise _NeedsFullLoaderError  # a timestamp, a merge key, ...
                if tag == INT_TAG and len(value) > MAX_INT_LITERAL_CHARACTERS:
                    raise _NeedsFullLoaderError  # out of range, and slow to convert
                built = construct(self._constructor, yaml.ScalarNode(tag, value))
                if tag == INT_TAG and number_problem(built) is not None:
                    raise _NeedsFullLoaderError
                if tag == FLOAT_TAG and (not math.isfinite(built) or built.is_integer()):
                    # Not finite: refused. Integral (503.0): the careful reading
                    # decides, field by field, whether an integer was needed.
                    raise _NeedsFullLoaderError
                return built
        return value


# --- bounds -------------------------------------------------------------------


class BoundsError(Exception):
    """A document refused before it is built: ``line`` and ``path`` say where."""

    def __init__(self, message: str, line: int, path: tuple[str | int, ...]) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.path = path


class _Expanded(NamedTuple):
    values: int  # values in the subtree, aliases inside it expanded
    characters: int  # characters of its scalars, likewise
    depth: int  # containers on the longest path down, itself included


class _Frame:
    __slots__ = ("anchor", "characters", "children", "depth", "key", "mapping", "values")

    def __init__(self, mapping: bool, anchor: str | None) -> None:
        self.mapping = mapping
        self.anchor = anchor
        self.children = 0
        self.key: str | int = ""  # a mapping's key being read
        self.values = 1
        self.characters = 0
        self.depth = 0


def check_bounds(text: str) -> None:  # noqa: PLR0912 -- one flat loop, as _build
    """Raise ``BoundsError`` if the document nests deeper than ``MAX_DEPTH``
    or its aliases expand to more than ``MAX_ALIAS_VALUES`` values or
    ``MAX_ALIAS_CHARACTERS`` characters.

    One pass over the events, counting what each anchor stands for, so the
    work is proportional to the text however much the aliases would expand.
    A document that does not parse passes: the loader reports it, with its line.
    """
    loader = yaml.CSafeLoader if available() else yaml.SafeLoader
    anchors: dict[str, _Expanded] = {}
    frames: list[_Frame] = []
    aliased_values = aliased_characters = 0
    try:
        events: Any = yaml.parse(text, Loader=loader)
        for event in events:
            kind = type(event)
            if kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                if len(frames) >= MAX_DEPTH:
                    raise _bounds_error(f"nesting is deeper than {MAX_DEPTH} levels", event, frames)
                frames.append(_Frame(kind is yaml.MappingStartEvent, event.anchor))
                continue
            if kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                frame = frames.pop()
                done = _Expanded(frame.values, frame.characters, frame.depth + 1)
                if frame.anchor is not None:
                    anchors[frame.anchor] = done
            elif kind is yaml.ScalarEvent:
                done = _Expanded(1, len(event.value), 0)
                if event.anchor is not None:
                    anchors[event.anchor] = done
            elif kind is yaml.AliasEvent:
                known = anchors.get(event.anchor)
                if known is None:
                    if any(frame.anchor == event.anchor for frame in frames):
                        raise _bounds_error(
                            "an alias inside the value it refers to (a cycle)", event, frames
                        )
                    continue  # an unknown anchor: the loader reports it
                aliased_values += known.values
                aliased_characters += known.characters
                if aliased_values > MAX_ALIAS_VALUES:
                    raise _bounds_error(
                        f"aliases expand to more than {MAX_ALIAS_VALUES:,} values", event, frames
                    )
                if aliased_characters > MAX_ALIAS_CHARACTERS:
                    raise _bounds_error(
                        f"aliases expand to more than {MAX_ALIAS_CHARACTERS:,} characters",
                        event,
                        frames,
                    )
                if len(frames) + known.depth > MAX_DEPTH:
                    raise _bounds_error(
                        f"nesting is deeper than {MAX_DEPTH} levels (through this alias)",
                        event,
                        frames,
                    )
                done = known
            else:
                continue  # stream and document events
            if frames:
                parent = frames[-1]
                if parent.mapping and parent.children % 2 == 0:
                    parent.key = event.value if kind is yaml.ScalarEvent else "?"
                parent.children += 1
                parent.values += done.values
                parent.characters += done.characters
                parent.depth = max(parent.depth, done.depth)
    except yaml.YAMLError:
        return


def _bounds_error(message: str, event: Any, frames: list[_Frame]) -> BoundsError:
    path: list[str | int] = []
    for frame in frames:
        if not frame.mapping:
            path.append(frame.children)
        elif frame.children % 2 == 1:  # at a value: its key
            path.append(frame.key)
    return BoundsError(message, event.start_mark.line + 1, tuple(path))
