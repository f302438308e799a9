"""When something happened that no answer dated exactly: the span the
observations allow, from the last one before it to the first one after.

- A cancel's delay: from the cancel's answer until it reached the batch's files,
  seen in a file's own reads or in the batch's ``cancelled`` count rising. A
  cancel never seen to reach them took longer than its last observation.
- The files of an earlier batch known only by its counts: those in progress at
  its first counts finish, one by one, when a count shows one more of them
  completed or failed; the others (cancelled, or in progress until the end)
  never finish on their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from fake_server import defaults
from fake_server.recording.observations import FileTimeline

MOST_FILES = defaults.MAX_FILES_PER_BATCH  # a count beyond it is not a batch's
NEVER = "never"
Counts = Sequence[tuple[float, dict[str, int]]]  # a batch's counts, in recorded order


class Span(NamedTuple):
    """Seconds after a moment: ``low`` at least, ``high`` at most (None: no end seen)."""

    low: float
    high: float | None

    def middle(self) -> float | None:
        return None if self.high is None else number((self.low + self.high) / 2)


def number(value: float) -> float | int:
    """Seconds as a scenario gives them: to the millisecond, whole ones as integers."""
    rounded = round(value, 3)
    return int(rounded) if rounded == int(rounded) else rounded


def file_reached(timeline: FileTimeline, cancelled_at: float) -> Span | None:
    """The cancel's delay as one file's reads show it; None when they say
    nothing of it (the file was not seen in progress after the cancel, nor cancelled)."""
    first = min(
        (t for t, s in timeline.finished if s == "cancelled" and t >= cancelled_at), default=None
    )
    before = [
        t
        for t in (*timeline.in_progress, *(t for t, s in timeline.finished if s != "cancelled"))
        if cancelled_at <= t and (first is None or t <= first)
    ]
    if first is None:
        if timeline.status is not None or not before:
            return None  # it ended on its own, or nothing was seen after the cancel
        return Span(max(before) - cancelled_at, None)
    last = max(before) if before else cancelled_at
    return Span(max(0.0, last - cancelled_at), max(0.0, first - cancelled_at))


def counts_reached(counts: Counts, cancelled_at: float, answered: dict[str, int]) -> Span:
    """The cancel's delay as the batch's counts show it: reached when its
    ``cancelled`` count first rose above the cancel's answer."""
    base = answered.get("cancelled", 0)
    later = [(at, seen) for at, seen in counts if at >= cancelled_at]
    first = min((at for at, seen in later if seen.get("cancelled", 0) > base), default=None)
    before = [at for at, _ in later if first is None or at < first]
    last = max(before, default=cancelled_at)
    return Span(last - cancelled_at, None if first is None else first - cancelled_at)


def pending_rows(counts: Counts) -> list[dict[str, Any]]:
    """Scenario rows for the files in progress at a batch's first counts: the
    k-th to complete (or fail) finishes between the last counts showing fewer
    and the first showing that many; the rest never finish on their own."""
    first = counts[0][1]
    pending = min(first.get("in_progress", 0), MOST_FILES)
    rows: list[dict[str, Any]] = []
    for status in ("completed", "failed"):
        base = first.get(status, 0)
        for k in range(1, pending - len(rows) + 1):
            end = min((at for at, seen in counts if seen.get(status, 0) >= base + k), default=None)
            if end is None:
                break
            start = max(
                (at for at, seen in counts if at <= end and seen.get(status, 0) < base + k),
                default=end,
            )
            row: dict[str, Any] = {"processing_seconds": number((start + end) / 2)}
            if status == "failed":
                row["outcome"] = "failed"
            rows.append(row)
    return rows + [{"processing_seconds": NEVER} for _ in range(pending - len(rows))]
