"""A parity run's result: each difference once, with how often and where it was
seen, as a table for a person and as JSON for a program (``fake-server parity``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from fake_server.recording.parity_compare import Difference
from fake_server.recording.parity_tags import TAGS

FORMAT = "fake_server.parity/1"
# Exchange numbers a finding lists at most (it counts them all).
LISTED_EXCHANGES = 10
LIST_ITEM = "$.data[*]."
COLUMNS = ("tag", "where", "upstream", "fake", "operations", "seen")


class Finding(NamedTuple):
    """One difference, however many exchanges showed it."""

    tag: str
    where: str
    kind: str
    upstream: str
    fake: str
    operations: tuple[str, ...]
    seen: int
    # The first exchanges (their ``seq``) that showed it.
    exchanges: tuple[int, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "tag": self.tag,
            "where": self.where,
            "kind": self.kind,
            "upstream": self.upstream,
            "fake": self.fake,
            "operations": list(self.operations),
            "count": self.seen,
            "exchanges": list(self.exchanges),
        }


class ParityResult(NamedTuple):
    cassette: str
    scenario: str | None
    exchanges: int
    replayed: int
    # Recorded exchanges not replayed, and why (control plane, say).
    skipped: tuple[tuple[int, str], ...]
    findings: tuple[Finding, ...]
    # What was left uncompared, and why.
    notes: tuple[str, ...] = ()

    @property
    def same(self) -> bool:
        return not self.findings

    def counts(self) -> dict[str, int]:
        return {tag: sum(1 for found in self.findings if found.tag == tag) for tag in TAGS}

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "cassette": self.cassette,
            "scenario": self.scenario,
            "exchanges": self.exchanges,
            "replayed": self.replayed,
            "skipped": [{"seq": seq, "reason": reason} for seq, reason in self.skipped],
            "same": self.same,
            "notes": list(self.notes),
            "counts": self.counts(),
            "differences": [found.to_json() for found in self.findings],
        }


def place(where: str) -> str:
    """Where a difference is, as a finding names it: an item of a list page
    (``$.data[*].status``) is the object it is (``$.status``), so a field a
    vector store lacks is one finding whether a read or a list showed it."""
    return "$." + where.removeprefix(LIST_ITEM) if where.startswith(LIST_ITEM) else where


def findings(differences: Iterable[Difference]) -> tuple[Finding, ...]:
    """Each distinct difference once: the same place, kind, values and tag,
    whichever exchanges and operations showed it; in tag order, then as first seen."""
    grouped: dict[tuple[str, str, str, str, str], list[Difference]] = {}
    for difference in differences:
        key = (difference.tag, place(difference.where), difference.kind)
        grouped.setdefault((*key, difference.upstream, difference.fake), []).append(difference)
    found = [
        Finding(
            tag=tag,
            where=where,
            kind=kind,
            upstream=upstream,
            fake=fake,
            operations=tuple(dict.fromkeys(seen.operation for seen in group)),
            seen=len(group),
            exchanges=tuple(dict.fromkeys(seen.seq for seen in group))[:LISTED_EXCHANGES],
        )
        for (tag, where, kind, upstream, fake), group in grouped.items()
    ]
    return tuple(sorted(found, key=lambda item: (TAGS.index(item.tag), item.exchanges[0])))


def table(result: ParityResult) -> str:
    """The result as a person reads it: a headline, then one row per difference."""
    counts = result.counts()
    summary = ", ".join(f"{counts[tag]} {tag}" for tag in TAGS)
    headline = (
        f"parity of {result.cassette} (scenario: {result.scenario or 'the default'}): "
        f"{result.replayed} of {result.exchanges} exchanges replayed, "
    )
    notes = [f"note: {note}" for note in result.notes]
    notes += [f"note: #{seq} not replayed: {reason}" for seq, reason in result.skipped]
    if result.same:
        return "\n".join([headline + "no difference", *notes])
    lines = [headline + f"{len(result.findings)} differences ({summary})", *notes, ""]
    rows = [COLUMNS] + [
        (
            found.tag,
            found.where,
            found.upstream,
            found.fake,
            ", ".join(found.operations),
            f"{found.seen}x (#{', #'.join(map(str, found.exchanges[:3]))})",
        )
        for found in result.findings
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(len(COLUMNS))]
    for row in rows:
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    return "\n".join(line.rstrip() for line in lines)
