"""One log line per provider request: readable by default, JSON on request."""

from __future__ import annotations

import json
import logging
import re
import sys
from typing import Any

logger = logging.getLogger("fake_server.access")
# The readiness line: always logged, whatever the level.
ready_logger = logging.getLogger("fake_server.ready")

# C0 and C1 control characters, DEL and the Unicode line separators: in a
# path (``%0d%0a`` decodes to a line break) or a session name they could
# forge lines of the text log.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def printable(text: str) -> str:
    """``text`` with every control character written as an escape (``\\x0d``)."""
    if text.isprintable():  # the common case, and a cheap test
        return text
    return _CONTROL.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def enabled() -> bool:
    return logger.isEnabledFor(logging.INFO)


def log_request(fields: dict[str, Any]) -> None:
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
        status = "dropped" if fields["status"] is None else fields["status"]
        session = f" session={printable(fields['session'])}" if fields.get("session") else ""
        return (
            f"{printable(fields['method'])} {printable(fields['path'])} {status} "
            f"{fields['operation'] or '-'} {fields['ms']}ms {fields['request_id']}{session}"
        )


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


def configure(log_format: str, level: str) -> None:
    """Send the whole log to stdout in one format, once; used by the command line only.

    fake_server's own records (requests, contract violations) at ``level``;
    uvicorn's at warning and above (its start and stop notices are replaced
    by the readiness line), or everything at debug.
    """
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
