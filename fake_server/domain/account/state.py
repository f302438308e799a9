"""What one account holds, and the settings its operations follow.

A plain record: the operations of ``fake_server.domain.account`` read and
change it, and only ever under the facade's lock (none of them takes it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from fake_server import defaults
from fake_server.domain import search
from fake_server.domain.clock import Clock
from fake_server.domain.limits import AttachWindow, Limits
from fake_server.domain.model import DEFAULT_OUTCOME, Processing, VectorStore
from fake_server.domain.uploads import UploadedFile, Uploads

DEFAULT_PROCESSING = Processing(
    seconds=defaults.PROCESSING_SECONDS,
    outcome=DEFAULT_OUTCOME,
    error_code=defaults.ERROR_CODE,
    error_message=defaults.ERROR_MESSAGES[defaults.ERROR_CODE],
)
NO_LIMITS = Limits()


class AccountState:
    """One account's vector stores and uploads, its clock and its settings."""

    __slots__ = (
        "attached",
        "cancel_delay",
        "clock",
        "default_processing",
        "limits",
        "on_rate_limited",
        "scripted_searches",
        "uploads",
        "vector_stores",
    )

    def __init__(
        self,
        clock: Clock,
        vector_stores: Iterable[VectorStore],
        uploads: Iterable[UploadedFile],
        *,
        default_processing: Processing,
        cancel_delay: float | None,
        limits: Limits,
        on_rate_limited: Callable[[float], float] | None,
    ) -> None:
        self.clock = clock
        # Oldest first: the order every list of vector stores pages in.
        self.vector_stores = {
            vector_store.id: vector_store
            for vector_store in sorted(vector_stores, key=lambda s: s.created_at)
        }
        self.uploads = Uploads(uploads)
        self.default_processing = default_processing
        # None: a cancel takes effect at once; else it reaches each file in
        # progress this many seconds later (the scenario's ``cancel.mode: gradual``).
        self.cancel_delay = cancel_delay
        self.limits = limits
        per_minute = limits.attached_files_per_minute
        self.attached = None if per_minute is None else AttachWindow(per_minute)
        # Given the moment a refused request would pass, the client's wait in
        # wall seconds; a virtual clock's world moves the clock there first
        # (the fake waits for the client). None: the wait is that on the clock.
        self.on_rate_limited = on_rate_limited
        # Scripted search answers by vector store id (the scenario's ``search``).
        self.scripted_searches: dict[str, tuple[search.ScriptedAnswer, ...]] = {}
