"""What requests share across sessions: the one object a handler sees of the server.

Handlers and the pipeline get this, never the app: it holds what they use
and nothing that imports them, so no import runs back up to the app.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fake_server.http.sessions.registry import Sessions
from fake_server.http.sessions.settings import Settings
from fake_server.http.shutdown import ShutdownNotice
from fake_server.http.warm_up import WarmUp


@dataclass(slots=True)
class ServerState:
    sessions: Sessions
    settings: Settings
    # Wakes sleeping latency faults when the server starts shutting down.
    shutdown: ShutdownNotice = field(default_factory=ShutdownNotice)
    # Ready once the validators are compiled (GET /__fake__/ready).
    warm_up: WarmUp = field(default_factory=WarmUp)
    # The OpenAPI document of each dialect (by name), built on first request.
    openapi_documents: dict[str, dict[str, Any]] = field(default_factory=dict)
