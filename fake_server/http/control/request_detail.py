"""One journaled request as the inspector's request debugger shows it: bodies, timing,
the fault that answered it and the findings it took part in.

The journal keeps each body as the raw bytes the request had in hand
(``fake_server.http.record``: at most ``MAX_BODY_BYTES``, a longer one cut
to its start). Everything costly happens here, only when a person opens a
request: decoding, pretty-printing, and taking the secrets out.

What is never shown: request headers other than the journal's four (so
never ``Authorization``), the session's API keys and the admin token
wherever they appear in a body, the value of any field named like a secret
(``api_key``, ``token``, ``password``, ``secret``, ``authorization``, ...),
and any string shaped like a key (``sk-...``, ``Bearer ...``, a JWT). Each
becomes ``[redacted]``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from fake_server.domain.clock import wall_date
from fake_server.http.record import MAX_BODY_BYTES, RequestRecord
from fake_server.http.sessions.journal import shaped

REDACTED = "[redacted]"
# A field whose name says it holds a secret (the whole name, any case).
SECRET_FIELD = re.compile(
    r"(?i)^(?:.*[_-])?(?:api[_-]?key|apikey|authorization|secret|password|passwd|token|"
    r"access[_-]?token|refresh[_-]?token|admin[_-]?token|credentials?|private[_-]?key)$"
)
# A value shaped like a key or a token, wherever it stands in the text.
KEY_SHAPED = re.compile(
    r"\b(?:sk|rk|pk|ak|key|tok)[-_][A-Za-z0-9_-]{8,}"
    r"|\bBearer\s+[A-Za-z0-9._~+/=-]+"
    r"|\beyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"
)
# A secret field in text that is no JSON (a body cut short): "api_key": "...".
SECRET_PAIR = re.compile(
    r'(?i)("(?:[^"\\]*[_-])?(?:api[_-]?key|apikey|authorization|secret|password|passwd|token|'
    r'access[_-]?token|refresh[_-]?token|admin[_-]?token|credentials?|private[_-]?key)"\s*:\s*)'
    r'"(?:[^"\\]|\\.)*"?'
)
_CUT = re.compile(rb"\.\.\. \((\d+) bytes\)\Z")


def entry(recorded: RequestRecord) -> dict[str, Any]:
    """A journal entry with its wall time and duration, as the inspector lists it."""
    return {
        **shaped(recorded),
        "wall_time": round(wall_date(recorded.answered), 3),
        "duration_ms": round(recorded.took * 1000, 3),
    }


def detail(
    recorded: RequestRecord,
    secrets: Iterable[str],
    fault: dict[str, Any] | None,
    findings: list[dict[str, Any]],
) -> dict[str, Any]:
    """Everything the debugger shows of one request; no secret in it."""
    known = sorted({secret for secret in secrets if len(secret) >= 4}, key=len, reverse=True)
    request_id = recorded.request_id
    return {
        "request": entry(recorded),
        "request_body": body_shown(recorded.request_body, known),
        "response_body": body_shown(recorded.response_body, known),
        "fault": fault,
        "findings": [found for found in findings if request_id in found["requests"]],
        "max_body_bytes": MAX_BODY_BYTES,
    }


def body_shown(raw: bytes | None, known: list[str]) -> dict[str, Any] | None:
    """A kept body as text to read: pretty JSON, or text, or only its size if binary."""
    if raw is None:
        return None
    size, cut = len(raw), False
    found = _CUT.search(raw) if size > MAX_BODY_BYTES else None
    if found is not None:
        size, cut = int(found.group(1)), True
    if not raw:
        return {"kind": "empty", "text": "", "bytes": 0, "cut": False}
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        if not cut:
            return {"kind": "binary", "text": None, "bytes": size, "cut": False}
        text = raw.decode("utf-8", "replace")
    if not cut:
        try:
            value = json.loads(text)
        except ValueError:
            pass
        else:
            shown = json.dumps(_redact_value(value, known), indent=2, ensure_ascii=False)
            return {"kind": "json", "text": shown, "bytes": size, "cut": False}
    return {"kind": "text", "text": redact_text(text, known), "bytes": size, "cut": cut}


def _redact_value(value: Any, known: list[str]) -> Any:
    if isinstance(value, dict):
        return {
            key: REDACTED if SECRET_FIELD.match(key) else _redact_value(item, known)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_redact_value(item, known) for item in value]
    if isinstance(value, str):
        return redact_text(value, known)
    return value


def redact_text(text: str, known: list[str]) -> str:
    """``text`` with the known secrets, secret fields and key-shaped values replaced."""
    for secret in known:
        if secret in text:
            text = text.replace(secret, REDACTED)
    text = SECRET_PAIR.sub(lambda match: f'{match.group(1)}"{REDACTED}"', text)
    return KEY_SHAPED.sub(REDACTED, text)
