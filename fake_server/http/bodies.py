"""Request bodies: read within a size limit, parsed, checked against the request schema."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from starlette.datastructures import FormData, UploadFile
from starlette.requests import ClientDisconnect, Request
from starlette.types import Message, Receive

from fake_server import defaults
from fake_server.contract import strict_json
from fake_server.domain.content import ContentLimitError
from fake_server.domain.errors import InvalidRequestError, quoted, shortened
from fake_server.http.context import Call
from fake_server.http.errors import PayloadTooLargeError
from fake_server.http.headers import header

# Generous for JSON (2000 file ids are about 60 KB); uploads: the scenario's
# ``limits.bytes_per_upload``, this by default.
MAX_JSON_BYTES = 1024 * 1024
MAX_UPLOAD_BYTES = defaults.MAX_UPLOAD_BYTES
# Room for a multipart body's boundaries, part headers and form fields.
MULTIPART_FRAMING_BYTES = 64 * 1024


async def json_object(call: Call) -> dict[str, Any]:
    """The JSON object a create operation was sent (checked against its request
    schema), or a 400 saying what is wrong."""
    content_type = call.headers.get(b"content-type")
    if content_type and b"json" not in content_type.lower():
        shown = content_type.decode("latin-1")[:100]
        raise InvalidRequestError(
            f"Invalid Content-Type header ({shown}), expected application/json.",
            code="invalid_content_type",
        )
    raw = call.body = await read_limited(call.request, MAX_JSON_BYTES)
    body = parse_json(raw)
    if not isinstance(body, dict):
        raise InvalidRequestError("The request body must be a JSON object.", code="invalid_json")
    _check(call, body)
    return body


def parse_json(raw: bytes) -> Any:
    """JSON from a client: malformed, ambiguous (a key twice), absurdly deep or with a
    number no field can hold (NaN, 1e999, beyond 64 bits) is a 400."""
    try:
        return strict_json.loads(raw)
    except strict_json.DuplicateKeyError as error:
        raise InvalidRequestError(
            f"The JSON body has the key {quoted(error.key)} more than once.",
            shortened(error.key),
            "invalid_json",
        ) from None
    except strict_json.NotTextError:
        raise InvalidRequestError(
            "The JSON body holds a lone surrogate (an escape from \\ud800 to \\udfff "
            "without its pair): it is not text.",
            code="invalid_json",
        ) from None
    except strict_json.NumberError as error:
        # The one number policy (see strict_json): finite, within 64 bits.
        path = ".".join(str(part) for part in error.path)
        param = shortened(path) or None
        where = f"Invalid {quoted(path)}" if path else "Invalid JSON body"
        raise InvalidRequestError(
            f"{where}: {quoted(error.literal)} is {error.reason}.",
            param,
            "invalid_json" if error.reason == strict_json.NOT_JSON else "invalid_value",
        ) from None
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise InvalidRequestError(
            "We could not parse the JSON body of your request. The API expects a JSON "
            "payload, but what was sent was not valid JSON.",
            code="invalid_json",
        ) from None


class Upload(NamedTuple):
    filename: str
    size: int
    purpose: str
    content: bytes = b""
    expires_after_seconds: int | None = None


async def multipart_upload(call: Call) -> Upload:
    content_type = header(call.request, b"content-type") or ""
    if not content_type.lower().startswith("multipart/form-data"):
        raise InvalidRequestError(
            f"Invalid Content-Type header ({content_type[:100]}), expected multipart/form-data.",
            code="invalid_content_type",
        )
    file_limit = call.state.limits.bytes_per_upload
    room = call.state.account.upload_room()
    # The limit is the file's, or the room the account has left if that is
    # less (an upload that can never be kept is not read: 100 MB would
    # otherwise be taken in whole for a 413); the body around it gets room
    # for its framing.
    allowed = min(file_limit, room)
    maximum = allowed + MULTIPART_FRAMING_BYTES
    length = header(call.request, b"content-length")

    def refusal(size: int) -> Exception:
        if allowed < file_limit:
            return ContentLimitError.before_reading(size, call.state.account.contents.limit, room)
        return _too_large(file_limit)

    if length is not None and length.isdigit() and int(length) > maximum:
        raise refusal(int(length))
    # Counted on the bytes received, whatever the framing: a chunked body
    # has no Content-Length to refuse it by.
    receive = _limited_receive(call.request.receive, maximum, refusal)
    limited = Request(call.request.scope, receive)
    try:
        form = await limited.form(max_files=1, max_fields=10)
    except (PayloadTooLargeError, ContentLimitError):
        raise
    except Exception:
        raise InvalidRequestError(
            "The multipart body could not be parsed.", code="invalid_multipart"
        ) from None
    try:
        fields, file, purpose = _upload_fields(call, form)
        content = await file.read()
    finally:  # a refused upload's spooled file is closed too
        await form.close()
    if len(content) > file_limit:
        raise _too_large(file_limit)
    expires_after = fields.get("expires_after")
    seconds = expires_after.get("seconds") if isinstance(expires_after, dict) else None
    return Upload(
        filename=file.filename or "upload",
        size=len(content),
        purpose=purpose,
        content=content,
        expires_after_seconds=seconds if isinstance(seconds, int) else None,
    )


def _upload_fields(call: Call, form: FormData) -> tuple[dict[str, Any], UploadFile, str]:
    """An upload form's fields (checked), its file and its purpose."""
    items = form.multi_items()
    # A field twice (two purposes, say) is ambiguous: refused, not read as the last.
    names = [key for key, _ in items]
    for name in names:
        if names.count(name) > 1:
            raise InvalidRequestError(
                f"Invalid {quoted(name)}: the field was given {names.count(name)} times.",
                shortened(name),
            )
    fields = nested_form_fields(
        (key, value.filename if isinstance(value, UploadFile) else value) for key, value in items
    )
    _check(call, fields)
    file, purpose = form.get("file"), form.get("purpose")
    if not isinstance(file, UploadFile) or not isinstance(purpose, str):
        raise InvalidRequestError("Missing required parameter: 'file'.", "file")
    return fields, file, purpose


def nested_form_fields(items: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """Form fields with bracketed names folded into objects, as the SDKs send them:
    ``expires_after[anchor]`` and ``expires_after[seconds]`` become
    ``{"expires_after": {"anchor": ..., "seconds": ...}}``. Digit strings inside
    an object become integers, so the request schema checks their range.

    A bracketed name whose outer name is also a plain field (``file[x]`` beside
    ``file``) is kept as it was sent, wherever it stands, so the schema refuses
    it as the unknown field it is: folded, the plain field would overwrite it
    (or it the plain field) and one of the two would go unread."""
    listed = list(items)
    plain = {key for key, _ in listed if "[" not in key}
    fields: dict[str, Any] = {}
    for key, value in listed:
        outer, bracket, rest = key.partition("[")
        if bracket and rest.endswith("]") and "[" not in rest and outer and outer not in plain:
            inner = fields.setdefault(outer, {})
            if isinstance(inner, dict):
                is_number = isinstance(value, str) and value.isascii() and value.isdigit()
                inner[rest[:-1]] = int(value) if is_number and len(value) < 19 else value
                continue
        fields[key] = value
    return fields


def _check(call: Call, body: dict[str, Any]) -> None:
    """Against the request schema of the operation the request was routed to."""
    operation = call.operation
    assert operation is not None, "only a routed request has a body to read"
    problem = call.state.contract.check_request(call.dialect.schema_set, operation, body)
    if problem is not None:
        raise InvalidRequestError(problem.message, problem.param)


async def read_limited(request: Request, limit: int) -> bytes:
    length = header(request, b"content-length")
    if length is not None and length.isdigit() and int(length) > limit:
        raise _too_large(limit)
    # The ASGI messages are read directly: Request.stream() is an async
    # generator, which asyncio registers and tracks on every request.
    chunks: list[bytes] = []
    received = 0
    while True:  # ends with the last message, a disconnect, or past the limit
        message = await request.receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect
        chunk: bytes = message.get("body", b"")
        received += len(chunk)
        if received > limit:
            raise _too_large(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            # One chunk (the usual case) is returned as it is, not copied.
            return b"".join(chunks)


def _limited_receive(receive: Receive, limit: int, refusal: Callable[[int], Exception]) -> Receive:
    """``receive``, refusing the body once more than ``limit`` bytes of it have
    come in (``refusal`` of the bytes received so far says why, in the limit
    the client knows)."""
    received = 0

    async def limited() -> Message:
        nonlocal received
        message = await receive()
        received += len(message.get("body", b""))
        if received > limit:
            raise refusal(received)
        return message

    return limited


def _too_large(limit: int) -> PayloadTooLargeError:
    return PayloadTooLargeError(f"The request body is larger than the limit of {limit} bytes.")
