"""Every default value fake_server uses, in one place.

A leaf module: it imports nothing from fake_server, so every layer, the
domain included, may read it.
"""

from __future__ import annotations

# Requests kept by each session's journal (scenario ``journal.max_entries``).
DEFAULT_JOURNAL_ENTRIES = 1000
# X-Fake-Session sessions kept (``--max-sessions``); the least recently used goes first.
DEFAULT_MAX_SESSIONS = 64
