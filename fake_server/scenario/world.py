"""A validated scenario's data turned into a live world: clock, state, faults, settings."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, NamedTuple

from fake_server import defaults
from fake_server.domain import search
from fake_server.domain.account import DEFAULT_PROCESSING, Account
from fake_server.domain.answers import ScriptedReply
from fake_server.domain.clock import Clock, SystemClock, VirtualClock
from fake_server.domain.content import digest
from fake_server.domain.ids import new_file_batch_id, new_file_id, new_vector_store_id
from fake_server.domain.limits import Limits
from fake_server.domain.model import (
    DEFAULT_OUTCOME,
    NEVER,
    FileBatch,
    Processing,
    VectorStore,
    VectorStoreFile,
)
from fake_server.domain.uploads import UploadedFile
from fake_server.domain.views import FileStatus
from fake_server.scenario.contents import CONTENT_BYTES
from fake_server.scenario.faults import FaultRule


class World(NamedTuple):
    """What a scenario instantiates. A fresh one each time: nothing is shared."""

    clock: Clock
    account: Account
    faults: list[FaultRule]
    poll_after_ms: int | None
    journal_max_entries: int
    api_keys: frozenset[str] | None = None
    limits: Limits = Limits()
    # Seconds until a gradual cancel reaches a file; None: cancels are immediate.
    cancel_delay: float | None = None
    # Scripted replies to questions asked of the Responses API (``responses``).
    replies: tuple[ScriptedReply, ...] = ()


def build_world(data: dict[str, Any], clock: Clock | None = None) -> World:
    """``clock``: one the caller moves (``parity``), instead of the one ``data`` describes."""
    clock_settings = data.get("clock", {})
    clock = _clock(clock_settings) if clock is None else clock
    loaded_at = clock.now()
    scenario_defaults = data.get("defaults", {})
    default_processing = _processing(
        scenario_defaults,
        _seconds(scenario_defaults.get("processing_seconds", defaults.PROCESSING_SECONDS)),
    )
    declared = [_upload(spec, loaded_at) for spec in data.get("files", [])]
    uploads = {upload.id: upload for upload in declared}
    vector_stores = [
        _vector_store(spec, loaded_at, default_processing, uploads)
        for spec in data.get("vector_stores", [])
    ]
    poll_after_ms = clock_settings.get(
        "poll_after_ms",
        (
            defaults.VIRTUAL_POLL_AFTER_MS
            if isinstance(clock, VirtualClock)
            else defaults.REAL_POLL_AFTER_MS
        ),
    )
    limits = _limits(data.get("limits", {}))
    cancel_delay = _cancel_delay(data.get("cancel", {}))
    account = Account(
        clock,
        vector_stores,
        uploads.values(),
        default_processing=default_processing,
        on_poll=_on_poll(clock, clock_settings.get("advance_on_poll", 0)),
        cancel_delay=cancel_delay,
        limits=limits,
        on_rate_limited=(
            _waiting_for_the_client(clock, poll_after_ms or 0)
            if isinstance(clock, VirtualClock)
            else None
        ),
    )
    _load_contents(account, data, declared, vector_stores)
    return World(
        clock=clock,
        account=account,
        faults=[FaultRule.from_dict(fault) for fault in data.get("faults", [])],
        poll_after_ms=poll_after_ms,
        journal_max_entries=data.get("journal", {}).get(
            "max_entries", defaults.JOURNAL_MAX_ENTRIES
        ),
        api_keys=frozenset(keys) if (keys := data.get("auth", {}).get("api_keys")) else None,
        limits=limits,
        cancel_delay=cancel_delay,
        replies=tuple(_scripted_reply(rule) for rule in data.get("responses", [])),
    )


def _scripted_reply(spec: dict[str, Any]) -> ScriptedReply:
    pattern = spec.get("pattern")
    cite = spec.get("cite")
    return ScriptedReply(
        spec.get("input"),
        None if pattern is None else search.compile_pattern(pattern),
        spec["text"],
        None if cite is None else tuple(cite),
    )


def _clock(settings: dict[str, Any]) -> Clock:
    start = settings.get("start")
    return VirtualClock(start) if settings.get("mode") == "virtual" else SystemClock(start)


def _on_poll(clock: Clock, advance: float) -> Callable[[], object] | None:
    """A virtual clock's step at each poll (``advance_on_poll``), if it has one."""
    if isinstance(clock, VirtualClock) and advance > 0:
        return functools.partial(clock.advance, advance)
    return None


def _limits(spec: dict[str, Any]) -> Limits:
    return Limits(
        attached_files_per_minute=spec.get("attached_files_per_minute"),
        files_per_batch=spec.get("files_per_batch", defaults.MAX_FILES_PER_BATCH),
        bytes_per_upload=spec.get("bytes_per_upload", defaults.MAX_UPLOAD_BYTES),
    )


def _waiting_for_the_client(clock: VirtualClock, poll_after_ms: int) -> Callable[[float], float]:
    """On a virtual clock the fake does a rate-limited client's waiting: the clock
    moves to the moment the request would pass, and the client is told to wait
    only as long as it is told between polls (wall time)."""

    def wait(moment: float) -> float:
        clock.advance_to(moment)
        return poll_after_ms / 1000

    return wait


def _seconds(value: float | str) -> float:
    """A scenario's processing time: seconds, or ``never``."""
    return NEVER if value == "never" else float(value)


def _cancel_delay(spec: dict[str, Any]) -> float | None:
    """None for an immediate cancel, else the seconds until it reaches a file."""
    if spec.get("mode", defaults.CANCEL_MODE) != "gradual":
        return None
    return float(spec.get("delay_seconds", defaults.CANCEL_DELAY_SECONDS))


def _load_contents(
    account: Account,
    data: dict[str, Any],
    uploads: list[UploadedFile],
    vector_stores: list[VectorStore],
) -> None:
    """Uploaded bytes and scripted search answers (validated and bounded by the checks)."""
    for spec, upload in zip(data.get("files", []), uploads, strict=True):
        content = _content_of(spec)
        if content is not None:
            account.contents.put(upload.id, content)
    for spec, vector_store in zip(data.get("vector_stores", []), vector_stores, strict=True):
        answers = tuple(_scripted_answer(answer) for answer in spec.get("search", []))
        if answers:
            account.scripted_searches[vector_store.id] = answers


def _content_of(spec: dict[str, Any]) -> bytes | None:
    if CONTENT_BYTES in spec:
        content: bytes = spec[CONTENT_BYTES]
        return content
    if "content" in spec:
        return str(spec["content"]).encode("utf-8")
    return None


def _scripted_answer(spec: dict[str, Any]) -> search.ScriptedAnswer:
    pattern = spec.get("pattern")
    return search.ScriptedAnswer(
        spec.get("query"),
        None if pattern is None else search.compile_pattern(pattern),
        tuple(
            search.ScriptedResult(
                result["file_id"],
                float(result.get("score", 1.0)),
                result.get("filename"),
                result.get("attributes"),
                None
                if "content" not in result
                else [result["content"]]
                if isinstance(result["content"], str)
                else list(result["content"]),
            )
            for result in spec["results"]
        ),
    )


def _processing(spec: dict[str, Any], seconds: float | None) -> Processing:
    """The scenario's defaults: every field set, the built-in defaults where it is silent."""
    return _own_processing(spec, seconds).over(DEFAULT_PROCESSING)


def _own_processing(spec: dict[str, Any], seconds: float | None) -> Processing:
    """What a file (or ``defaults``) says for itself; None where it is silent."""
    outcome = spec.get("outcome")
    code = message = None
    if (error := spec.get("error")) is not None:
        code = error.get("code", defaults.ERROR_CODE)
        message = error.get("message", defaults.ERROR_MESSAGES[code])
    return Processing(
        seconds=seconds,
        outcome=None if outcome is None else FileStatus(outcome),
        error_code=code,
        error_message=message,
    )


def _upload(spec: dict[str, Any], loaded_at: float) -> UploadedFile:
    file_id = spec.get("id") or new_file_id()
    seconds = spec.get("processing_seconds")
    content = _content_of(spec)
    created_at = spec.get("created_at", int(loaded_at))
    expires_after = spec.get("expires_after")
    return UploadedFile(
        id=file_id,
        filename=spec.get("filename", f"{file_id}.txt"),
        bytes=spec.get("bytes", defaults.USAGE_BYTES if content is None else len(content)),
        created_at=created_at,
        purpose=spec.get("purpose", "assistants"),
        processing=_own_processing(spec, None if seconds is None else _seconds(seconds)),
        owner=spec.get("owner"),
        expires_at=None if expires_after is None else created_at + expires_after["seconds"],
        digest=None if content is None else digest(content),
    )


def _vector_store(
    spec: dict[str, Any],
    loaded_at: float,
    default_processing: Processing,
    uploads: dict[str, UploadedFile],
) -> VectorStore:
    created_at = spec.get("created_at", int(loaded_at))
    vector_store = VectorStore(
        id=spec.get("id") or new_vector_store_id(),
        name=spec.get("name"),
        created_at=created_at,
        description=spec.get("description"),
        metadata=dict(spec.get("metadata", {})),
        last_active_at=created_at,
        owner=spec.get("owner"),
        expires_after=spec.get("expires_after"),
    )
    for grant in spec.get("permissions", []):
        vector_store.grant(grant.get("user_id"), grant["role"])
    for batch_spec in spec.get("file_batches", []):
        batch = _batch(batch_spec, vector_store, loaded_at, default_processing)
        for file in batch.files:
            # A file in a scenario batch was uploaded too: it can be added again.
            uploads.setdefault(
                file.id,
                UploadedFile(
                    file.id,
                    f"{file.id}.txt",
                    file.usage_bytes,
                    file.created_at,
                    "assistants",
                    owner=vector_store.owner,
                ),
            )
        vector_store.add_batch(batch)
    return vector_store


def _batch(
    spec: dict[str, Any],
    vector_store: VectorStore,
    loaded_at: float,
    default_processing: Processing,
) -> FileBatch:
    batch_created = spec.get("created_at", vector_store.created_at)
    files = [
        _batch_file(file_spec, vector_store.id, batch_created, loaded_at, default_processing)
        for file_spec in spec["files"]
    ]
    for file, file_spec in zip(files, spec["files"], strict=True):
        attributes = file_spec.get("attributes", spec.get("attributes"))
        file.attributes = None if attributes is None else dict(attributes)
        file.chunking_strategy = file_spec.get("chunking_strategy", spec.get("chunking_strategy"))
    return FileBatch(
        id=spec.get("id") or new_file_batch_id(),
        vector_store_id=vector_store.id,
        created_at=batch_created,
        files=files,
    )


def _batch_file(
    spec: dict[str, Any],
    vector_store_id: str,
    batch_created: int,
    loaded_at: float,
    default_processing: Processing,
) -> VectorStoreFile:
    status = FileStatus(spec.get("status", "in_progress"))
    seconds = spec.get("processing_seconds")
    processing = _own_processing(spec, None if seconds is None else _seconds(seconds)).over(
        default_processing
    )
    return VectorStoreFile(
        id=spec.get("id") or new_file_id(),
        vector_store_id=vector_store_id,
        created_at=spec.get("created_at", batch_created),
        status=status,
        outcome=processing.outcome or DEFAULT_OUTCOME,
        finishes_at=(
            loaded_at + float(processing.seconds or 0.0)
            if status is FileStatus.IN_PROGRESS
            else None
        ),
        usage_bytes=spec.get("usage_bytes", defaults.USAGE_BYTES),
        error_code=processing.error_code or defaults.ERROR_CODE,
        error_message=processing.error_message or defaults.ERROR_MESSAGES[defaults.ERROR_CODE],
    )
