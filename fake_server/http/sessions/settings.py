"""Server-wide options: one object, built once by ``create_app``, read by every session."""

from __future__ import annotations

from typing import NamedTuple

from fake_server import defaults


class Settings(NamedTuple):
    """What ``create_app`` (and ``fake-server serve``) was told, for every session alike."""

    # A response outside the contract becomes a 500 (True) or is only recorded (False).
    strict: bool = True
    # Overrides every scenario's ``journal.max_entries`` when set.
    journal_max_entries: int | None = None
    max_sessions: int = defaults.MAX_SESSIONS
    # With a token, the control plane (health and OpenAPI aside) needs it as a bearer token.
    admin_token: str | None = None
    # Host names answered beyond loopback and the address a connection arrived
    # on (``fake_server.http.guards``); "*" answers any name.
    allowed_hosts: tuple[str, ...] = ()
