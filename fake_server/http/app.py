"""Assemble the ASGI app: the routes of every dialect and of the control plane, the sessions."""

from __future__ import annotations

from collections.abc import Iterable

from starlette.types import Receive, Scope, Send

from fake_server import defaults
from fake_server.contract.checker import Contract
from fake_server.contract.operations import OPERATIONS
from fake_server.http import pipeline
from fake_server.http.binding import DeferredHandler
from fake_server.http.context import Handler
from fake_server.http.routes import Router, routes
from fake_server.http.server_state import ServerState
from fake_server.http.sessions.registry import Sessions
from fake_server.http.sessions.settings import Settings
from fake_server.http.shutdown import ShutdownNotice
from fake_server.scenario.loading import Scenario, default_scenario

# Every operation's handler, found by name on its first request (see ``binding``):
# a start imports no handler module.
HANDLERS: dict[str, Handler] = {op.id: DeferredHandler(op) for op in OPERATIONS}


class FakeServerApp:
    """A plain ASGI app: every HTTP request goes through ``pipeline.run``."""

    def __init__(self, sessions: Sessions, settings: Settings) -> None:
        self.state = ServerState(sessions, settings)
        self.router: Router[Handler] = Router(routes(HANDLERS))

    @property
    def sessions(self) -> Sessions:
        return self.state.sessions

    @property
    def settings(self) -> Settings:
        return self.state.settings

    @property
    def shutdown(self) -> ShutdownNotice:
        return self.state.shutdown

    def listening(self) -> None:
        """The server listens: the validators' warm-up begins (once; see ``warm_up``).
        The runners call it, as they run uvicorn without a lifespan."""
        self.state.warm_up.start(self.state.sessions.contract)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await pipeline.run(self.state, self.router, scope, receive, send)
        elif kind == "lifespan":
            await _lifespan(self.state, receive, send)
        elif kind == "websocket":
            # Nothing here speaks WebSocket: refuse the handshake.
            await send({"type": "websocket.close", "code": 1008})


async def _lifespan(state: ServerState, receive: Receive, send: Send) -> None:
    """State lives as long as the app object; a start begins the validators' warm-up."""
    while True:  # ends with the shutdown message, which every server sends last
        message = await receive()
        if message["type"] == "lifespan.startup":
            state.warm_up.start(state.sessions.contract)
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def create_app(
    scenario: Scenario | None = None,
    *,
    strict: bool = True,
    contract: Contract | None = None,
    journal_max_entries: int | None = None,
    max_sessions: int = defaults.MAX_SESSIONS,
    admin_token: str | None = None,
    allowed_hosts: Iterable[str] = (),
    settings: Settings | None = None,
) -> FakeServerApp:
    """A fake server app; ``strict`` turns contract violations into 500s.

    With ``admin_token``, the control plane (all of ``/__fake__`` but health
    and the OpenAPI documents) answers only requests that carry
    ``Authorization: Bearer <admin_token>``. Every request must name the
    server in ``Host`` by a loopback name, the address it arrived on (in
    process: the client's URL) or one of ``allowed_hosts`` (``"*"``: any
    name); see ``fake_server.http.guards``. ``settings`` gives all the
    options at once and wins over the keywords.
    """
    if settings is None:
        settings = Settings(
            strict=strict,
            journal_max_entries=journal_max_entries,
            max_sessions=max_sessions,
            admin_token=admin_token or None,
            allowed_hosts=tuple(allowed_hosts),
        )
    sessions = Sessions(scenario or default_scenario(), contract or Contract.load(), settings)
    return FakeServerApp(sessions, settings)
