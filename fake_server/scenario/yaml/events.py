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
from collections.abc import Callable
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


def _build(events: Any) -> Any:
    """The value of a plain single document, in one flat loop: a call per event costs."""
    scalars = _ScalarBuilder()
    documents: list[Any] = []
    # Open containers, innermost last, the stream's documents first; for a
    # mapping, the key waiting for its value (or _NO_KEY).
    open_containers: list[Any] = [documents]
    pending_keys: list[Any] = [_NO_KEY]
    for event in events:
        kind = type(event)
        if kind is yaml.ScalarEvent:
            value: Any = scalars.build(event)
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            # A mapping or list as a key needs no test here: where it ends, it
            # is a key that is not a string.
            if (
                event.anchor is not None
                or event.tag not in _UNTAGGED
                or len(open_containers) > MAX_DEPTH  # check_bounds reports it
            ):
                raise _NeedsFullLoaderError
            open_containers.append({} if kind is yaml.MappingStartEvent else [])
            pending_keys.append(_NO_KEY)
            continue
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            value = open_containers.pop()
            pending_keys.pop()
        elif kind is yaml.AliasEvent:
            raise _NeedsFullLoaderError
        else:  # stream and document events: each document is one value, counted at the end
            continue
        container = open_containers[-1]
        key = pending_keys[-1]
        if type(container) is list:
            container.append(value)
        elif key is not _NO_KEY:
            container[key] = value
            pending_keys[-1] = _NO_KEY
        elif type(value) is not str or value in container:
            raise _NeedsFullLoaderError  # not a string, or a duplicate: the full loader reports it
        else:
            pending_keys[-1] = value
    if len(documents) > 1:
        raise _NeedsFullLoaderError
    return documents[0] if documents else None


_NO_KEY = object()
# The tags of a value written without one: None, or "!" for a quoted scalar.
_UNTAGGED = (None, "!")


class _ScalarBuilder:
    def __init__(self) -> None:
        # The constructors take a constructor instance; only its scalar
        # helpers are used, so one that reads nothing serves.
        self._constructor = yaml.SafeLoader("")

    def build(self, event: yaml.ScalarEvent) -> Any:
        if event.anchor is not None or event.tag not in _UNTAGGED:
            raise _NeedsFullLoaderError
        value: str = event.value
        if not event.implicit[0]:
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


def check_bounds(text: str) -> None:
    """Raise ``BoundsError`` if the document nests deeper than ``MAX_DEPTH``
    or its aliases expand to more than ``MAX_ALIAS_VALUES`` values or
    ``MAX_ALIAS_CHARACTERS`` characters.

    One pass over the events, counting what each anchor stands for, so the
    work is proportional to the text however much the aliases would expand.
    A document that does not parse passes: the loader reports it, with its line.
    """
    loader = yaml.CSafeLoader if available() else yaml.SafeLoader
    counter = _Counter()
    try:
        for event in yaml.parse(text, Loader=loader):
            count = _COUNTS.get(type(event))
            if count is not None:  # not a stream or document event
                count(counter, event)
    except yaml.YAMLError:
        return


class _Counter:
    """What each anchor stands for, and the containers open, as the events go by."""

    def __init__(self) -> None:
        self.anchors: dict[str, _Expanded] = {}
        self.frames: list[_Frame] = []
        self.aliased_values = 0
        self.aliased_characters = 0

    def open(self, event: Any) -> None:
        if len(self.frames) >= MAX_DEPTH:
            raise _bounds_error(f"nesting is deeper than {MAX_DEPTH} levels", event, self.frames)
        self.frames.append(_Frame(type(event) is yaml.MappingStartEvent, event.anchor))

    def close(self, event: Any) -> None:
        frame = self.frames.pop()
        self._done(frame.anchor, _Expanded(frame.values, frame.characters, frame.depth + 1), "?")

    def scalar(self, event: Any) -> None:
        self._done(event.anchor, _Expanded(1, len(event.value), 0), event.value)

    def alias(self, event: Any) -> None:
        known = self.anchors.get(event.anchor)
        if known is None:
            if any(frame.anchor == event.anchor for frame in self.frames):
                raise _bounds_error(
                    "an alias inside the value it refers to (a cycle)", event, self.frames
                )
            return  # an unknown anchor: the loader reports it
        self.aliased_values += known.values
        self.aliased_characters += known.characters
        problem = self._expansion_problem(known)
        if problem is not None:
            raise _bounds_error(problem, event, self.frames)
        self._add(known, "?")

    def _expansion_problem(self, known: _Expanded) -> str | None:
        if self.aliased_values > MAX_ALIAS_VALUES:
            return f"aliases expand to more than {MAX_ALIAS_VALUES:,} values"
        if self.aliased_characters > MAX_ALIAS_CHARACTERS:
            return f"aliases expand to more than {MAX_ALIAS_CHARACTERS:,} characters"
        if len(self.frames) + known.depth > MAX_DEPTH:
            return f"nesting is deeper than {MAX_DEPTH} levels (through this alias)"
        return None

    def _done(self, anchor: str | None, done: _Expanded, key: str) -> None:
        """A value read whole (``key``: its text, were it a mapping's key)."""
        if anchor is not None:
            self.anchors[anchor] = done
        self._add(done, key)

    def _add(self, done: _Expanded, key: str) -> None:
        if not self.frames:
            return
        parent = self.frames[-1]
        if parent.mapping and parent.children % 2 == 0:
            parent.key = key
        parent.children += 1
        parent.values += done.values
        parent.characters += done.characters
        parent.depth = max(parent.depth, done.depth)


# What each kind of event does to the count (stream and document events: nothing).
_COUNTS: dict[type, Callable[[_Counter, Any], None]] = {
    yaml.MappingStartEvent: _Counter.open,
    yaml.SequenceStartEvent: _Counter.open,
    yaml.MappingEndEvent: _Counter.close,
    yaml.SequenceEndEvent: _Counter.close,
    yaml.ScalarEvent: _Counter.scalar,
    yaml.AliasEvent: _Counter.alias,
}


def _bounds_error(message: str, event: Any, frames: list[_Frame]) -> BoundsError:
    path: list[str | int] = []
    for frame in frames:
        if not frame.mapping:
            path.append(frame.children)
        elif frame.children % 2 == 1:  # at a value: its key
            path.append(frame.key)
    return BoundsError(message, event.start_mark.line + 1, tuple(path))
