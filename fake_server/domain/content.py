"""What uploaded files hold: their bytes, bounded per account, and their text.

Content is the user's data, not a wire encoding: it is kept exactly as sent
so ``downloadFile`` gives it back byte for byte. One account keeps at most
``defaults.MAX_CONTENT_BYTES`` in total; an upload that would go beyond is
refused before anything changes, and deleting a file frees its share.
"""

from __future__ import annotations

import hashlib
import weakref
from collections.abc import Mapping
from typing import Any, NamedTuple, Protocol

from fake_server import defaults
from fake_server.domain.errors import FakeServerError


class ContentLimitError(FakeServerError):
    """Keeping these bytes would take the account past its content budget."""

    def __init__(self, size: int, limit: int) -> None:
        message = (
            f"The account keeps at most {limit} bytes of uploaded content; "
            f"this upload of {size} bytes would go beyond it. Delete files to make room."
        )
        super().__init__(message)
        self.message = message

    @classmethod
    def before_reading(cls, declared: int, limit: int, room: int) -> ContentLimitError:
        """An upload refused on its declared size alone: it can never fit in the
        ``room`` the account has left, so its bytes are not even read."""
        error = cls(declared, limit)
        error.message = (
            f"The account keeps at most {limit} bytes of uploaded content and has room "
            f"for {room} more; an upload of at least {declared} bytes cannot fit. "
            "Delete files to make room."
        )
        error.args = (error.message,)
        return error


class Reader(Protocol):
    """What keeps something read from the store (a search index): told when a
    file's bytes go, so it lets go of what it made of them."""

    def forget(self, file_id: str) -> None: ...


class ContentStore:
    """Uploaded bytes by file id, within one budget. Called under the account's lock."""

    def __init__(self, limit: int = defaults.MAX_CONTENT_BYTES) -> None:
        self._data: dict[str, bytes] = {}
        self._total = 0
        self.limit = limit
        # Held weakly: a reader (a vector store's index) goes with its store.
        self._readers: weakref.WeakSet[Reader] = weakref.WeakSet()

    def watch(self, reader: Reader) -> None:
        """Tell ``reader`` of every file whose bytes are discarded from now on."""
        self._readers.add(reader)

    def check_room(self, size: int) -> None:
        if self._total + size > self.limit:
            raise ContentLimitError(size, self.limit)

    def put(self, file_id: str, data: bytes) -> None:
        self.check_room(len(data) - len(self._data.get(file_id, b"")))
        self.discard(file_id)
        self._data[file_id] = data
        self._total += len(data)

    def get(self, file_id: str) -> bytes:
        return self._data.get(file_id, b"")

    def discard(self, file_id: str) -> None:
        self._total -= len(self._data.pop(file_id, b""))
        for reader in list(self._readers):
            reader.forget(file_id)

    def text(self, file_id: str) -> StoredText:
        return StoredText(self, file_id)

    @property
    def total(self) -> int:
        return self._total

    @property
    def room(self) -> int:
        """How many more bytes the budget takes."""
        return max(0, self.limit - self._total)


class StoredText(NamedTuple):
    """A file's text as the store holds it, read when needed: what keeps one
    keeps no bytes alive once the file is deleted or expires."""

    store: ContentStore
    file_id: str

    def decoded(self) -> str:
        return text_of(self.store.get(self.file_id))


def text_of(data: bytes) -> str:
    """The parsed text of a file: its bytes as UTF-8 (undecodable bytes replaced)."""
    return data.decode("utf-8", errors="replace")


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def chunk_sizes(strategy: Mapping[str, Any] | None) -> tuple[int, int]:
    """(max tokens per chunk, overlap) of a chunking strategy; ``auto`` is 800/400."""
    static = (strategy or {}).get("static") or defaults.CHUNKING_STRATEGY["static"]
    size = max(1, int(static.get("max_chunk_size_tokens", 800)))
    overlap = max(0, min(int(static.get("chunk_overlap_tokens", 400)), size // 2))
    return size, overlap


def chunk_ranges(word_count: int, strategy: Mapping[str, Any] | None) -> list[tuple[int, int]]:
    """The [start, end) word ranges of a text's chunks: windows of the strategy's
    size, each overlapping the one before as it says, the last reaching the end."""
    if not word_count:
        return []
    size, overlap = chunk_sizes(strategy)
    step = max(1, size - overlap)
    out = []
    for start in range(0, word_count, step):
        out.append((start, min(start + size, word_count)))
        if start + size >= word_count:
            break
    return out


def chunks(text: str, strategy: Mapping[str, Any] | None) -> list[str]:
    """The text split into chunks of whitespace-separated tokens, overlapping as the
    strategy says (the real API counts model tokens; words keep the fake deterministic)."""
    words = text.split()
    return [" ".join(words[start:end]) for start, end in chunk_ranges(len(words), strategy)]


def response_chunking(strategy: Mapping[str, Any] | None) -> dict[str, Any]:
    """The strategy as a vector store file reports it: ``auto`` (or none) is the
    static 800/400 the real API reports."""
    if strategy is None or strategy.get("type") != "static":
        return defaults.CHUNKING_STRATEGY
    size, overlap = chunk_sizes(strategy)
    static = {"max_chunk_size_tokens": size, "chunk_overlap_tokens": overlap}
    return {"type": "static", "static": static}
