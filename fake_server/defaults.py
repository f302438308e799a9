"""Every default value fake_server uses, in one place.

A leaf module: it imports nothing from fake_server, so any layer (the domain
included) may read it. The README and the scenario schema describe these
values; when one changes here, change them there too.
"""

from __future__ import annotations

from typing import Any, Final

# --- files on a clock ----------------------------------------------------------

# Time an in-progress file takes to reach its outcome (scenario ``defaults``).
PROCESSING_SECONDS: Final = 1.0
# Outcome of a file that names none (scenario ``defaults.outcome``).
OUTCOME: Final = "completed"
# Scenario ``cancel.mode``: immediate (every file in progress is cancelled by
# the cancel itself) or gradual (the cancel reaches them ``delay_seconds`` later).
CANCEL_MODE: Final = "immediate"
CANCEL_DELAY_SECONDS: Final = 1.0
# usage_bytes of a scenario batch file that gives none, once completed.
USAGE_BYTES: Final = 1024
# The error a failed file carries when its scenario names none.
ERROR_CODE: Final = "server_error"
ERROR_MESSAGES: Final = {
    "server_error": "The file could not be processed because of a server error.",
    "unsupported_file": "The file type is not supported.",
    "invalid_file": "The file could not be parsed.",
}

# --- batches and lists -----------------------------------------------------------

MAX_FILES_PER_BATCH: Final = 2000
# Bytes an upload may hold (scenario ``limits.bytes_per_upload``); the real
# API documents 512 MB, the most a scenario may set.
MAX_UPLOAD_BYTES: Final = 32 * 1024 * 1024
LARGEST_UPLOAD_BYTES: Final = 512 * 1024 * 1024
PAGE_SIZE: Final = 20
MIN_LIMIT: Final = 1
MAX_LIMIT: Final = 100

# The chunking the real API reports for files added without a strategy.
# Shared by every body that carries it: treat it as read-only.
CHUNKING_STRATEGY: Final[dict[str, Any]] = {
    "type": "static",
    "static": {"max_chunk_size_tokens": 800, "chunk_overlap_tokens": 400},
}

# --- the server ------------------------------------------------------------------

# Requests kept by the journal (scenario ``journal.max_entries``).
JOURNAL_MAX_ENTRIES: Final = 1000
# Named X-Fake-Session sessions kept before the least recently used goes.
MAX_SESSIONS: Final = 64
# openai-poll-after-ms on a virtual clock: virtual time costs nothing, so
# polling clients are told to come back soon.
VIRTUAL_POLL_AFTER_MS: Final = 10
# openai-poll-after-ms on the real clock: twice a PROCESSING_SECONDS, so a
# first test's poll loop sees its files finish after a read or two.
REAL_POLL_AFTER_MS: Final = 500

# The validators' warm-up (``http/warm_up.py``), once the server listens: it
# waits this long first, so that the first requests (sent the moment the server
# listens) are not slowed by it, then sleeps this long between its steps.
WARM_UP_DELAY_SECONDS: Final = 0.1
WARM_UP_STEP_SECONDS: Final = 0.001

# --- the container image ---------------------------------------------------------

# What `make image` tags, and what FakeServerContainer starts unless told otherwise.
IMAGE: Final = "fake-server:latest"
# Where the image listens (FAKE_SERVER_PORT inside it).
IMAGE_PORT: Final = 8080
# How long FakeServerContainer waits for /__fake__/ready after the container starts.
IMAGE_READY_TIMEOUT_SECONDS: Final = 30.0

# --- uploaded content --------------------------------------------------------------

# Bytes of uploaded content one account (session) keeps, over all its files.
# An upload beyond it is refused (413); deleting files frees room.
MAX_CONTENT_BYTES: Final = 64 * 1024 * 1024
# Bytes of a scenario, however it comes: a file given to ``check`` or
# ``serve --scenario``, or the body of ``PUT /__fake__/scenario``.
MAX_SCENARIO_BYTES: Final = 16 * 1024 * 1024
# Results a search returns when it sets no max_num_results (the spec's default).
SEARCH_RESULTS: Final = 10
# Wall-clock seconds a scenario's search patterns may take, all together, on one
# query before the search is answered with a 500 naming the pattern it ran out in.
SEARCH_PATTERN_SECONDS: Final = 0.1

# --- end users and their roles ---------------------------------------------------

# The longest end-user id (X-On-Behalf-Of, a scenario owner, a grant's user_id).
MAX_END_USER_CHARACTERS: Final = 256
# Roles granted on one vector store (scenario ``permissions`` and grants at runtime).
MAX_PERMISSIONS_PER_STORE: Final = 1000

# --- the Responses API's file_search -------------------------------------------------

# Results an answer cites (one sentence of each, in rank order), at most.
RESPONSE_CITATIONS: Final = 3
# Characters of one cited sentence, at most (a longer one is cut at a word).
RESPONSE_SENTENCE_CHARACTERS: Final = 300
# Responses kept per session for GET, DELETE and input_items (``store``); the
# oldest goes first, as the journal's entries do.
MAX_STORED_RESPONSES: Final = 200
# What one response keeps of its request, at most (a request beyond it is a
# 400): input messages, and characters (model, instructions, the messages'
# text, metadata and tools; see ``domain/file_search.py`` for what a session
# keeps at most).
RESPONSE_MAX_INPUT_MESSAGES: Final = 256
RESPONSE_MAX_CHARACTERS: Final = 32_768
# Words of the answer's text in one streamed ``response.output_text.delta``.
STREAM_DELTA_WORDS: Final = 4
# --- fake-server record ----------------------------------------------------------

# Where the recording proxy listens unless told (beside serve's 8080).
RECORD_PORT: Final = 8089
# The largest JSON body (request or response) a recording keeps; a bigger one is
# forwarded whole but recorded as null.
RECORD_MAX_JSON_BYTES: Final = 16 * 1024 * 1024
# Seconds the recording proxy waits for the upstream to connect, and then for
# each read or write (a real batch call answers in well under a minute).
RECORD_CONNECT_SECONDS: Final = 10.0
RECORD_UPSTREAM_SECONDS: Final = 600.0
# Connections the proxy keeps open to the upstream at once.
RECORD_MAX_CONNECTIONS: Final = 64
