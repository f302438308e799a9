"""The text of a searchable file: read when needed, decoded and split into words
in slices (a file may be large), its chunks' words found where they lie, and
tokenised (lower-cased word characters)."""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping, Sequence
from itertools import islice
from typing import Any, NamedTuple

from fake_server.domain.content import StoredText, text_of
from fake_server.domain.slices import MORE, Steps

_WORD = re.compile(r"\w+")
# ``\S+`` is a word of ``str.split()``: both use the same idea of whitespace.
_SPLIT_WORD = re.compile(r"\S+")
_SPACE = re.compile(r"\s")
# Characters (or bytes) of a large text split (or decoded) in one slice.
PIECE = 1 << 20


def tokens(text: str) -> list[str]:
    return _WORD.findall(text.lower())


class Document(NamedTuple):
    """A searchable file. ``text`` may be bytes, or the upload's as the content
    store holds them, decoded (as ``text_of`` does) only when the index or a
    result needs the text."""

    file_id: str
    filename: str
    attributes: Mapping[str, Any]
    text: str | bytes | StoredText
    chunking_strategy: Mapping[str, Any] | None

    def decoded(self) -> str:
        text = self.raw()
        return text if isinstance(text, str) else text_of(text)

    def raw(self) -> str | bytes:
        """The text, or the bytes it is decoded from."""
        if isinstance(self.text, StoredText):
            return self.text.store.get(self.text.file_id)
        return self.text

    def decoded_steps(self) -> Steps[str]:
        """``decoded``, in slices for a large file of other than ASCII."""
        text = self.raw()
        if isinstance(text, str):
            return text
        if text.isascii() or len(text) <= PIECE:
            return text_of(text)
        # The incremental decoder gives what one decode gives, piece by piece.
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        parts = []
        for first in range(0, len(text), PIECE):
            parts.append(decoder.decode(text[first : first + PIECE]))
            yield MORE
        parts.append(decoder.decode(b"", final=True))
        return "".join(parts)


def split_words(text: str) -> Steps[list[str]]:
    """``text.split()``, a piece at a time: each piece ends at whitespace, so no
    word is cut."""
    words: list[str] = []
    at = 0
    while at < len(text):
        found = _SPACE.search(text, at + PIECE)
        cut = len(text) if found is None else found.start()
        words.extend(text[at:cut].split())
        at = cut
        if at < len(text):
            yield MORE
    return words


class WordSpans:
    """Where chunks' words lie in the text: for [start, end) word ranges asked in
    order, where the first word starts and the last ends. The words between are
    skipped without a Python loop, and only as far as the range asked for."""

    def __init__(self, text: str, ranges: Sequence[tuple[int, int]]) -> None:
        self._wanted = sorted({index for start, end in ranges for index in (start, end - 1)})
        self._next = 0  # the first of _wanted not yet found
        self._words = _SPLIT_WORD.finditer(text)
        self._read = -1  # the index of the last word read
        self._places: dict[int, tuple[int, int]] = {}

    def span(self, start: int, end: int) -> tuple[int, int]:
        while self._next < len(self._wanted) and self._wanted[self._next] <= end - 1:
            index = self._wanted[self._next]
            match = next(islice(self._words, index - self._read - 1, None))
            self._places[index] = match.span()
            self._read = index
            self._next += 1
        return self._places[start][0], self._places[end - 1][1]
