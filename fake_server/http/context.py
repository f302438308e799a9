"""What one request is: resolved once, at its start, and read by every later step.

The session, the dialect, the operation (or "unknown route"), the end user
and the stopwatch are all decided here; auth, faults, the handler, the
contract check, the journal and the log line read them from the ``Call``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from fake_server.contract.dialects import Dialect
from fake_server.http.routes import Match, Route
from fake_server.http.server_state import ServerState
from fake_server.http.sessions.session import Session


@dataclass(slots=True)
class Call:
    request: Request
    # What the server shares across requests (sessions, settings, ...), not the app.
    server: ServerState
    route: Route[Handler] | None
    match: Match[Handler]
    dialect: Dialect
    # The X-Fake-Session header as sent (None: the default session).
    session_name: str | None
    # The session the request is recorded in. Before the request is
    # authorised this is only a session that exists already (a refused
    # request never creates one); None when the named one does not exist.
    session: Session | None
    # The end user (X-On-Behalf-Of) the request acts for; None: the whole account.
    actor: str | None
    elapsed: Callable[[], float]
    # The path is the control plane's (under /__fake__), matched or not.
    admin: bool
    # Provider requests are journaled; the control plane's are not.
    journaled: bool
    # Read once from the scope: the method, the path, and every header by
    # lowercase name (first value), raw.
    method: str
    path: str
    headers: dict[bytes, bytes]
    # The operation id, None for an unknown route or a wrong method.
    operation: str | None
    # Set by a handler that answered a batch or file still in progress (the
    # client report reads it).
    in_progress: bool = False
    # The client went away before its answer (a timeout, as it saw it).
    client_gone: bool = False
    # The index of the fault rule that fired on this request (None: none did).
    fault: int | None = None
    # A mid_body drop of an operation that streams: its answer is cut, not skipped.
    cut_mid_body: bool = False
    # A latency fault on an operation that streams: seconds before each text delta.
    delta_gap: float = 0.0
    # The JSON body as read (``bodies.json_object``), kept for the journal.
    body: bytes | None = None

    @property
    def state(self) -> Session:
        """The session of an authorised request."""
        session = self.session
        assert session is not None, "handlers run only once the session is resolved"
        return session

    def path_param(self, name: str) -> str:
        return self.match.path_params[name]


# What answers an operation (see ``binding``): a body, a ``Reply`` or a ``Document``.
Handler = Callable[[Call], Awaitable[Any]]


class Reply:
    """A handler's answer when it needs headers besides the body."""

    __slots__ = ("body", "headers")

    def __init__(self, body: Any, headers: dict[str, str] | None = None) -> None:
        self.body = body
        self.headers = headers


class Document:
    """A handler's answer that is not JSON: the inspector page, its script, a redirect.

    It goes out through the responder like a JSON body (checked against the
    media types ``schemas/admin.json`` declares, logged), only not encoded.
    """

    __slots__ = ("body", "headers", "media_type", "status")

    def __init__(
        self,
        body: bytes,
        media_type: str,
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.body = body
        self.media_type = media_type
        self.status = status
        self.headers = headers


class EventStream:
    """A handler's answer as server-sent events (a streamed response): each event is
    checked against the operation's event schema and sent as ``data: <json>``."""

    __slots__ = ("events",)

    def __init__(self, events: list[dict[str, Any]]) -> None:
        self.events = events
