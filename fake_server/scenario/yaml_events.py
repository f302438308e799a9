"""Plain YAML built straight from libyaml's parse events, for big scenarios.

PyYAML with libyaml still composes a node object for every value and then
constructs Python values from the nodes in Python: about 30 us per file of
a scenario, 3 s for 100,000 files. libyaml's events alone take a tenth of
that. This module builds values directly from the events, for the YAML that
scenarios are written in: mappings with string keys, sequences and untagged
scalars, resolved exactly as the safe loader resolves them.

Anything else (anchors and aliases, tags, merge keys, timestamps, keys that
are not strings, duplicate keys, several documents) makes ``load_plain``
answer None, and the caller uses the full loader, which handles or reports it.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

STR_TAG = "tag:yaml.org,2002:str"
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


def _build(events: Any) -> Any:  # noqa: PLR0912 -- one flat loop: a call per event costs
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
                return construct(self._constructor, yaml.ScalarNode(tag, value))
        return value
