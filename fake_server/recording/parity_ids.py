"""Upstream ids and the fake's: the ids the fake created stand for the ones the
upstream created (``fake-server parity``).

Learnt by reading an upstream answer and the fake's answer to the same request
side by side: where both carry an id at the same place, the upstream's stands
for the fake's from then on. Every later request is rewritten with them (path
segments, query values, any string of its JSON body), and every later answer is
compared through them. An id never learnt (an object that existed before the
recording, named in the scenario) stands for itself.
"""

from __future__ import annotations

from typing import Any

# The keys whose values are object ids, besides those ending in ``_id``.
ID_KEYS = frozenset({"id", "first_id", "last_id"})


def is_id_key(key: str | None) -> bool:
    return key is not None and (key in ID_KEYS or key.endswith("_id"))


class IdMap:
    """Upstream id -> the fake's id for the same object."""

    def __init__(self) -> None:
        self._fake: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self._fake)

    def fake_for(self, upstream: str) -> str:
        return self._fake.get(upstream, upstream)

    def learn(self, upstream: Any, fake: Any, key: str | None = None) -> None:
        """Pair the ids at the same places of two answers (lists item by item, as
        ``align`` pairs them)."""
        if isinstance(upstream, dict) and isinstance(fake, dict):
            for name in upstream.keys() & fake.keys():
                self.learn(upstream[name], fake[name], name)
        elif isinstance(upstream, list) and isinstance(fake, list):
            for up_item, fake_item in align(upstream, fake, self):
                self.learn(up_item, fake_item, key)
        elif (
            isinstance(upstream, str)
            and isinstance(fake, str)
            and is_id_key(key)
            and upstream not in self._fake
            and upstream != fake
        ):
            self._fake[upstream] = fake

    def rewrite(self, value: Any) -> Any:
        """``value`` (a recorded request's JSON body) with upstream ids replaced."""
        if isinstance(value, str):
            return self._fake.get(value, value)
        if isinstance(value, list):
            return [self.rewrite(item) for item in value]
        if isinstance(value, dict):
            return {name: self.rewrite(item) for name, item in value.items()}
        return value

    def rewrite_path(self, path: str) -> str:
        return "/".join(self._fake.get(part, part) for part in path.split("/"))


def _item_id(item: Any) -> str | None:
    if isinstance(item, dict):
        value = item.get("id", item.get("file_id"))
        return value if isinstance(value, str) else None
    return None


def align(upstream: list[Any], fake: list[Any], ids: IdMap) -> list[tuple[Any, Any]]:
    """Pairs of items for comparison: an upstream item with the fake's item of the
    id it stands for, wherever it is in the list; the rest in order. Items one
    side lacks are not paired (the lists' lengths are compared on their own)."""
    by_id = {item_id: index for index, item in enumerate(fake) if (item_id := _item_id(item))}
    taken: set[int] = set()
    pairs: list[tuple[int, int | None]] = []
    for index, item in enumerate(upstream):
        item_id = _item_id(item)
        found = by_id.get(ids.fake_for(item_id)) if item_id is not None else None
        if found is not None and found in taken:
            found = None  # two upstream items with one id: the second goes in order
        if found is not None:
            taken.add(found)
        pairs.append((index, found))
    rest = iter(index for index in range(len(fake)) if index not in taken)
    paired: list[tuple[Any, Any]] = []
    for index, by_place in pairs:
        found = next(rest, None) if by_place is None else by_place
        if found is not None:
            paired.append((upstream[index], fake[found]))
    return paired
