"""How the world learns that ``fake-server serve`` accepts connections: the log's
first line and, if asked for, a JSON file a harness in any language can wait for."""

from __future__ import annotations

import asyncio
import json
import os
import socket
from pathlib import Path

import uvicorn

from fake_server.http import access_log
from fake_server.http.control.auth import url_with_token
from fake_server.serve import ready_file
from fake_server.serve.sockets import base_url


class Readiness:
    def __init__(
        self,
        message: str,
        log_fields: dict[str, object],
        file_fields: dict[str, object],
        path: str | None,
    ) -> None:
        self._message = message
        self._log_fields = log_fields
        self._file_fields = file_fields
        self._path = Path(path) if path else None
        self._written = False

    @classmethod
    def of(
        cls,
        sock: socket.socket,
        scenario_source: str,
        admin_token: str | None,
        path: str | None,
        *,
        to_terminal: bool = False,
    ) -> Readiness:
        """What the server listening on ``sock`` announces: the ready file holds
        ``{url, host, port, pid}``; the log line adds the scenario and the inspector.

        The inspector's URL carries the admin token only when the log goes to a
        terminal (``to_terminal``), for the person reading it to open; a log
        written to a file or a pipe (a CI job's, kept as an artifact) never holds it."""
        url = base_url(sock)
        host, port = sock.getsockname()[:2]
        fields: dict[str, object] = {"url": url, "host": host, "port": port, "pid": os.getpid()}
        # Carries the admin token once, for a person to open; the page then keeps it in a cookie.
        shown_token = admin_token if to_terminal and admin_token else None
        inspector = url_with_token(url + "/__fake__/ui", shown_token)
        return cls(
            f"fake_server ready on {url} (scenario: {scenario_source}, inspector: {inspector})",
            {**fields, "scenario": scenario_source, "inspector": inspector},
            fields,
            path,
        )

    def announce(self, stack: str) -> None:
        """Say the server is ready; ``stack`` (what serves, e.g. ``uvloop + httptools``)
        goes into the JSON line's fields, the text line keeps its documented shape."""
        if self._path is not None:
            ready_file.write(str(self._path), json.dumps(self._file_fields) + "\n")
            self._written = True
        access_log.announce_ready(self._message, {**self._log_fields, "stack": stack})

    def withdraw(self) -> None:
        if self._path is not None and self._written:
            self._path.unlink(missing_ok=True)


def serving_stack(config: uvicorn.Config) -> str:
    """What actually serves, read off the running loop and the loaded protocol:
    ``uvloop + httptools`` or ``asyncio + h11`` (or a mix, when asked for)."""
    loop_module = type(asyncio.get_running_loop()).__module__.partition(".")[0]
    loop = "uvloop" if loop_module == "uvloop" else "asyncio"
    protocol = config.http_protocol_class.__name__
    http = "httptools" if "HttpTools" in protocol else "h11"
    return f"{loop} + {http}"
