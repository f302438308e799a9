"""What the recorder keeps of a body while it streams past: never the whole
body, unless it is JSON (bounded) or ``--keep-content`` asked for the bytes.

A JSON body is buffered up to ``MAX_RECORDED_JSON_BYTES`` and parsed at its end.
A multipart upload is parsed as it streams (python-multipart's push parser): its
file part becomes name, size and SHA-256, its other fields their text. Any
other body (a download) becomes its size and SHA-256.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from python_multipart.multipart import MultipartParser, parse_options_header

from fake_server import defaults
from fake_server.recording.cassette import Download, Upload

MAX_RECORDED_JSON_BYTES = defaults.RECORD_MAX_JSON_BYTES
# A form field other than the file: its text, cut at this many bytes.
MAX_FIELD_BYTES = 64 * 1024
# Bytes --keep-content keeps of one body; beyond it only the digest is kept.
MAX_KEPT_BYTES = defaults.LARGEST_UPLOAD_BYTES


def is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


class _Digest:
    """Size, SHA-256 and (if kept) the bytes of a stream."""

    def __init__(self, keep: bool) -> None:
        self.size = 0
        self.sha256 = hashlib.sha256()
        self._kept: bytearray | None = bytearray() if keep else None

    def feed(self, data: bytes) -> None:
        self.size += len(data)
        self.sha256.update(data)
        if self._kept is not None:
            if self.size > MAX_KEPT_BYTES:
                self._kept = None
            else:
                self._kept += data

    def content_b64(self) -> str | None:
        return None if self._kept is None else base64.b64encode(self._kept).decode("ascii")


class JsonTap:
    """A JSON body, buffered within its bound; None when it is not JSON or too big."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._too_big = False

    def feed(self, data: bytes) -> None:
        if self._too_big:
            return
        if len(self._buffer) + len(data) > MAX_RECORDED_JSON_BYTES:
            self._too_big = True
            self._buffer = bytearray()
        else:
            self._buffer += data

    def result(self) -> Any:
        if self._too_big or not self._buffer:
            return None
        try:
            return json.loads(self._buffer.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None


class UploadTap:
    """A multipart/form-data body, parsed as it streams."""

    def __init__(self, boundary: bytes, keep: bool) -> None:
        self._keep = keep
        self._parser = MultipartParser(
            boundary,
            {
                "on_part_begin": self._on_part_begin,
                "on_header_field": self._on_header_field,
                "on_header_value": self._on_header_value,
                "on_header_end": self._on_header_end,
                "on_headers_finished": self._on_headers_finished,
                "on_part_data": self._on_part_data,
                "on_part_end": self._on_part_end,
            },
        )
        self.fields: dict[str, str] = {}
        self.upload: Upload | None = None
        self._broken = False
        self._header_name = bytearray()
        self._header_value = bytearray()
        self._disposition = b""
        self._name = ""
        self._filename: str | None = None
        self._digest: _Digest | None = None
        self._text = bytearray()

    def feed(self, data: bytes) -> None:
        if self._broken:
            return
        try:
            self._parser.write(data)
        except Exception:  # a malformed body is forwarded, not recorded
            self._broken = True

    def _on_part_begin(self) -> None:
        self._disposition, self._name, self._filename = b"", "", None
        self._digest, self._text = None, bytearray()

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _on_header_end(self) -> None:
        if bytes(self._header_name).lower() == b"content-disposition":
            self._disposition = bytes(self._header_value)
        self._header_name, self._header_value = bytearray(), bytearray()

    def _on_headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        self._name = options.get(b"name", b"").decode("utf-8", "replace")
        filename = options.get(b"filename")
        self._filename = None if filename is None else filename.decode("utf-8", "replace")
        if self._filename is not None and self.upload is None:
            self._digest = _Digest(self._keep)

    def _on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._digest is not None:
            self._digest.feed(data[start:end])
        elif self._filename is None and len(self._text) < MAX_FIELD_BYTES:
            self._text += data[start:end][: MAX_FIELD_BYTES - len(self._text)]

    def _on_part_end(self) -> None:
        digest = self._digest
        if digest is not None and self._filename is not None:
            self.upload = Upload(
                field=self._name,
                filename=self._filename,
                size=digest.size,
                sha256=digest.sha256.hexdigest(),
                content_b64=digest.content_b64(),
            )
        elif self._filename is None:
            self.fields[self._name] = self._text.decode("utf-8", "replace")
        self._digest = None

    def result(self) -> Upload | None:
        if self.upload is None:
            return None
        self.upload.fields = dict(self.fields)
        return self.upload


class DownloadTap:
    """A body that is not JSON: its size and digest (the bytes if kept)."""

    def __init__(self, keep: bool) -> None:
        self._digest = _Digest(keep)

    def feed(self, data: bytes) -> None:
        self._digest.feed(data)

    def result(self) -> Download:
        digest = self._digest
        return Download(digest.size, digest.sha256.hexdigest(), digest.content_b64())


def request_tap(content_type: str, keep: bool) -> JsonTap | UploadTap | None:
    """The tap a request body of this type needs; None: nothing of it is recorded."""
    media, options = parse_options_header(content_type)
    if media == b"multipart/form-data" and options.get(b"boundary"):
        return UploadTap(options[b"boundary"], keep)
    if is_json(content_type):
        return JsonTap()
    return None


def response_tap(content_type: str, keep: bool) -> JsonTap | DownloadTap:
    return JsonTap() if is_json(content_type) else DownloadTap(keep)
