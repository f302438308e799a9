"""An inverted index over one vector store's searchable files, for BM25 ranking.

A file's text is split into chunks and tokenised once, by the first search
that can see the file (completed, attached, its upload not expired), in
slices (``slices``); a file detached or deleted leaves the index at once, an
expired one when its bytes go or at the next search, and the index goes with
its vector store. The BM25 statistics (chunk
count, total length, document frequencies) follow the set incrementally, so
a query costs the postings of its terms, not a pass over the text.

Scores are computed with exactly the arithmetic of a pass over every chunk
(same terms, same order of additions), so the ranking does not depend on
what the index saw before. Postings are compact arrays; chunk texts are not
kept but cut from the file's text for the results returned.
"""

from __future__ import annotations

import heapq
import math
import threading
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import NamedTuple

from fake_server.domain.content import StoredText, chunk_ranges
from fake_server.domain.search_text import Document, WordSpans, split_words, tokens
from fake_server.domain.slices import MORE, WAIT, Pacer, Steps, finish

BM25_K1 = 1.2
BM25_B = 0.75
# Removed chunks stay in the postings (skipped) until they outnumber the live
# ones and this many: then the postings are rebuilt without them.
_COMPACT_AFTER = 4096
_K1_PLUS_1 = BM25_K1 + 1
# Postings scored between two looks at the time.
_BLOCK = 512


class Ranked(NamedTuple):
    """A file's best chunk for a query: its raw BM25 score scaled to the best
    file's, and where the chunk lies in the file's text."""

    document: Document
    score: float
    start: int
    end: int

    def chunk(self) -> str:
        """The chunk's text, as ``content.chunks`` gives it."""
        text = self.document.raw()
        if isinstance(text, bytes) and text.isascii():  # one byte, one character
            text = text[self.start : self.end].decode("ascii")
            return " ".join(text.split())
        return " ".join(self.document.decoded()[self.start : self.end].split())


class Searchable(NamedTuple):
    """A store's searchable files as read at some moment: still them while the
    store's ``version`` holds and the clock is before ``until`` (a file finishes,
    an upload expires)."""

    documents: Sequence[Document]
    version: int
    until: float


class _Entry:
    """One indexed file: its chunks' ids and what it adds to the frequencies."""

    __slots__ = ("content", "end", "first", "spread", "strategy", "terms")

    def __init__(self, document: Document, first: int) -> None:
        self.content = document.text
        self.strategy = document.chunking_strategy
        self.first = first
        self.end = first
        # Term ids of the file, and in how many of its chunks each one appears.
        self.terms = array("I")
        self.spread = array("I")

    def holds(self, document: Document) -> bool:
        same = self.content is document.text or self.content == document.text
        return same and self.strategy == document.chunking_strategy


class SearchIndex:
    """Postings and BM25 statistics over the files the last search could see.

    Thread-safe: ``rank`` runs in a worker thread, outside the account's lock,
    on documents taken under it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._vocabulary: dict[str, int] = {}
        self._postings: list[array[int]] = []  # chunk ids, by term id
        self._frequencies: list[array[int]] = []  # the term's count in each
        self._document_frequency = array("I")  # live chunks holding the term
        self._lengths = array("I")  # tokens, by chunk id
        self._starts = array("Q")  # where the chunk's first word starts
        self._ends = array("Q")  # where its last word ends
        self._owners: list[str | None] = []  # file id by chunk id; None: removed
        self._entries: dict[str, _Entry] = {}
        self._live_chunks = 0
        self._live_length = 0
        # The documents followed last, by file id with their place in the store.
        self._followed: Sequence[Document] | None = None
        self._places: dict[str, tuple[int, Document]] = {}
        # BM25_K1 * (the chunk's length normalised by the average), by chunk id:
        # the same float for every query until the documents change.
        self._saturations: list[float] | None = None
        self._pace = Pacer()
        # The store's searchable files last read, kept by the account (under its
        # lock, not this index's): a search of an unchanged store reads nothing.
        self.searchable: Searchable | None = None
        # Files to forget that came while a search held the index (see forget).
        self._forgotten: set[str] = set()
        self._forgotten_lock = threading.Lock()

    def rank(self, documents: Sequence[Document], query: Sequence[str]) -> Iterator[Ranked]:
        """``rank_steps`` run to its end."""
        return finish(self.rank_steps(documents, query))

    def rank_steps(
        self, documents: Sequence[Document], query: Sequence[str]
    ) -> Steps[Iterator[Ranked]]:
        """The files holding a query token, best first (ties: the earlier file),
        each with its best chunk (ties: the earlier chunk); in slices of work,
        ending with an iterator that orders the files as they are taken, so a
        caller that needs the first few pays for those."""
        while not self._lock.acquire(blocking=False):
            yield WAIT
        try:
            self._pace = Pacer()
            self._forget_pending()
            yield from self._follow(documents)
            places = self._places
            best = yield from self._best_chunks(query)
            # A later search appends to these or replaces them (compaction),
            # never changes what they hold: they stay valid for these chunk ids.
            starts, ends = self._starts, self._ends
            self._forget_pending()
        finally:
            self._lock.release()
        return _in_order(best, places, starts, ends)

    def forget(self, file_id: str) -> None:
        """Let go of the file now (detached, deleted or expired), not at the next
        search: its postings and text leave at once if no search holds the index,
        else when that search ends. Called under the account's lock: never waits."""
        if file_id not in self._entries:
            return  # a file it never read (every new upload's id passes here)
        self.searchable = None
        with self._forgotten_lock:
            self._forgotten.add(file_id)
        if self._lock.acquire(blocking=False):
            try:
                self._forget_pending()
            finally:
                self._lock.release()

    def _forget_pending(self) -> None:
        with self._forgotten_lock:
            forgotten, self._forgotten = self._forgotten, set()
        for file_id in forgotten:
            if file_id in self._entries:
                self._remove(file_id)
                self._followed = None
                self._saturations = None
        if self._followed is None:
            self._places = {}

    @property
    def chunk_count(self) -> int:
        return self._live_chunks

    # --- keeping the index on the searchable files ----------------------------

    def _follow(self, documents: Sequence[Document]) -> Steps[None]:
        """Make the index hold exactly ``documents``; the same list as last time
        (a store unchanged since) costs nothing."""
        if documents is self._followed:
            return
        yield from ()
        self._places = {document.file_id: (at, document) for at, document in enumerate(documents)}
        changed = False
        for file_id, entry in list(self._entries.items()):
            place = self._places.get(file_id)
            if place is None or not entry.holds(place[1]):
                self._remove(file_id)
                changed = True
        for document in documents:
            if document.file_id not in self._entries:
                yield from self._add(document)
                changed = True
        removed = len(self._owners) - self._live_chunks
        if removed > max(self._live_chunks, _COMPACT_AFTER):
            yield from self._compact()
        if changed or self._saturations is None:
            self._saturations = self._length_terms()
        self._followed = documents

    def _add(self, document: Document) -> Steps[None]:
        text = yield from document.decoded_steps()
        words = yield from split_words(text)
        ranges = chunk_ranges(len(words), document.chunking_strategy)
        entry = _Entry(document, len(self._owners))
        if isinstance(document.text, StoredText):
            document.text.store.watch(self)
        spans = WordSpans(text, ranges)
        spread: dict[int, int] = {}
        for start, end in ranges:
            if self._pace.due():
                yield MORE
            first_char, last_char = spans.span(start, end)
            found = tokens(" ".join(words[start:end]))
            self._add_chunk(document.file_id, Counter(found), spread)
            self._lengths.append(len(found))
            self._live_length += len(found)
            self._starts.append(first_char)
            self._ends.append(last_char)
        entry.end = len(self._owners)
        self._live_chunks += entry.end - entry.first
        entry.terms.extend(spread)
        entry.spread.extend(spread.values())
        for term, chunks in spread.items():
            self._document_frequency[term] += chunks
        self._entries[document.file_id] = entry

    def _add_chunk(self, file_id: str, counts: Counter[str], spread: dict[int, int]) -> None:
        chunk = len(self._owners)
        self._owners.append(file_id)
        vocabulary = self._vocabulary
        for term, times in counts.items():
            term_id = vocabulary.get(term)
            if term_id is None:
                term_id = vocabulary[term] = len(vocabulary)
                self._postings.append(array("I"))
                self._frequencies.append(array("I"))
                self._document_frequency.append(0)
            self._postings[term_id].append(chunk)
            self._frequencies[term_id].append(times)
            spread[term_id] = spread.get(term_id, 0) + 1

    def _remove(self, file_id: str) -> None:
        entry = self._entries.pop(file_id)
        for term, chunks in zip(entry.terms, entry.spread, strict=True):
            self._document_frequency[term] -= chunks
        count = entry.end - entry.first
        self._live_chunks -= count
        self._live_length -= sum(self._lengths[entry.first : entry.end])
        self._owners[entry.first : entry.end] = [None] * count

    def _compact(self) -> Steps[None]:
        """Postings without the removed chunks; chunk ids renumbered in order."""
        renumbered = array("q")
        kept = 0
        for owner in self._owners:
            renumbered.append(-1 if owner is None else kept)
            kept += owner is not None
        for term_id, postings in enumerate(self._postings):
            if self._pace.due():
                yield MORE
            frequencies = self._frequencies[term_id]
            pairs = [
                (renumbered[chunk], times)
                for chunk, times in zip(postings, frequencies, strict=True)
                if renumbered[chunk] >= 0
            ]
            self._postings[term_id] = array("I", (chunk for chunk, _ in pairs))
            self._frequencies[term_id] = array("I", (times for _, times in pairs))
        live = [chunk for chunk, owner in enumerate(self._owners) if owner is not None]
        self._lengths = array("I", (self._lengths[chunk] for chunk in live))
        self._starts = array("Q", (self._starts[chunk] for chunk in live))
        self._ends = array("Q", (self._ends[chunk] for chunk in live))
        self._owners = [self._owners[chunk] for chunk in live]
        for entry in self._entries.values():
            count = entry.end - entry.first
            entry.first = renumbered[entry.first]
            entry.end = entry.first + count

    # --- ranking --------------------------------------------------------------

    def _best_chunks(self, query: Sequence[str]) -> Steps[_Best]:
        """By file id: its best chunk's raw score and id (ties: the earlier chunk).
        Two maps of plain numbers, not one of pairs: a search makes no objects the
        cyclic collector would have to follow (see serve/collector)."""
        owners = self._owners
        scores_of: dict[str, float] = {}
        chunk_of: dict[str, int] = {}
        held_by = scores_of.get
        # Every score is positive: a term's idf is, and so is each of its counts.
        scores = yield from self._scores(query)
        for seen, (chunk, score) in enumerate(scores.items()):
            if not seen % _BLOCK and self._pace.due():
                yield MORE
            file_id = owners[chunk]
            assert file_id is not None  # scores hold live chunks only
            held = held_by(file_id)
            if held is None or score > held or (score == held and chunk < chunk_of[file_id]):
                scores_of[file_id] = score
                chunk_of[file_id] = chunk
        return _Best(scores_of, chunk_of)

    def _scores(self, query: Sequence[str]) -> Steps[dict[int, float]]:
        """BM25 by chunk id, for the live chunks holding a query term: for each
        term in the query's order, its part added to the chunk's sum."""
        count = self._live_chunks
        if not query or not count:
            return {}
        owners, saturations = self._owners, self._saturations
        assert saturations is not None  # set by _follow
        every_chunk_live = count == len(owners)
        scores: dict[int, float] = {}
        for term, times in Counter(query).items():
            term_id = self._vocabulary.get(term)
            if term_id is None or not self._document_frequency[term_id]:
                continue
            frequency = self._document_frequency[term_id]
            idf = math.log(1 + (count - frequency + 0.5) / (frequency + 0.5))
            weight = times * idf
            chunks, counts = self._postings[term_id], self._frequencies[term_id]
            for first in range(0, len(chunks), _BLOCK):
                if self._pace.due():
                    yield MORE
                block: Iterable[tuple[int, int]] = zip(
                    chunks[first : first + _BLOCK], counts[first : first + _BLOCK], strict=True
                )
                if not every_chunk_live:
                    block = ((chunk, tf) for chunk, tf in block if owners[chunk] is not None)
                get = scores.get
                for chunk, tf in block:
                    norm = tf * _K1_PLUS_1 / (tf + saturations[chunk])
                    scores[chunk] = get(chunk, 0.0) + weight * norm
        return scores

    def _length_terms(self) -> list[float]:
        average = self._live_length / self._live_chunks if self._live_chunks else 0.0
        average = average or 1.0
        return [BM25_K1 * (1 - BM25_B + BM25_B * length / average) for length in self._lengths]


class _Best(NamedTuple):
    scores: dict[str, float]
    chunks: dict[str, int]


# Files ranked at first; a caller that wants more (filters dropped many) gets
# the rest sorted in one go.
_FIRST = 64


def _in_order(
    best: _Best,
    places: Mapping[str, tuple[int, Document]],
    starts: array[int],
    ends: array[int],
) -> Iterator[Ranked]:
    """The files of ``best`` by score, then by place in the store; scores scaled.
    Only the first few are ordered until more are asked for."""
    if not best.scores:
        return
    top = max(best.scores.values())

    def key(file_id: str) -> tuple[float, int]:
        return -best.scores[file_id], places[file_id][0]

    def ranked(file_id: str) -> Ranked:
        chunk = best.chunks[file_id]
        scaled = round(best.scores[file_id] / top, 6) if top else 0.0
        return Ranked(places[file_id][1], scaled, starts[chunk], ends[chunk])

    first = heapq.nsmallest(_FIRST, best.scores, key=key)
    yield from map(ranked, first)
    if len(first) < len(best.scores):
        taken = set(first)
        rest = sorted((file_id for file_id in best.scores if file_id not in taken), key=key)
        yield from map(ranked, rest)
