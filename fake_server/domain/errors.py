"""What can go wrong in the domain, in the domain's own words.

The HTTP layer decides how each error is answered (``fake_server.http.errors``);
nothing here knows about statuses or envelopes.
"""

from __future__ import annotations

import math

from fake_server.domain.printable import printable


class FakeServerError(Exception):
    """Base of every error fake_server raises on purpose."""


class NotFoundError(FakeServerError):
    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param


class MissingFileError(NotFoundError):
    """No uploaded file of this id, as the one asking sees it: never uploaded,
    deleted, expired, or another end user's."""

    def __init__(self, file_id: str) -> None:
        super().__init__(f"No such File object: {quoted(file_id)}", "file_id")
        self.file_id = file_id


class InvalidRequestError(FakeServerError):
    def __init__(self, message: str, param: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        self.code = code


class PatternTimeoutError(FakeServerError):
    """A scenario's search pattern ran out of time on a query: it backtracks too much."""

    def __init__(self, pattern: str, seconds: float) -> None:
        super().__init__(pattern)
        self.pattern = pattern
        self.seconds = seconds


class ConflictError(FakeServerError):
    """The request is valid but the current state does not allow it (e.g. a real clock)."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class ForbiddenError(FakeServerError):
    """The end user may see the object but not make this change (MKA1: 403)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ExpiredError(FakeServerError):
    """The vector store has expired (MKA1 answers this with 410)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DuplicateContentError(FakeServerError):
    """A file holds the same content as one the vector store already holds (MKA1: 409)."""

    def __init__(self, file_id: str, holder_id: str) -> None:
        message = (
            f"File {quoted(file_id)} has the same content as file {quoted(holder_id)}, "
            "which the vector store already holds; each content is indexed once."
        )
        super().__init__(message)
        self.message = message
        self.file_id = file_id
        self.holder_id = holder_id


class FileListError(FakeServerError):
    """The files given for a batch (or a new vector store) cannot all be added.

    The domain does not know which request parameter listed them; the HTTP
    layer words the error for the client, naming that parameter.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnknownFileError(FileListError):
    """A listed file was never uploaded (or belongs to another end user)."""

    def __init__(self, file_id: str) -> None:
        super().__init__(f"File {quoted(file_id)} was not found.")
        self.file_id = file_id


class DuplicateFileError(FileListError):
    """A file is listed more than once."""

    def __init__(self, file_id: str) -> None:
        super().__init__(f"File {quoted(file_id)} is listed twice.")
        self.file_id = file_id


class BatchSizeError(FileListError):
    """A batch needs between 1 and ``maximum`` files."""

    def __init__(self, count: int, maximum: int) -> None:
        super().__init__(f"A batch holds 1 to {maximum} files, got {count}.")
        self.count = count
        self.maximum = maximum


class RateLimitError(FakeServerError):
    """Attaching would go beyond the files-per-minute limit; nothing was attached.

    ``wait`` is how long the client should wait before trying again, in its
    own (wall) seconds, or None if the request can never pass (more files
    than the limit at once). ``waited`` is the clock time the fake already
    moved its virtual clock forward on the client's behalf (0 on a real clock).
    """

    def __init__(
        self, limit: int, used: int, requested: int, wait: float | None, waited: float = 0.0
    ) -> None:
        if wait is None:
            message = (
                f"Request too large for vector store file attachments on files per min: "
                f"Limit {limit}, Requested {requested}. Attach fewer files per request."
            )
        else:
            seconds = waited if waited else wait
            message = (
                f"Rate limit reached for vector store file attachments on files per min: "
                f"Limit {limit}, Used {used}, Requested {requested}. "
                f"Please try again in {_seconds(seconds)}."
            )
            if waited:
                message += " (fake_server moved its virtual clock there for you.)"
        super().__init__(message)
        self.message = message
        self.limit = limit
        self.used = used
        self.requested = requested
        self.wait = wait
        self.waited = waited


def _seconds(value: float) -> str:
    return f"{math.ceil(value * 1000) / 1000:g}s"


MAX_ECHOED_CHARACTERS = 64


def cut_short(text: str, limit: int) -> str:
    """``text`` if it is at most ``limit`` characters; else its start, saying how long it was."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text)} characters)"


def shortened(value: str) -> str:
    """A client-supplied text for an error message: cut short if it is long, and
    its control characters written as escapes (a message is often printed)."""
    return printable(cut_short(value, MAX_ECHOED_CHARACTERS))


def quoted(value: str) -> str:
    """A client-supplied value for an error message, quoted and cut short if it is long."""
    return f"'{shortened(value)}'"
