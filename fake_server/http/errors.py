"""The one mapping from errors to the provider envelope.

Domain code raises the errors of ``fake_server.domain.errors``, in the domain's
words; nothing outside this module decides which HTTP status or envelope fields
an error gets, nor how it names a request parameter.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from types import TracebackType
from typing import Any, NamedTuple

from starlette.requests import ClientDisconnect

from fake_server.domain.content import ContentLimitError
from fake_server.domain.errors import (
    MAX_ECHOED_CHARACTERS,
    BatchSizeError,
    ConflictError,
    DuplicateContentError,
    DuplicateFileError,
    ExpiredError,
    FakeServerError,
    FileListError,
    ForbiddenError,
    InvalidRequestError,
    NotFoundError,
    PatternTimeoutError,
    RateLimitError,
    UnknownFileError,
    quoted,
    shortened,
)
from fake_server.domain.printable import printable
from fake_server.scenario.problems import ScenarioError


class FaultRefusedError(FakeServerError):
    """A fault rule given at runtime was refused; ``refused`` says why."""

    def __init__(self, refused: ScenarioError) -> None:
        super().__init__(str(refused))
        self.refused = refused


class PayloadTooLargeError(FakeServerError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotReadyError(FakeServerError):
    """The server serves but is not ready yet (``GET /__fake__/ready``)."""


class ApiError(NamedTuple):
    """An error as the provider sends it: a status and the envelope's four fields."""

    status: int
    message: str
    type: str = "invalid_request_error"
    param: str | None = None
    code: str | None = None
    # Response headers the error comes with (retry-after on a 429, say).
    headers: dict[str, str] | None = None
    # A refused scenario's reasons, one object each (see ``problem_objects``),
    # beside the message for clients that act on them.
    problems: tuple[dict[str, Any], ...] | None = None

    def envelope(self) -> dict[str, Any]:
        error: dict[str, Any] = {
            "message": self.message,
            "type": self.type,
            "param": self.param,
            "code": self.code,
        }
        if self.problems is not None:
            error["problems"] = list(self.problems)
        return {"error": error}


def unauthenticated() -> ApiError:
    return ApiError(
        401,
        "You didn't provide an API key. You need to provide your API key in an "
        "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
    )


def invalid_api_key(api_key: str) -> ApiError:
    return ApiError(
        401,
        f"Incorrect API key provided: {masked(api_key)}.",
        code="invalid_api_key",
    )


def invalid_admin_token() -> ApiError:
    return ApiError(
        401,
        "The control plane needs the admin token: Authorization: Bearer <admin token> "
        "(in a browser, open the inspector URL that fake-server serve printed).",
        code="invalid_admin_token",
    )


def masked(secret: str) -> str:
    """Enough of a key to recognise it, never the whole of it."""
    if len(secret) <= 8:
        return "*" * len(secret)
    # At most MAX_ECHOED_CHARACTERS stars: a megabyte key gets no megabyte message.
    stars = min(len(secret) - 7, MAX_ECHOED_CHARACTERS)
    return secret[:3] + "*" * stars + secret[-4:]


def unknown_route(method: str, path: str) -> ApiError:
    return ApiError(404, f"Invalid URL ({shortened(method)} {shortened(path)})")


def unparsable_request() -> ApiError:
    """A request the HTTP parser refused before any route saw it (a bad method,
    request line, header or framing)."""
    return ApiError(400, "Invalid HTTP request received.", code="invalid_http_request")


def wrong_method(method: str, path: str) -> ApiError:
    return ApiError(405, f"Invalid method for URL ({shortened(method)} {shortened(path)})")


def internal_error(message: str, code: str | None = None) -> ApiError:
    return ApiError(500, message, type="server_error", code=code)


def scripted_error(status: int, message: str | None, code: str | None) -> ApiError:
    """The error a fault rule answers: the envelope the real API uses for that status."""
    if status == 429:
        return ApiError(
            429,
            message or "Rate limit reached for requests (scripted by fake_server).",
            type="requests",
            code=code or "rate_limit_exceeded",
        )
    if status >= 500:
        return ApiError(
            status,
            message
            or "The server had an error while processing your request (scripted by fake_server).",
            type="server_error",
            code=code,
        )
    return ApiError(status, message or f"Scripted error {status} (fake_server).", code=code)


class Refused(FakeServerError):  # noqa: N818 -- a refusal, as the client sees it
    """A request the HTTP layer itself refuses (auth, routing, a scripted fault)."""

    def __init__(self, error: ApiError, headers: dict[str, str] | None = None) -> None:
        super().__init__(error.message)
        self.error = error
        self.headers = headers


def _not_found(error: Exception) -> ApiError:
    assert isinstance(error, NotFoundError)
    return ApiError(404, error.message, param=error.param)


def _invalid_request(error: Exception) -> ApiError:
    assert isinstance(error, InvalidRequestError)
    return ApiError(400, error.message, param=error.param, code=error.code)


def _too_large(error: Exception) -> ApiError:
    assert isinstance(error, PayloadTooLargeError)
    return ApiError(413, error.message, code="request_too_large")


def _content_limit(error: Exception) -> ApiError:
    assert isinstance(error, ContentLimitError)
    return ApiError(413, error.message, code="content_limit_exceeded")


def _forbidden(error: Exception) -> ApiError:
    assert isinstance(error, ForbiddenError)
    return ApiError(403, error.message, code="permission_denied")


def _expired(error: Exception) -> ApiError:
    assert isinstance(error, ExpiredError)
    return ApiError(410, error.message, code="vector_store_expired")


def _duplicate_content(error: Exception) -> ApiError:
    assert isinstance(error, DuplicateContentError)
    return ApiError(409, error.message, param="file_id", code="duplicate_file")


def _conflict(error: Exception) -> ApiError:
    assert isinstance(error, ConflictError)
    return ApiError(409, error.message, code=error.code)


def _scenario_refused(error: Exception) -> ApiError:
    assert isinstance(error, ScenarioError)
    return ApiError(
        400,
        f"The scenario was refused:\n{error}",
        code="invalid_scenario",
        problems=problem_objects(error),
    )


def _fault_refused(error: Exception) -> ApiError:
    assert isinstance(error, FaultRefusedError)
    refused = error.refused
    first = refused.problems[0].field if refused.problems else ""
    return ApiError(
        400,
        f"The fault was refused:\n{refused}",
        param=first or None,
        code="invalid_fault",
        problems=problem_objects(refused),
    )


def problem_objects(error: ScenarioError) -> tuple[dict[str, Any], ...]:
    """Each reason a scenario was refused as the control plane shows it
    (``ScenarioProblem`` in schemas/admin.json)."""
    return tuple(
        {
            "file": printable(problem.source),
            "line": problem.line,
            "column": problem.column,
            "field": printable(problem.field),
            "message": printable(problem.message),
        }
        for problem in error.problems
    )


def _file_list(error: Exception) -> ApiError:
    assert isinstance(error, FileListError)
    return ApiError(400, error.message)


def _rate_limited(error: Exception) -> ApiError:
    assert isinstance(error, RateLimitError)
    headers = {"x-should-retry": "false"} if error.wait is None else retry_after_headers(error.wait)
    return ApiError(
        429, error.message, type="requests", code="rate_limit_exceeded", headers=headers
    )


def retry_after_headers(seconds: float) -> dict[str, str]:
    """How long to wait, as the real API says it: milliseconds, and whole seconds."""
    milliseconds = math.ceil(seconds * 1000)
    return {"retry-after-ms": str(milliseconds), "retry-after": str(math.ceil(milliseconds / 1000))}


def _pattern_timeout(error: Exception) -> ApiError:
    assert isinstance(error, PatternTimeoutError)
    # The scenario's fault, not the client's: said plainly, and not worth a retry.
    return ApiError(
        500,
        f"The scenario's search patterns took longer than {error.seconds * 1000:g} ms "
        f"on this query; the time ran out in {quoted(error.pattern)}. A pattern that "
        "backtracks too much is the usual cause (nested quantifiers such as (a|aa)+).",
        type="server_error",
        code="search_pattern_timeout",
        headers={"x-should-retry": "false"},
    )


def _refused(error: Exception) -> ApiError:
    assert isinstance(error, Refused)
    return error.error


def _not_ready(error: Exception) -> ApiError:
    return ApiError(
        503,
        "fake_server is starting: its validators are not compiled yet. Ask again shortly.",
        type="server_error",
        code="not_ready",
        headers={"retry-after": "1"},
    )


def _client_gone(error: Exception) -> ApiError:
    # Nobody reads this answer; it is what the journal and the log record.
    return ApiError(400, "The client disconnected before the request body was complete.")


# How each kind of error is answered, looked up along the exception's class
# hierarchy, as Starlette looks up its exception handlers.
ANSWERS: dict[type[BaseException], Callable[[Exception], ApiError]] = {
    NotFoundError: _not_found,
    InvalidRequestError: _invalid_request,
    PayloadTooLargeError: _too_large,
    ContentLimitError: _content_limit,
    ConflictError: _conflict,
    RateLimitError: _rate_limited,
    ExpiredError: _expired,
    ForbiddenError: _forbidden,
    DuplicateContentError: _duplicate_content,
    PatternTimeoutError: _pattern_timeout,
    ScenarioError: _scenario_refused,
    FaultRefusedError: _fault_refused,
    Refused: _refused,
    NotReadyError: _not_ready,
    ClientDisconnect: _client_gone,
    # Normally worded by the handler (files_listed_in); this is the fallback.
    FileListError: _file_list,
}


def known_error(error: Exception) -> ApiError | None:
    """The answer to an error fake_server raises on purpose; None for a bug."""
    for kind in type(error).__mro__:
        answer = ANSWERS.get(kind)
        if answer is not None:
            return answer(error)
    return None


class files_listed_in:  # noqa: N801 -- used as a ``with`` statement, like contextlib's
    """Word a domain ``FileListError`` for the client, naming the parameter that
    listed the files (``file_ids`` or ``files``).

    A class, not ``@contextmanager``: every create passes through it, and a
    generator-based one costs about a microsecond more.
    """

    __slots__ = ("param",)

    def __init__(self, param: str) -> None:
        self.param = param

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if isinstance(error, FileListError):
            raise file_list_error(error, self.param) from None


def file_list_error(error: FileListError, param: str) -> InvalidRequestError:
    if isinstance(error, UnknownFileError):
        return InvalidRequestError(
            f"Invalid '{param}': file {quoted(error.file_id)} was not found. "
            "Upload it first with POST /files.",
            param,
            "file_not_found",
        )
    if isinstance(error, DuplicateFileError):
        return InvalidRequestError(
            f"Invalid '{param}': file {quoted(error.file_id)} is listed twice.", param
        )
    if isinstance(error, BatchSizeError):
        return InvalidRequestError(
            f"Invalid '{param}': a batch holds 1 to {error.maximum} files, got {error.count}.",
            param,
        )
    return InvalidRequestError(f"Invalid '{param}': {error.message}", param)


def to_api_error(error: Exception) -> ApiError:
    """The single place that turns an exception into what the client sees."""
    known = known_error(error)
    if known is not None:
        return known
    # Anything else is a bug in fake_server; the client gets an envelope,
    # never a traceback (the traceback goes to the server log).
    return internal_error("The server had an error while processing your request.")
