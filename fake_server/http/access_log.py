"""One log line per provider request: readable by default, JSON on request."""

from __future__ import annotations

import json
import logging
import re
import sys
from typing import Any

logger = logging.getLogger("fake_server.access")

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
    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "fake_server", None)
        if fields is None:
            return super().format(record)
        status = "dropped" if fields["status"] is None else fields["status"]
        session = f" session={printable(fields['session'])}" if fields.get("session") else ""
        return (
            f"{printable(fields['method'])} {printable(fields['path'])} {status} "
            f"{fields['operation'] or '-'} {fields['ms']}ms {fields['request_id']}{session}"
        )


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "fake_server", None)
        if fields is None:
            fields = {"message": record.getMessage()}
        return json.dumps({"time": round(record.created, 3), **fields})


def configure(log_format: str, level: str) -> None:
    """Send the request log to stdout, once; used by the command line only."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    logger.handlers[:] = [handler]
    logger.setLevel(level.upper())
    logger.propagate = False
