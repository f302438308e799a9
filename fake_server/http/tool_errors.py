"""The answers of fake_server's own tools beside the fake, in the provider's error
envelope: the recording proxy (``fake-server record``) and the replay
(``fake-server replay``). The fake's own errors, and how a domain error becomes
one, are ``errors.py``'s."""

from __future__ import annotations

from fake_server.domain.errors import shortened
from fake_server.http.errors import ApiError


def unrecorded_request(words: str) -> ApiError:
    """The replay's answer to a request the recording does not hold next (fake-server
    replay); ``words`` say which recorded one was expected and which is closest."""
    return ApiError(404, words, code="unrecorded_request")


def replay_unknown_route(method: str, path: str) -> ApiError:
    """The replay's control plane serves health, report and reset only."""
    return ApiError(
        404,
        "The replay serves GET /__fake__/health, GET /__fake__/report and "
        f"POST /__fake__/reset, not {shortened(method)} {shortened(path)}.",
        code="unknown_route",
    )


def not_forwarded() -> ApiError:
    """The recording proxy's answer to its control plane paths (fake-server record)."""
    return ApiError(
        404,
        "The recording proxy forwards provider requests only; /__fake__ is not forwarded.",
        code="not_forwarded",
    )


def upstream_unreachable(reason: str) -> ApiError:
    """The recording proxy's answer when the upstream did not answer at all."""
    return ApiError(
        502,
        f"The upstream did not answer: {reason}.",
        type="server_error",
        code="upstream_unreachable",
    )
