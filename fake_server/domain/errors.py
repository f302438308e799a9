"""What can go wrong in the domain, in the domain's own words.

The HTTP layer decides how each error is answered (``fake_server.http.errors``);
nothing here knows about statuses or envelopes.
"""

from __future__ import annotations


class FakeServerError(Exception):
    """Base of every error fake_server raises on purpose."""


class NotFoundError(FakeServerError):
    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param


class InvalidRequestError(FakeServerError):
    def __init__(self, message: str, param: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        self.code = code


class ConflictError(FakeServerError):
    """The request is valid but the current state does not allow it (e.g. a real clock)."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


MAX_ECHOED_CHARACTERS = 64


def quoted(value: str) -> str:
    """A client-supplied value for an error message, cut short if it is long."""
    if len(value) > MAX_ECHOED_CHARACTERS:
        value = value[:MAX_ECHOED_CHARACTERS] + f"... ({len(value)} characters)"
    return f"'{value}'"
