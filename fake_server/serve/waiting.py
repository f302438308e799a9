"""Waiting for a served fake_server to answer its health check, or to be ready
(``fake-server wait [--ready]``)."""

from __future__ import annotations

import json
import time
import urllib.request

POLL_SECONDS = 0.1
# Each try's own bound: a server that accepts but never answers is retried.
TRY_SECONDS = 1.0


def wait_until_healthy(url: str, timeout: float, *, ready: bool = False) -> str | None:
    """Poll ``url``'s health route (with ``ready``: its ready route) until it answers
    ``{"status": "ok"}`` (``"ready"``) or ``timeout`` seconds have passed; ``None``
    once there, else what went wrong last."""
    route, expected = ("ready", "ready") if ready else ("health", "ok")
    health = f"{url.rstrip('/')}/__fake__/{route}"
    deadline = time.monotonic() + timeout
    last_problem = "no answer yet"
    while True:  # bounded by the deadline below
        try:
            with urllib.request.urlopen(health, timeout=TRY_SECONDS) as response:
                if json.load(response) == {"status": expected}:
                    return None
                last_problem = f"unexpected {route} answer"
        except (OSError, ValueError) as error:
            last_problem = str(getattr(error, "reason", error))
        if time.monotonic() >= deadline:
            return last_problem
        time.sleep(POLL_SECONDS)
