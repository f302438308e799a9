"""One log line per provider request: readable by default, JSON on request.

Two ways out, one format:

- ``fake-server serve`` (``configure``) writes each line itself to stdout:
  built with one f-string, buffered, and written with one flush per turn
  of the event loop, however many requests that turn answered. Going
  through ``logging`` instead (a record, the caller's frame looked up, a
  handler lock, a flush per line) cost about as much as everything else a
  cancel does.
- Anywhere else (the thread server, the in-process transport), lines are
  ``logging`` records on ``fake_server.access``, for an application that
  turns that logger on; each record carries the fields as ``fake_server``.
"""

from __future__ import annotations

import asyncio
import atexit
import functools
import json
import logging
import sys
import time
from typing import IO, Any

from fake_server.domain.printable import printable
from fake_server.http import log_style
from fake_server.http.record import RequestRecord

logger = logging.getLogger("fake_server.access")
# The readiness line: always logged, whatever the level.
ready_logger = logging.getLogger("fake_server.ready")


def text_line(  # noqa: PLR0917 -- one argument per field of the line
    method: str,
    path: str,
    status: int | None,
    operation: str | None,
    ms: float,
    request_id: str | None,
    session: str | None,
    fault: int | None = None,
    *,
    colour: bool = False,
) -> str:
    shown = "dropped" if status is None else str(status)
    if colour:
        shown = log_style.painted(status, shown)
    named = f" session={printable(session)}" if session else ""
    injected = "" if fault is None else f" fault={fault}"
    return (
        f"{printable(method)} {printable(path)} {shown} {operation or '-'} {ms}ms "
        f"{request_id}{named}{injected}"
    )


def json_line(  # noqa: PLR0917 -- one argument per field of the line
    method: str,
    path: str,
    status: int | None,
    operation: str | None,
    ms: float,
    request_id: str | None,
    session: str | None,
    fault: int | None = None,
) -> str:
    # Wall time, as logging stamps its records: when the line was written,
    # not the scenario's clock.
    return json.dumps(
        {
            "time": round(time.time(), 3),
            "method": method,
            "path": path,
            "status": status,
            "operation": operation,
            "ms": ms,
            "request_id": request_id,
            "session": session,
            "fault": fault,
        }
    )


class LineWriter:
    """Lines to a stream, flushed once per turn of the running event loop."""

    def __init__(self, stream: IO[str], log_format: str) -> None:
        self.stream = stream
        # A person watching: each text line stamped, coloured unless NO_COLOR.
        self.stamped = log_format != "json" and log_style.on_terminal(stream)
        self.line = (
            json_line
            if log_format == "json"
            else functools.partial(text_line, colour=log_style.wants_colour(stream))
        )
        self._pending: list[str] = []
        atexit.register(self.flush)

    def write(self, recorded: RequestRecord) -> None:
        pending = self._pending
        line = self.line(
            recorded.method,
            recorded.path,
            recorded.status,
            recorded.operation,
            round(recorded.took * 1000, 2),
            recorded.request_id,
            recorded.session,
            recorded.fault,
        )
        pending.append(f"{log_style.stamp(time.time())} {line}" if self.stamped else line)
        if len(pending) == 1:
            try:
                asyncio.get_running_loop().call_soon(self.flush)
            except RuntimeError:  # no loop in this thread: write it now
                self.flush()

    def flush(self) -> None:
        pending = self._pending
        if not pending:
            return
        self._pending = []
        pending.append("")
        try:
            self.stream.write("\n".join(pending))
            self.stream.flush()
        except (OSError, ValueError):  # stdout closed or gone: lines are lost, serving goes on
            pass


# Set by ``configure`` (the command line); None: lines go through ``logging``.
writer: LineWriter | None = None
# Set by ``configure``: every request counted, whatever the level, for the
# summary ``fake-server serve`` ends with.
tally: log_style.Tally | None = None


def enabled() -> bool:
    return logger.isEnabledFor(logging.INFO)


def write(recorded: RequestRecord) -> None:
    """The line of one request's record: the path, method and session name in it are
    already cut short (``fake_server.http.record``), so one hostile request never
    writes a 100 KB line, nor fills a pipe read slowly."""
    if tally is not None:
        tally.count(recorded)
    if writer is not None:
        writer.write(recorded)
        return
    fields = {
        "method": recorded.method,
        "path": recorded.path,
        "status": recorded.status,
        "operation": recorded.operation,
        "ms": round(recorded.took * 1000, 2),
        "request_id": recorded.request_id,
        "session": recorded.session,
        "fault": recorded.fault,
    }
    if enabled():
        logger.info("request", extra={"fake_server": fields})


class TextFormatter(logging.Formatter):
    """A request as ``METHOD PATH STATUS OPERATION MS REQUEST_ID``; anything else as
    ``LEVEL LOGGER: MESSAGE`` (a traceback, if any, on the lines after it)."""

    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "fake_server", None)
        if hasattr(record, "fake_server_ready"):
            return record.getMessage()
        if fields is None:
            line = f"{record.levelname} {record.name}: {printable(record.getMessage())}"
            if record.exc_info:
                line += "\n" + self.formatException(record.exc_info)
            return line
        return text_line(**fields)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: a request's fields, else ``level``, ``logger``, ``message``."""

    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "fake_server", None)
        ready = getattr(record, "fake_server_ready", None)
        if ready is not None:
            fields = {"message": record.getMessage(), **ready}
        elif fields is None:
            fields = {
                "level": record.levelname,
                "logger": record.name,
                "message": record.getMessage(),
            }
            if record.exc_info:
                fields["exception"] = self.formatException(record.exc_info)
        return json.dumps({"time": round(record.created, 3), **fields})


def announce_ready(message: str, fields: dict[str, Any]) -> None:
    """The first line of the log: ``message`` as text; in JSON, with ``fields`` too."""
    ready_logger.info(message, extra={"fake_server_ready": fields})


def announce_summary(findings: int) -> None:
    """The last line of the log: what the run answered (``configure`` counted it)."""
    if tally is None:
        return
    if writer is not None:
        writer.flush()
    fields = {
        "requests": tally.requests,
        "errors": tally.errors,
        "faults_injected": tally.faults,
        "client_findings": findings,
    }
    ready_logger.info(tally.summary(findings), extra={"fake_server_ready": fields})


def configure(log_format: str, level: str) -> None:
    """Send the whole log to stdout in one format, once; used by the command line only.

    fake_server's own records (requests, contract violations) at ``level``;
    uvicorn's at warning and above (its start and stop notices are replaced
    by the readiness line), or everything at debug. At ``info`` and below the
    request lines are written directly (``writer``).
    """
    global writer, tally  # noqa: PLW0603 -- the one switch the command line sets
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    threshold = logging.getLevelName(level.upper())
    uvicorn_threshold = (
        logging.DEBUG if threshold <= logging.DEBUG else max(threshold, logging.WARNING)
    )
    for name, logger_level in (("fake_server", threshold), ("uvicorn", uvicorn_threshold)):
        configured = logging.getLogger(name)
        configured.handlers[:] = [handler]
        configured.setLevel(logger_level)
        configured.propagate = False
    # Handlers of the loggers above run whatever those loggers' levels.
    ready_logger.setLevel(logging.INFO)
    writer = LineWriter(sys.stdout, log_format) if enabled() else None
    tally = log_style.Tally()
