"""The cassette: what ``fake-server record`` writes, ``replay`` serves and ``parity``
compares (format ``fake_server.cassette/1``).

Typed dataclasses, ``load_cassette(path)`` (checked against the format's own JSON
Schema first; a refusal names the field, e.g. ``exchanges[3].request.method``) and
``dump_cassette(cassette, path)`` (indented UTF-8 JSON, written under a temporary
name and renamed, so a reader never sees half a cassette).

A cassette never holds a secret: the recorder drops credential headers and
redacts key-shaped body values before an exchange becomes one of these values.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import jsonschema

FORMAT = "fake_server.cassette/1"
# The most bytes load_cassette reads: a cassette with kept content can be large,
# but never without bound.
MAX_CASSETTE_BYTES = 1024 * 1024 * 1024


class CassetteError(ValueError):
    """A cassette that cannot be read: missing, not JSON, or not the format."""


@dataclasses.dataclass
class Upload:
    """A multipart upload: its file part (bytes only with --keep-content) and the
    other form fields."""

    field: str
    filename: str
    size: int
    sha256: str
    content_b64: str | None = None
    fields: dict[str, str] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class Download:
    """A response body that is not JSON (file content): its size and digest."""

    size: int
    sha256: str
    content_b64: str | None = None


@dataclasses.dataclass
class RecordedRequest:
    method: str
    path: str
    query: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    headers: dict[str, str] = dataclasses.field(default_factory=dict)
    body: Any = None
    upload: Upload | None = None


@dataclasses.dataclass
class RecordedResponse:
    status: int
    headers: dict[str, str] = dataclasses.field(default_factory=dict)
    body: Any = None
    download: Download | None = None


@dataclasses.dataclass
class Exchange:
    seq: int
    t: float
    duration: float
    request: RecordedRequest
    response: RecordedResponse


@dataclasses.dataclass
class Cassette:
    upstream: str
    recorded_at: str
    redactions: dict[str, int] = dataclasses.field(
        default_factory=lambda: {"secrets": 0, "end_users": 0}
    )
    exchanges: list[Exchange] = dataclasses.field(default_factory=list)
    format: str = FORMAT


_STRINGS = {"type": "object", "additionalProperties": {"type": "string"}}
_DIGEST = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
_CONTENT = {"type": ["string", "null"]}
_UPLOAD = {
    "type": ["object", "null"],
    "required": ["field", "filename", "size", "sha256"],
    "additionalProperties": False,
    "properties": {
        "field": {"type": "string"},
        "filename": {"type": "string"},
        "size": {"type": "integer", "minimum": 0},
        "sha256": _DIGEST,
        "content_b64": _CONTENT,
        "fields": _STRINGS,
    },
}
_DOWNLOAD = {
    "type": ["object", "null"],
    "required": ["size", "sha256"],
    "additionalProperties": False,
    "properties": {
        "size": {"type": "integer", "minimum": 0},
        "sha256": _DIGEST,
        "content_b64": _CONTENT,
    },
}
_REQUEST = {
    "type": "object",
    "required": ["method", "path"],
    "additionalProperties": False,
    "properties": {
        "method": {"enum": ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]},
        "path": {"type": "string", "pattern": "^/"},
        "query": {
            "type": "array",
            "items": {
                "type": "array",
                "prefixItems": [{"type": "string"}, {"type": "string"}],
                "minItems": 2,
                "maxItems": 2,
            },
        },
        "headers": _STRINGS,
        "body": {},
        "upload": _UPLOAD,
    },
}
_RESPONSE = {
    "type": "object",
    "required": ["status"],
    "additionalProperties": False,
    "properties": {
        "status": {"type": "integer", "minimum": 100, "maximum": 599},
        "headers": _STRINGS,
        "body": {},
        "download": _DOWNLOAD,
    },
}
SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["format", "upstream", "recorded_at", "exchanges"],
    "additionalProperties": False,
    "properties": {
        "format": {"const": FORMAT},
        "upstream": {"type": "string"},
        "recorded_at": {"type": "string"},
        "redactions": {"type": "object", "additionalProperties": {"type": "integer"}},
        "exchanges": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["seq", "t", "duration", "request", "response"],
                "additionalProperties": False,
                "properties": {
                    "seq": {"type": "integer", "minimum": 0},
                    "t": {"type": "number", "minimum": 0},
                    "duration": {"type": "number", "minimum": 0},
                    "request": _REQUEST,
                    "response": _RESPONSE,
                },
            },
        },
    },
}
_VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def field_name(path: Any) -> str:
    """A JSON path as a reader writes it: ``exchanges[3].request.method``."""
    name = ""
    for part in path:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name or "(the document)"


def check_document(document: Any) -> None:
    """Raise CassetteError naming the first field that breaks the format."""
    error = jsonschema.exceptions.best_match(_VALIDATOR.iter_errors(document))
    if error is None:
        return
    where = field_name(error.absolute_path)
    if error.validator in {"required", "additionalProperties"}:
        raise CassetteError(f"{where}: {error.message}")
    shown = json.dumps(error.instance)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    raise CassetteError(f"{where}: {shown} is not valid here ({error.message[:120]})")


def from_document(document: Any) -> Cassette:
    """A checked cassette document as dataclasses."""
    check_document(document)
    return Cassette(
        format=document["format"],
        upstream=document["upstream"],
        recorded_at=document["recorded_at"],
        redactions=dict(document.get("redactions", {})),
        exchanges=[_exchange(item) for item in document["exchanges"]],
    )


def _exchange(item: dict[str, Any]) -> Exchange:
    request, response = item["request"], item["response"]
    upload, download = request.get("upload"), response.get("download")
    return Exchange(
        seq=item["seq"],
        t=float(item["t"]),
        duration=float(item["duration"]),
        request=RecordedRequest(
            method=request["method"],
            path=request["path"],
            query=[(name, value) for name, value in request.get("query", [])],
            headers=dict(request.get("headers", {})),
            body=request.get("body"),
            upload=Upload(**upload) if upload is not None else None,
        ),
        response=RecordedResponse(
            status=response["status"],
            headers=dict(response.get("headers", {})),
            body=response.get("body"),
            download=Download(**download) if download is not None else None,
        ),
    )


def to_document(cassette: Cassette) -> dict[str, Any]:
    """The cassette as its JSON document (keys in the format's order)."""
    document = dataclasses.asdict(cassette)
    for exchange in document["exchanges"]:
        exchange["request"]["query"] = [list(pair) for pair in exchange["request"]["query"]]
    return {
        "format": document["format"],
        "upstream": document["upstream"],
        "recorded_at": document["recorded_at"],
        "redactions": document["redactions"],
        "exchanges": document["exchanges"],
    }


def load_cassette(path: str | os.PathLike[str]) -> Cassette:
    """Read and check a cassette; CassetteError says what is wrong and where."""
    where = Path(path)
    try:
        with where.open("rb") as handle:
            raw = handle.read(MAX_CASSETTE_BYTES + 1)
    except OSError as error:
        raise CassetteError(f"{where}: cannot read the cassette: {error.strerror}") from None
    if len(raw) > MAX_CASSETTE_BYTES:
        raise CassetteError(f"{where}: larger than {MAX_CASSETTE_BYTES} bytes")
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CassetteError(f"{where}: not a JSON cassette: {error}") from None
    try:
        return from_document(document)
    except CassetteError as error:
        raise CassetteError(f"{where}: {error}") from None


def dump_cassette(cassette: Cassette, path: str | os.PathLike[str]) -> None:
    """Write the cassette as indented UTF-8 JSON, atomically."""
    text = json.dumps(to_document(cassette), indent=2, ensure_ascii=False) + "\n"
    write_atomically(Path(path), text)


def write_atomically(path: Path, text: str) -> None:
    """Write text under a temporary name beside ``path``, then rename it over."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
