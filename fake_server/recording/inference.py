"""The scenario a recording shows: what ``fake-server record`` writes as
``scenario.yaml``, and ``fake-server check`` accepts unchanged.

- Files uploaded during the recording share the scenario's ``defaults``: the
  median of their processing times, their most common outcome and error.
- Objects the client used but did not create existed before the recording: they
  become scenario objects with the ids the upstream gave them (files, vector
  stores, their batches), with the timeline each showed.
- A cancel answered with files still in progress is ``gradual``, its delay the
  time until its files were seen cancelled; one answered with none is ``immediate``.
- A 429 whose message names the limit (``Limit N``) sets
  ``limits.attached_files_per_minute``; every 429 is listed with its retry headers.
  A 413 on an upload naming its limit (``limit of N bytes``) sets
  ``limits.bytes_per_upload``.
- The ``openai-poll-after-ms`` seen most often becomes ``clock.poll_after_ms``.

A processing time lies between the last in-progress and the first finished
observation (see ``observations``); the scenario takes the middle, and the
comment at the top of the file gives each file's bounds and what the scenario
format cannot say.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from typing import Any, NamedTuple

import yaml

from fake_server import defaults
from fake_server.defaults import CANCEL_DELAY_SECONDS
from fake_server.domain.printable import printable
from fake_server.recording.bounds import (
    MOST_FILES,
    NEVER,
    Span,
    counts_reached,
    file_reached,
    number,
    pending_rows,
)
from fake_server.recording.cassette import Cassette, Exchange
from fake_server.recording.observations import FileTimeline, Seen, observe
from fake_server.scenario.checks import scenario_validator

# What a scenario can say, read from where it is stated: the error codes a
# file may fail with, and the scenario schema's purposes, ids and bounds.
ERROR_CODES = tuple(defaults.ERROR_MESSAGES)
_SCENARIO = scenario_validator().schema
PURPOSES = tuple(_SCENARIO["$defs"]["upload"]["properties"]["purpose"]["enum"])
ID_PATTERNS = {
    kind: re.compile(_SCENARIO["$defs"][definition]["properties"]["id"]["pattern"])
    for kind, definition in (("file", "upload"), ("store", "vector_store"), ("batch", "file_batch"))
}
LIMIT_IN_MESSAGE = re.compile(r"\bLimit (\d+)\b")
BYTES_IN_MESSAGE = re.compile(r"\blimit of (\d+) bytes\b")
LARGEST_UPLOAD = defaults.LARGEST_UPLOAD_BYTES
MAX_POLL_AFTER_MS = _SCENARIO["properties"]["clock"]["properties"]["poll_after_ms"]["maximum"]
MAX_BYTES = 2**53 - 1


class Estimate(NamedTuple):
    seconds: float | str | None  # None: nothing seen to say it; "never": not finished
    low: float | None
    high: float | None


def estimate(timeline: FileTimeline) -> Estimate:
    """Seconds from being attached (the recording's start for an earlier attach)
    to the outcome, in the middle of what the observations allow."""
    if timeline.attached_at is None and not timeline.in_progress:
        return Estimate(None, None, None)  # finished before it was first seen
    start = timeline.attached_at if timeline.attached_at is not None else 0.0
    last, first = timeline.last_in_progress(), timeline.first_finished()
    if timeline.status in ("completed", "failed") and first is not None:
        low = max(0.0, (last if last is not None else start) - start)
        high = max(low, first - start)
        return Estimate(number((low + high) / 2), low, high)
    if timeline.in_progress or timeline.status == "cancelled":
        return Estimate(NEVER, (last or start) - start, None)
    return Estimate(None, None, None)


def _outcome(timeline: FileTimeline) -> dict[str, Any]:
    """The outcome keys of a scenario file: processing time, outcome, error."""
    found = estimate(timeline)
    out: dict[str, Any] = {}
    if found.seconds is not None:
        out["processing_seconds"] = found.seconds
    if timeline.status in ("completed", "failed") and found.seconds != NEVER:
        out["outcome"] = timeline.status
    if timeline.status == "failed" and timeline.error_code in ERROR_CODES:
        out["error"] = {"code": timeline.error_code}
        if timeline.error_message:
            out["error"]["message"] = timeline.error_message
    return out


def _describe(timeline: FileTimeline) -> str:
    found = estimate(timeline)
    where = f"{timeline.store}/{timeline.file}" + (
        f" (batch {timeline.batch})" if timeline.batch else ""
    )
    attached = (
        f"attached at {timeline.attached_at:.3f} s"
        if timeline.attached_at is not None
        else "attached before the recording"
    )
    end = timeline.status or "not finished when the recording stopped"
    if timeline.status == "failed" and timeline.error_code:
        end += f" ({timeline.error_code})"
    if isinstance(found.seconds, float | int) and found.low is not None:
        timing = f", processing {found.seconds} s (between {found.low:.3f} and {found.high:.3f})"
    else:
        timing = ""
    return f"{where}: {attached}, {end}{timing}"


class Inference:
    """The scenario's data and the notes that go above it."""

    def __init__(self, cassette: Cassette) -> None:
        self.cassette = cassette
        self.seen: Seen = observe(cassette)
        self.notes: list[str] = []
        self.data: dict[str, Any] = {}

    def run(self) -> Inference:
        cassette = self.cassette
        self.data["description"] = (
            f"Inferred from a recording of {cassette.upstream} at {cassette.recorded_at} "
            f"({len(cassette.exchanges)} exchanges)"
        )
        for part in (self._clock, self._defaults, self._cancel, self._limits):
            part()
        earlier_batches = self._earlier_stores()
        self._earlier_files(earlier_batches)
        self.notes[:0] = [
            "file timelines (seconds since the recording started):",
            *(f"  {_describe(t)}" for t in self.seen.all_timelines()),
        ]
        return self

    def _clock(self) -> None:
        values = [v for v in self.seen.poll_after_ms if 0 <= v <= MAX_POLL_AFTER_MS]
        if values:
            self.data["clock"] = {"poll_after_ms": Counter(values).most_common(1)[0][0]}

    def _runtime_timelines(self) -> list[FileTimeline]:
        created = self.seen.created_files
        return [t for t in self.seen.all_timelines() if t.file in created]

    def _defaults(self) -> None:
        finished = [t for t in self._runtime_timelines() if t.status in ("completed", "failed")]
        times = [e.seconds for e in map(estimate, finished) if isinstance(e.seconds, float | int)]
        if not times:
            return
        outcomes = Counter(t.status for t in finished)
        outcome = outcomes.most_common(1)[0][0]
        defaults: dict[str, Any] = {"processing_seconds": number(statistics.median(times))}
        if outcome == "failed":
            defaults["outcome"] = "failed"
            codes = Counter(t.error_code for t in finished if t.error_code in ERROR_CODES)
            if codes:
                defaults["error"] = {"code": codes.most_common(1)[0][0]}
        self.data["defaults"] = defaults
        if len(outcomes) > 1:
            self.notes.append(
                "files uploaded during the recording ended differently "
                f"({dict(outcomes)}); a scenario gives them one outcome: {outcome}"
            )

    def _cancel(self) -> None:
        seen = self.seen
        spans: list[Span] = []
        modes: list[str] = []
        for _, batch, at, counts in seen.cancels:
            if counts.get("in_progress", 0) > 0:
                modes.append("gradual")
                spans.extend(self._cancel_spans(batch, at, counts))
            elif counts.get("cancelled", 0) > 0:
                modes.append("immediate")
        if not modes:
            return
        mode = "gradual" if "gradual" in modes else "immediate"
        cancel: dict[str, Any] = {"mode": mode}
        if mode == "gradual" and spans:
            cancel["delay_seconds"] = self._cancel_delay(spans)
        self.data["cancel"] = cancel
        if len(set(modes)) > 1:
            self.notes.append(f"cancels answered both ways ({Counter(modes)}); chosen: {mode}")

    def _cancel_spans(self, batch: str, at: float, answered: dict[str, int]) -> list[Span]:
        """What the reads of a gradual cancel's files, else its batch's counts, show."""
        files = self.seen.batches.get(batch, ("", []))[1]
        spans = [span for span in (file_reached(t, at) for t in files) if span is not None]
        if spans:
            return spans
        counts = [(when, seen) for b, when, seen in self.seen.batch_counts if b == batch]
        return [counts_reached(counts, at, answered)]

    def _cancel_delay(self, spans: list[Span]) -> float | int:
        """The middle of the spans seen to end; with none, past the last observation."""
        middles = [m for m in (span.middle() for span in spans) if m is not None]
        longest = max(span.low for span in spans)
        if not middles:
            return number(longest + CANCEL_DELAY_SECONDS)
        delay = number(statistics.median(middles))
        if delay <= longest:
            self.notes.append(
                f"a cancel was still not seen reaching its files {longest:.3f} s after it; "
                f"the delay chosen, {delay} s, is shorter"
            )
        return delay

    def _limits(self) -> None:
        for exchange in self.seen.too_large:
            message = _error_message(exchange)
            found = BYTES_IN_MESSAGE.search(message) if message else None
            self.notes.append(
                f"413 at {exchange.t:.3f} s on {exchange.request.method} {exchange.request.path}"
            )
            if found and 1 <= int(found.group(1)) <= LARGEST_UPLOAD:
                self.data.setdefault("limits", {})["bytes_per_upload"] = int(found.group(1))
        for exchange in self.seen.rate_limits:
            headers = exchange.response.headers
            retry = ", ".join(
                f"{name}={headers[name]}"
                for name in ("retry-after", "retry-after-ms", "x-should-retry")
                if name in headers
            )
            self.notes.append(
                f"429 at {exchange.t:.3f} s on {exchange.request.method} "
                f"{exchange.request.path}" + (f" ({retry})" if retry else "")
            )
            message = _error_message(exchange)
            if message is None:
                continue
            found = LIMIT_IN_MESSAGE.search(message)
            if found and int(found.group(1)) >= 1 and "file" in message.lower():
                limits = self.data.setdefault("limits", {})
                limits["attached_files_per_minute"] = int(found.group(1))

    def _earlier_stores(self) -> set[str]:
        """Vector stores (and their batches) the client used but did not create;
        the ids of the files those batches hold."""
        seen = self.seen
        stores: list[dict[str, Any]] = []
        held: set[str] = set()
        for store in sorted(seen.referenced_stores - seen.created_stores):
            if not self._fits("store", store):
                continue
            entry: dict[str, Any] = {"id": store}
            name = seen.store_objects.get(store, {}).get("name")
            if isinstance(name, str):
                entry["name"] = name
            batches = self._earlier_batches(store, held)
            if batches:
                entry["file_batches"] = batches
            stores.append(entry)
        if stores:
            self.data["vector_stores"] = stores
        return held

    def _earlier_batches(self, store: str, held: set[str]) -> list[dict[str, Any]]:
        """The batches of an earlier store; each file once in the store."""
        seen = self.seen
        in_store: set[str] = set()
        batches = []
        for batch, (batch_store, files) in seen.batches.items():
            if batch_store != store or batch in seen.created_batches:
                continue
            if not self._fits("batch", batch):
                continue
            own = [t for t in files if t.file not in in_store]
            in_store.update(t.file for t in own)
            rows = [self._earlier_batch_file(timeline) for timeline in own]
            rows = rows or self._rows_from_counts(batch)
            if rows:
                batches.append({"id": batch, "files": rows})
        held.update(in_store)
        return batches

    def _rows_from_counts(self, batch: str) -> list[dict[str, Any]]:
        """Files of an earlier batch whose files were never listed: as many as its
        first counts showed, with generated ids; in-progress ones finish when the
        counts showed them completed or failed, else never (see ``bounds``)."""
        seen = [(at, counts) for b, at, counts in self.seen.batch_counts if b == batch]
        if not seen:
            return []
        first = seen[0][1]
        rows: list[dict[str, Any]] = []
        for status in ("completed", "failed", "cancelled"):
            count = min(first.get(status, 0), MOST_FILES)
            rows += [{"status": status} for _ in range(count)]
        rows += pending_rows(seen)
        self.notes.append(
            f"batch {batch}: its files were never listed; {len(rows)} files with "
            "generated ids stand for them"
        )
        return rows[:MOST_FILES]

    def _earlier_batch_file(self, timeline: FileTimeline) -> dict[str, Any]:
        row: dict[str, Any] = {"id": timeline.file} if self._fits("file", timeline.file) else {}
        if not timeline.in_progress and timeline.status is not None:
            row["status"] = timeline.status
            if timeline.status == "failed" and timeline.error_code in ERROR_CODES:
                row["error"] = {"code": timeline.error_code}
            return row
        row.update(_outcome(timeline))
        return row

    def _earlier_files(self, held: set[str]) -> None:
        seen, files = self.seen, []
        for file in sorted(seen.referenced_files - set(seen.created_files) - held):
            if not self._fits("file", file):
                continue
            entry: dict[str, Any] = {"id": file}
            known = seen.file_objects.get(file, {})
            if isinstance(known.get("filename"), str) and known["filename"]:
                entry["filename"] = known["filename"]
            size = known.get("bytes")
            if isinstance(size, int) and not isinstance(size, bool) and 0 <= size <= MAX_BYTES:
                entry["bytes"] = size
            if known.get("purpose") in PURPOSES:
                entry["purpose"] = known["purpose"]
            attached = [t for t in seen.all_timelines() if t.file == file]
            if attached:
                entry.update(_outcome(attached[0]))
            files.append(entry)
        if files:
            self.data["files"] = files

    def _fits(self, kind: str, value: str) -> bool:
        if ID_PATTERNS[kind].match(value):
            return True
        self.notes.append(f"{kind} {value!r}: its id is not one a scenario can hold; left out")
        return False


def _error_message(exchange: Exchange) -> str | None:
    body = exchange.response.body
    error = body.get("error") if isinstance(body, dict) else None
    message = error.get("message") if isinstance(error, dict) else None
    return message if isinstance(message, str) else None


def infer_scenario(cassette: Cassette) -> tuple[dict[str, Any], list[str]]:
    """The scenario's data, and the notes on what the recording showed."""
    inference = Inference(cassette).run()
    return inference.data, inference.notes


def scenario_text(cassette: Cassette) -> str:
    """``scenario.yaml``: the notes as comments, then the scenario."""
    data, notes = infer_scenario(cassette)
    header = [
        "# Inferred by fake-server record; `fake-server check` accepts it unchanged.",
        "# Edit freely: the cassette beside it keeps what was recorded.",
        *(f"# {printable(note)}" for note in notes),
    ]
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    return "\n".join(header) + "\n" + body
