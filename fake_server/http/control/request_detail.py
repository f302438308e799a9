"""One journaled request as the inspector's request debugger shows it: bodies, timing,
the fault that answered it and the findings it took part in.

The journal keeps each body as the raw bytes the request had in hand
(``fake_server.http.record``: at most ``MAX_BODY_BYTES``, a longer one cut
to its start). Everything costly happens here, only when a person opens a
request: decoding, pretty-printing, and taking the secrets out.

What is never shown: request headers other than the journal's four (so
never ``Authorization``), and any secret as ``fake_server.domain.secrets``
defines one (the session's API keys and the admin token learnt), in a body,
the path, the query or a header value; each becomes ``[redacted]``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote_plus

from fake_server.domain.clock import wall_date
from fake_server.domain.secrets import (
    REDACTED,
    holds_secret,
    is_secret_parameter,
    known_secrets,
    redact_cut_end,
    redact_fragment,
    redact_text,
    redact_value,
)
from fake_server.http.context import Call
from fake_server.http.record import MAX_BODY_BYTES, RequestRecord
from fake_server.http.sessions.journal import shaped

_CUT = re.compile(rb"\.\.\. \((\d+) bytes\)\Z")
_QUERY_CUT = re.compile(r"\.\.\. \(\d+ bytes\)\Z")
# A percent escape cut in two at the very end.
_PARTIAL_ESCAPE = re.compile(r"%[0-9A-Fa-f]?\Z")


def entry(recorded: RequestRecord, known: list[str]) -> dict[str, Any]:
    """A journal entry with its wall time and duration, as the inspector lists it:
    no secret in its path, query or headers (``known``: from ``known_secrets``)."""
    return {
        **redact_entry(shaped(recorded), known),
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
    known = known_secrets(secrets)
    request_id = recorded.request_id
    return {
        "request": entry(recorded, known),
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
            shown = json.dumps(redact_value(value, known), indent=2, ensure_ascii=False)
            return {"kind": "json", "text": shown, "bytes": size, "cut": False}
    if cut:
        text = text[: text.rfind("... (")]
        shown = redact_fragment(text, known, cut=True) + f"... ({size} bytes)"
    else:
        shown = redact_fragment(text, known, cut=False)
    return {"kind": "text", "text": shown, "bytes": size, "cut": cut}


def query_shown(query: str, known: list[str]) -> str:
    """A query string as shown: as sent, but a credential parameter's value
    ``[redacted]``, and a parameter holding a secret shown decoded and redacted;
    a query cut short (``... (N bytes)``) shows none of a secret it was cut in."""
    cut = _QUERY_CUT.search(query)
    sent, tail = (query[: cut.start()], cut.group(0)) if cut else (query, "")
    parts = sent.split("&") if sent else []
    shown = []
    for at, part in enumerate(parts):
        raw_name, equals, raw_value = part.partition("=")
        name, value = unquote_plus(raw_name), unquote_plus(raw_value)
        checked = value
        if cut and at == len(parts) - 1:
            checked = redact_cut_end(_PARTIAL_ESCAPE.sub("", value), known)
        if is_secret_parameter(name):
            shown.append(f"{raw_name}={REDACTED}")
        elif checked != value or holds_secret(f"{name}={value}", known):
            shown.append(f"{redact_text(name, known)}{equals}{redact_text(checked, known)}")
        else:
            shown.append(part)
    return "&".join(shown) + tail


def redact_entry(shown: dict[str, Any], known: list[str]) -> dict[str, Any]:
    """A journal entry (``shaped``) with no secret in its path, query or headers."""
    return {
        **shown,
        "path": redact_text(shown["path"], known),
        "query": query_shown(shown["query"], known),
        "headers": {name: redact_text(value, known) for name, value in shown["headers"].items()},
    }


def session_secrets(call: Call) -> list[str]:
    """The secrets the control plane never shows: the session's API keys and the
    admin token."""
    return known_secrets([*call.state.api_keys(), call.server.settings.admin_token])
